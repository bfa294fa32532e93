"""Health, readiness and metrics endpoints."""

from __future__ import annotations

import asyncio

import httpx

from portal.app import create_app
from portal.settings import Settings
from tests import factories as f


async def test_health_says_alive_without_credentials(client):
    response = await client.http.get("/healthz")
    assert response.json() == {"status": "alive"}


async def test_readiness_checks_database_events_and_migrations(db):
    app = create_app(db)
    async with app.router.lifespan_context(app):
        if app.state.listener is not None:  # PostgreSQL: ready once LISTEN is connected
            await asyncio.wait_for(app.state.listener.connected.wait(), 10)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://p.test") as http:
            response = await http.get("/readyz")
    assert response.status_code == 200, response.text
    assert response.json()["checks"] == {"database": "ok", "events": "ok", "migrations": "ok"}


async def test_readiness_fails_without_the_event_feed(client):
    response = await client.http.get("/readyz")  # lifespan not run: no feed
    assert response.status_code == 503
    assert response.json()["checks"]["events"] == "feed not started"


async def test_metrics_count_requests_by_published_operation_and_outcome(client):
    p = await f.partner()
    c = client.as_key(await f.key(p))
    await c.post("query Dashboard { viewer { role } }")
    await c.post("query WhateverIWant { viewer { role } }")
    await c.post("{ nope }")
    text = (await client.http.get("/metrics")).text
    assert 'portal_requests_total{operation="Dashboard",outcome="ok",route="/graphql"}' in text
    assert 'operation="adhoc"' in text and "WhateverIWant" not in text
    assert 'portal_graphql_errors_total{code="GRAPHQL_VALIDATION"}' in text
    assert "portal_request_duration_seconds_bucket" in text


async def test_metrics_can_require_a_bearer_token(client):
    base: Settings = client.http._transport.app.state.settings
    app = create_app(Settings(**{**base.__dict__, "metrics_token": "scrape-secret"}))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://p.test") as http:
        assert (await http.get("/metrics")).status_code == 401
        ok = await http.get("/metrics", headers={"authorization": "Bearer scrape-secret"})
    assert ok.status_code == 200 and "portal_process_start_time_seconds" in ok.text


def test_tracing_is_on_exactly_when_opentelemetry_is_installed():
    import importlib.util

    from schema.root import tracing_extensions

    installed = importlib.util.find_spec("opentelemetry") is not None
    assert bool(tracing_extensions()) == installed
