"""Webhooks end to end: a real `portal serve` (its lifespan runs the dispatcher) delivering
to a real aiohttp receiver on 127.0.0.1, over real HTTP, across a server restart."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from models.enums import Role
from tests import factories as f
from tests.server import Api, running_server
from tests.webhook_receiver import Receiver, Reply
from tests.webhook_verifiers import load_python_verifier, run_js_verifier

pytestmark = pytest.mark.slow

SERVER_ENV = {
    "PORTAL_WEBHOOK_ALLOW_PRIVATE": "true",
    "PORTAL_WEBHOOK_POLL_SECONDS": "0.1",
    "PORTAL_WEBHOOK_BACKOFF_BASE_SECONDS": "0.05",
    "PORTAL_WEBHOOK_BACKOFF_MAX_SECONDS": "0.2",
    "PORTAL_WEBHOOK_SHUTDOWN_GRACE_SECONDS": "1",
    # The receiver is down for a while in one test: keep the breaker's pause short.
    "PORTAL_WEBHOOK_CIRCUIT_COOLDOWN_SECONDS": "0.2",
    "PORTAL_WEBHOOK_CIRCUIT_COOLDOWN_MAX_SECONDS": "0.5",
}
CREATE = """mutation($url: String!) { createWebhookEndpoint(input: {url: $url}) {
  __typename ... on CreateWebhookEndpointSuccess { secret endpoint { id } } } }"""
REGISTER = """mutation($input: RegisterWorkerInput!) { registerWorker(input: $input) {
  __typename } }"""
DELIVERIES = """{ webhookDeliveries(first: 50) { edges { node { status attemptCount eventId
  attempts { statusCode } } } } }"""


async def _until(check: Any, timeout: float = 15.0) -> Any:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.1)


async def test_portal_serve_delivers_signed_webhooks_with_retries(db):
    receiver = await Receiver().start()
    try:
        p = await f.partner()
        secret = await f.key(p, Role.PARTNER_ADMIN)
        receiver.reply(Reply(500))
        with running_server(db.database_url, extra_env=SERVER_ENV) as base:
            api = Api(base, secret)
            created = (await api.run(CREATE, {"url": receiver.url}))["createWebhookEndpoint"]
            assert created["__typename"] == "CreateWebhookEndpointSuccess"
            registered = await api.run(REGISTER, {"input": f.worker_input()})
            assert registered["registerWorker"]["__typename"] == "RegisterWorkerSuccess"
            first, second = await receiver.wait_for(2, timeout=15)

            async def succeeded() -> list[dict[str, Any]] | None:
                edges = (await api.run(DELIVERIES))["webhookDeliveries"]["edges"]
                done = [e["node"] for e in edges if e["node"]["status"] == "SUCCEEDED"]
                return done or None

            [delivery] = await _until(succeeded)
        verify = load_python_verifier()
        for got in (first, second):
            event = verify.verify_webhook(got.body, got.headers, created["secret"])
            assert event["type"] == "REGISTERED" and event["partner"] == p.code
        assert first.event_id == second.event_id == delivery["eventId"]
        assert delivery["attemptCount"] == 2
        assert [a["statusCode"] for a in delivery["attempts"]] == [200, 500]
        js = run_js_verifier(second.body, {k.lower(): v for k, v in second.headers.items()},
                             created["secret"])
        assert js == {"ok": True, "id": second.event_id}
    finally:
        await receiver.stop()


async def test_a_restarted_server_delivers_what_it_could_not_before(db, tmp_path):
    receiver = await Receiver().start()
    try:
        p = await f.partner()
        secret = await f.key(p, Role.PARTNER_ADMIN)
        with running_server(db.database_url, extra_env=SERVER_ENV,
                            log_path=tmp_path / "first.log") as base:
            api = Api(base, secret)
            await api.run(CREATE, {"url": receiver.url})
            await receiver.stop()  # the receiver is down
            for _ in range(3):
                await api.run(REGISTER, {"input": f.worker_input()})

            async def all_retrying() -> bool:
                edges = (await api.run(DELIVERIES))["webhookDeliveries"]["edges"]
                return len(edges) == 3 and all(e["node"]["status"] == "RETRYING"
                                               for e in edges)

            await _until(all_retrying)
        assert receiver.requests == []
        await receiver.start()
        with running_server(db.database_url, extra_env=SERVER_ENV) as base:
            got = await receiver.wait_for(3, timeout=20)
        assert len({r.event_id for r in got}) == 3
        log = (tmp_path / "first.log").read_text()
        assert "whsec_" not in log
    finally:
        await receiver.stop()


@pytest.mark.postgres_only
async def test_two_servers_on_one_database_send_each_event_once(db):
    receiver = await Receiver().start()
    receiver.default = Reply(200, delay=0.02)
    try:
        p = await f.partner()
        secret = await f.key(p, Role.PARTNER_ADMIN)
        with running_server(db.database_url, extra_env=SERVER_ENV) as one, \
                running_server(db.database_url, extra_env=SERVER_ENV) as two:
            await Api(one, secret).run(CREATE, {"url": receiver.url})
            for n in range(20):
                await Api(one if n % 2 else two, secret).run(
                    REGISTER, {"input": f.worker_input()})
            await receiver.wait_for(20, timeout=20)
            await asyncio.sleep(1.0)  # time for any duplicate to show up
        assert len(receiver.requests) == 20
        assert len({r.event_id for r in receiver.requests}) == 20
    finally:
        await receiver.stop()
