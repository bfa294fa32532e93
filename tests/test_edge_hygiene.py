"""Security headers, CORS allow-list, HSTS in production, request ids in responses and logs."""

from __future__ import annotations

import json
import logging

import httpx

from portal.app import create_app
from portal.logging_setup import JsonFormatter, RequestIdFilter
from portal.settings import Settings
from tests import factories as f


def _app_client(client, **overrides) -> httpx.AsyncClient:
    base: Settings = client.http._transport.app.state.settings
    app = create_app(Settings(**{**base.__dict__, **overrides}))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://p.test")


async def test_every_response_carries_security_headers_and_a_request_id(client):
    for path in ("/healthz", "/graphql", "/auth/session"):
        response = await client.http.get(path)
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert len(response.headers["x-request-id"]) >= 8
        assert "strict-transport-security" not in response.headers


async def test_production_adds_hsts(client):
    async with _app_client(client, env="production", data_keys="k:" + "A" * 43 + "=") as http:
        response = await http.get("/healthz")
    assert response.headers["strict-transport-security"].startswith("max-age=")


async def test_a_plausible_incoming_request_id_is_kept_and_a_hostile_one_replaced(client):
    kept = await client.http.get("/healthz", headers={"x-request-id": "trace-1234abcd"})
    assert kept.headers["x-request-id"] == "trace-1234abcd"
    replaced = await client.http.get("/healthz", headers={"x-request-id": "<script>\n"})
    assert replaced.headers["x-request-id"] != "<script>\n"


async def test_cors_answers_only_allowed_origins(client):
    async with _app_client(client, allowed_origins=("https://portal.kbri.example",)) as http:
        ok = await http.options("/graphql", headers={
            "origin": "https://portal.kbri.example", "access-control-request-method": "POST",
            "access-control-request-headers": "authorization,content-type"})
        evil = await http.options("/graphql", headers={
            "origin": "https://evil.example", "access-control-request-method": "POST"})
    assert ok.headers["access-control-allow-origin"] == "https://portal.kbri.example"
    assert "access-control-allow-origin" not in evil.headers


async def test_access_log_is_one_json_line_per_request_without_query_strings(client, caplog):
    caplog.set_level(logging.INFO, logger="portal.access")
    p = await f.partner()
    secret = await f.key(p)
    nik = "3174054505900003"
    await client.http.get("/graphql", params={"query": "query Probe { viewer { role } }",
                                              "variables": json.dumps({"n": nik})},
                          headers={"authorization": f"Bearer {secret}"})
    records = [r for r in caplog.records if r.name == "portal.access"]
    assert records
    record = records[-1]
    assert record.status == 200 and record.path == "/graphql"
    assert record.operation == "Probe" and record.partner == "kbri-hongkong"
    RequestIdFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] and line["duration_ms"] >= 0
    assert nik not in caplog.text and secret not in caplog.text
