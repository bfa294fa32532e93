"""Per-key and per-address limits: 429 with Retry-After, shared across processes on PG."""

from __future__ import annotations

import httpx
import pytest

from portal.app import create_app
from portal.rate_limit import RateLimiter
from portal.settings import Settings
from tests import factories as f


def _app_client(client, **overrides) -> httpx.AsyncClient:
    base: Settings = client.http._transport.app.state.settings
    app = create_app(Settings(**{**base.__dict__, **overrides}))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://p.test")


async def _ask(http, secret):
    return await http.post("/graphql", json={"query": "{ viewer { role } }"},
                           headers={"authorization": f"Bearer {secret}"})


async def test_a_key_over_its_limit_gets_429_and_others_do_not(client):
    p = await f.partner()
    busy, calm = await f.key(p, name="busy"), await f.key(p, name="calm")
    async with _app_client(client, rate_limit_per_key=5) as http:
        statuses = [(await _ask(http, busy)).status_code for _ in range(6)]
        refused = await _ask(http, busy)
        other = await _ask(http, calm)
    assert statuses == [200] * 5 + [429]
    assert int(refused.headers["retry-after"]) >= 1
    error = refused.json()["errors"][0]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert error["extensions"]["limit"] == "perKey" and error["extensions"]["max"] == 5
    assert other.status_code == 200


async def test_an_address_over_its_limit_gets_429_but_health_checks_pass(client):
    async with _app_client(client, rate_limit_per_address=3) as http:
        statuses = [(await http.get("/auth/session")).status_code for _ in range(4)]
        health = await http.get("/healthz")
    assert statuses[:3] == [401, 401, 401] and statuses[3] == 429
    assert health.status_code == 200


@pytest.mark.postgres_only
async def test_processes_sharing_postgres_are_held_to_one_limit(db):
    first = RateLimiter(per_key=10, per_address=0, shared=True)
    second = RateLimiter(per_key=10, per_address=0, shared=True)
    admitted = sum(first.hit("key:1", 10) is None for _ in range(6))
    await first.sync()
    await second.sync()
    admitted += sum(second.hit("key:1", 10) is None for _ in range(2))
    await second.sync()  # learns of the first process's six
    admitted += sum(second.hit("key:1", 10) is None for _ in range(6))
    assert admitted == 10
    await second.sync()
    await first.sync()  # learns of the second process's four, with no traffic of its own
    assert first.hit("key:1", 10) is not None
