"""Webhooks: signed deliveries to a real aiohttp receiver, retries, ordering, the circuit
breaker, auto-disable, tenancy, restarts, redelivery.

The dispatcher is driven step by step in-process (fast and deterministic); the receiver is
a real HTTP server on 127.0.0.1, so the SSRF guard is lifted for these tests (the guard
itself is tested in test_webhook_api.py).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest

from models import webhook_queue
from models.access import AuditEntry
from models.clock import now
from models.enums import PartnerKind, Role, WorkerEventType
from models.events import WorkerEvent
from models.partners import Partner
from models.webhook_endpoints import IssuedSecret, create_endpoint
from models.webhooks import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from models.worker_changes import register_worker, transfer_worker, update_worker
from models.workers import Worker
from portal.webhook_http import backoff_seconds, classify, retry_after_seconds
from portal.webhook_settings import WebhookSettings
from portal.webhooks import Dispatcher
from schema import ids
from tests import factories as f
from tests.webhook_receiver import Receiver, Reply
from tests.webhook_verifiers import load_python_verifier

FAST: dict[str, Any] = {
    "allow_private": True,
    "timeout_seconds": 2.0,
    "backoff_base_seconds": 0.01,
    "backoff_max_seconds": 0.05,
    "circuit_threshold": 50,
    "max_attempts": 50,
    "poll_seconds": 0.05,
    "shutdown_grace_seconds": 0.5,
}


def dispatcher(**overrides: Any) -> Dispatcher:
    return Dispatcher(WebhookSettings(**{**FAST, **overrides}))


@pytest.fixture(autouse=True)
def private_addresses_allowed(guard_lifted: None) -> None:
    """Every test here delivers to a receiver on loopback."""


async def drain(d: Dispatcher, until: Callable[[], bool | Awaitable[bool]],
                timeout: float = 10.0) -> None:  # noqa: ASYNC109
    """Step the dispatcher until the condition holds (it waits a little when idle)."""
    deadline = time.monotonic() + timeout
    while True:
        done = until()
        if not isinstance(done, bool):
            done = await done
        if done:
            return
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        if not await d.step():
            await asyncio.sleep(0.02)


async def endpoint_for(p: Partner, url: str, **kw: Any) -> IssuedSecret:
    return await create_endpoint(f.viewer(p, Role.PARTNER_ADMIN), url, **kw)


async def register(p: Partner, n: int = 1) -> list[Worker]:
    return [await register_worker(f.viewer(p), f.worker_input()) for _ in range(n)]


async def touch(p: Partner, worker: Worker, label: str) -> Worker:
    changed = await update_worker(f.viewer(p), worker.id, worker.version,
                                  {"employerName": f"Employer {label}"})
    return changed.worker


async def cool_down_passes(endpoint_id: int) -> None:
    """Time travel: the circuit's pause is over (and so is the wait of its deliveries)."""
    at = now()
    await WebhookEndpoint.filter(id=endpoint_id).update(circuit_open_until=at)
    await WebhookDelivery.filter(endpoint_id=endpoint_id, due_at__gt=at).update(due_at=at)


async def deliveries() -> list[WebhookDelivery]:
    return list(await WebhookDelivery.all().order_by("id"))


# --- signing, payload ----------------------------------------------------------------------


async def test_a_delivery_is_signed_and_verifies_with_the_python_verifier(db, receiver):
    p = await f.partner()
    issued = await endpoint_for(p, receiver.url)
    [worker] = await register(p)
    async with dispatcher() as d:
        assert await d.step() == 1
    [got] = receiver.requests
    event = load_python_verifier().verify_webhook(got.body, got.headers, issued.secret)
    row = await WorkerEvent.get(worker_id=worker.id)
    assert event["version"] == 1
    assert event["id"] == ids.encode("WorkerEvent", row.id) == got.event_id
    assert event["type"] == "REGISTERED"
    assert event["workerId"] == ids.encode("Worker", worker.id)
    assert event["partner"] == p.code
    assert event["changes"]["placementStatus"] == {"from": None, "to": "CANDIDATE"}
    assert event["cursor"] and event["occurredAt"].endswith("Z")
    assert got.headers["Content-Type"] == "application/json"
    assert got.headers["X-Portal-Signature"].startswith("v1=")
    [delivery] = await deliveries()
    assert got.headers["X-Portal-Delivery-Id"] == ids.encode("WebhookDelivery", delivery.id)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
        DeliveryStatus.SUCCEEDED, 1, 200)
    assert delivery.delivered_at is not None and delivery.last_latency_ms is not None
    [attempt] = await WebhookAttempt.filter(delivery_id=delivery.id)
    assert (attempt.status_code, attempt.error) == (200, None)
    endpoint = await WebhookEndpoint.get(id=issued.endpoint.id)
    assert endpoint.last_success_at is not None and endpoint.cursor == row.id


async def test_the_verifier_refuses_tampering_stale_timestamps_and_other_secrets(db, receiver):
    verify = load_python_verifier()
    p = await f.partner()
    issued = await endpoint_for(p, receiver.url)
    await register(p)
    async with dispatcher() as d:
        await d.step()
    [got] = receiver.requests
    lowered = {k.lower(): v for k, v in got.headers.items()}
    assert verify.verify_webhook(got.body, lowered, [issued.secret, "whsec_other"])
    for body, headers, secret, kwargs in [
        (got.body.replace(b"REGISTERED", b"UPDATED"), got.headers, issued.secret, {}),
        (got.body, got.headers, "whsec_not-the-secret", {}),
        (got.body, got.headers, issued.secret, {"now": time.time() + 301}),
        (got.body, {**got.headers, "X-Portal-Signature": "v0=abc"}, issued.secret, {}),
        (got.body, {k: v for k, v in got.headers.items() if k != "X-Portal-Timestamp"},
         issued.secret, {}),
    ]:
        with pytest.raises(verify.WebhookVerificationError):
            verify.verify_webhook(body, headers, secret, **kwargs)


async def test_during_a_rotation_overlap_both_secrets_sign(db, receiver, client):
    verify = load_python_verifier()
    p = await f.partner()
    issued = await endpoint_for(p, receiver.url)
    admin = client.as_key(await f.key(p, Role.PARTNER_ADMIN))
    rotate = """mutation($id: ID!, $s: Int!) { rotateWebhookSecret(id: $id, overlapSeconds: $s) {
      __typename ... on RotateWebhookSecretSuccess { secret endpoint {
      previousSecretValidUntil } } } }"""
    endpoint_id = ids.encode("WebhookEndpoint", issued.endpoint.id)
    rotated = (await admin.run(rotate, {"id": endpoint_id, "s": 3600}))["rotateWebhookSecret"]
    new_secret = rotated["secret"]
    assert new_secret != issued.secret and rotated["endpoint"]["previousSecretValidUntil"]
    await register(p)
    async with dispatcher() as d:
        await d.step()
    got = receiver.requests[-1]
    assert got.headers["X-Portal-Signature"].count("v1=") == 2
    assert verify.verify_webhook(got.body, got.headers, new_secret)
    assert verify.verify_webhook(got.body, got.headers, issued.secret)
    # Without an overlap the old secret stops signing at once.
    again = (await admin.run(rotate, {"id": endpoint_id, "s": 0}))["rotateWebhookSecret"]
    await register(p)
    async with dispatcher() as d:
        await d.step()
    got = receiver.requests[-1]
    assert got.headers["X-Portal-Signature"].count("v1=") == 1
    assert verify.verify_webhook(got.body, got.headers, again["secret"])
    with pytest.raises(verify.WebhookVerificationError):
        verify.verify_webhook(got.body, got.headers, new_secret)


# --- retries and dead letters ----------------------------------------------------------------


async def test_a_500_is_retried_then_succeeds_with_the_same_event_id(db, receiver):
    p = await f.partner()
    await endpoint_for(p, receiver.url)
    await register(p)
    receiver.reply(Reply(500), Reply(502))
    async with dispatcher() as d:
        await drain(d, lambda: len(receiver.requests) == 3)
    first, second, third = receiver.requests
    assert first.event_id == second.event_id == third.event_id
    assert [r.headers["X-Portal-Attempt"] for r in receiver.requests] == ["1", "2", "3"]
    # The body is the same bytes every time; only timestamp and signature move.
    assert first.body == third.body
    [delivery] = await deliveries()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SUCCEEDED, 3)
    attempts = await WebhookAttempt.filter(delivery_id=delivery.id).order_by("id")
    assert [(a.status_code, a.error) for a in attempts] == [
        (500, "HTTP 500"), (502, "HTTP 502"), (200, None)]


@pytest.mark.parametrize("status", [400, 401, 404, 410, 422])
async def test_a_4xx_goes_to_the_dead_letter_queue_at_once(db, receiver, status):
    p = await f.partner()
    await endpoint_for(p, receiver.url)
    await register(p)
    receiver.default = Reply(status)
    async with dispatcher() as d:
        await d.step()
        await asyncio.sleep(0.1)
        await d.step()
    assert len(receiver.requests) == 1
    [delivery] = await deliveries()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
        DeliveryStatus.FAILED, 1, status)


@pytest.mark.parametrize("status", [408, 429, 503, 301])
async def test_408_429_5xx_and_redirects_are_retried(db, receiver, status):
    p = await f.partner()
    await endpoint_for(p, receiver.url)
    await register(p)
    receiver.reply(Reply(status, {"Location": "http://169.254.169.254/"}))
    async with dispatcher() as d:
        await drain(d, lambda: len(receiver.requests) == 2)
    [delivery] = await deliveries()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SUCCEEDED, 2)
    assert [r.path for r in receiver.requests] == ["/hook", "/hook"]  # never followed


async def test_a_429_retry_after_is_honoured(db, receiver):
    p = await f.partner()
    await endpoint_for(p, receiver.url)
    await register(p)
    receiver.reply(Reply(429, {"Retry-After": "1"}))
    async with dispatcher() as d:
        await d.step()
        [delivery] = await deliveries()
        assert delivery.status == DeliveryStatus.RETRYING
        assert delivery.next_attempt_at >= now() + timedelta(seconds=0.8)
        await d.step()  # not due yet: the small backoff setting must not win
        assert len(receiver.requests) == 1
        await drain(d, lambda: len(receiver.requests) == 2)
    first, second = receiver.requests
    assert second.at - first.at >= 0.95


async def test_retry_after_as_an_http_date_and_the_backoff_with_full_jitter():
    at = now()
    http_date = (at + timedelta(seconds=120)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert 118 <= (retry_after_seconds(http_date, at) or 0) <= 120
    assert retry_after_seconds("7") == 7
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds("999999999") == 86_400  # clamped to a day
    assert classify(503, "5").retry_after == 5 and classify(500, "5").retry_after is None
    assert not classify(404, None).retryable and classify(408, None).retryable
    import random

    rng = random.Random(1)
    waits = [backoff_seconds(n, 5, 3600, rng) for n in range(1, 30)]
    assert all(0 <= w <= min(3600, 5 * 2 ** (n - 1)) for n, w in enumerate(waits, start=1))
    assert max(waits[15:]) > 600  # it grows, up to the cap
    assert len({round(w, 6) for w in waits}) == len(waits)  # jittered


async def test_after_max_attempts_the_delivery_is_a_dead_letter(db, receiver):
    p = await f.partner()
    await endpoint_for(p, receiver.url)
    await register(p)
    receiver.default = Reply(500)
    async with dispatcher(max_attempts=3) as d:
        await drain(d, lambda: len(receiver.requests) == 3)
        await asyncio.sleep(0.1)
        await d.step()
    assert len(receiver.requests) == 3
    [delivery] = await deliveries()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 3)


async def test_a_timeout_is_recorded_and_retried(db, receiver):
    p = await f.partner()
    await endpoint_for(p, receiver.url)
    await register(p)
    receiver.reply(Reply(200, delay=1.0))
    async with dispatcher(timeout_seconds=0.2) as d:
        await d.step()
        [delivery] = await deliveries()
        assert delivery.status == DeliveryStatus.RETRYING
        assert delivery.last_error == "timeout after 0.2 s" and delivery.last_status_code is None
        await drain(d, lambda: len(receiver.requests) == 2)


# --- ordering, outages, restarts ----------------------------------------------------------------


def _per_worker(received: list[Any]) -> dict[str, list[int]]:
    order: dict[str, list[int]] = {}
    for r in received:
        body = r.json
        order.setdefault(body["workerId"], []).append(ids.decode_as("WorkerEvent", body["id"]))
    return order


async def test_receiver_down_then_up_gets_every_event_in_order_per_worker(db, receiver):
    p = await f.partner()
    await endpoint_for(p, receiver.url)
    workers = await register(p, 3)
    for round_ in range(2):
        workers = [await touch(p, w, f"{w.id}-{round_}") for w in workers]
    await receiver.stop()
    async with dispatcher() as d:
        for _ in range(5):
            await d.step()
            await asyncio.sleep(0.06)
        rows = await deliveries()
        assert len(rows) == 9
        # Only each worker's first event was tried: the later ones wait behind it.
        tried = [r for r in rows if r.attempts]
        assert {r.worker_id for r in tried} == {w.id for w in workers} and len(tried) == 3
        assert all(r.last_error == "connection failed" for r in tried)
        await receiver.start()
        await drain(d, lambda: len(receiver.requests) == 9)
    events = await WorkerEvent.all().order_by("id").values_list("id", flat=True)
    assert sorted(ids.decode_as("WorkerEvent", r.event_id) for r in receiver.requests) == events
    for sequence in _per_worker(receiver.requests).values():
        assert sequence == sorted(sequence) and len(sequence) == 3


async def test_a_failing_event_holds_back_only_its_own_worker(db, receiver):
    p = await f.partner()
    await endpoint_for(p, receiver.url)
    first, second = await register(p, 2)
    first = await touch(p, first, "a")
    blocked = ids.encode("Worker", first.id)
    failures = {"left": 2}

    def rule(r: Any) -> Reply | None:
        if r.json["workerId"] == blocked and r.json["type"] == "REGISTERED" \
                and failures["left"]:
            failures["left"] -= 1
            return Reply(503)
        return None

    receiver.rule = rule
    async with dispatcher() as d:
        await drain(d, lambda: len(receiver.requests) == 5)
    arrivals = [(r.json["workerId"], r.json["type"], r.headers["X-Portal-Attempt"])
                for r in receiver.requests]
    other = ids.encode("Worker", second.id)
    assert arrivals[-1] == (blocked, "UPDATED", "1")  # only after its REGISTERED got in
    assert (other, "REGISTERED", "1") in arrivals[:2]  # the other worker did not wait


async def test_a_crashed_dispatchers_leases_lapse_and_another_delivers(db, receiver):
    p = await f.partner()
    await endpoint_for(p, receiver.url)
    await register(p, 4)
    assert await webhook_queue.enqueue_all() == 4
    # A dispatcher that claims and dies: its leases hold the deliveries for a while.
    claimed = await webhook_queue.claim("crashed", 10, timedelta(seconds=60), 50)
    assert len(claimed) == 4
    async with dispatcher() as d:
        assert await d.step() == 0
        # A restart does not enqueue twice: the cursor moved with the deliveries.
        assert await d.enqueue() == 0
        await WebhookDelivery.filter(locked_by="crashed").update(
            locked_until=now() - timedelta(seconds=1))
        await drain(d, lambda: len(receiver.requests) == 4)
    assert len({r.event_id for r in receiver.requests}) == 4
    assert len(await deliveries()) == 4


async def test_shutdown_gives_back_unfinished_deliveries_and_a_new_dispatcher_sends_them(
        db, receiver):
    p = await f.partner()
    await endpoint_for(p, receiver.url)
    await register(p)
    receiver.reply(Reply(200, delay=3.0))
    first = dispatcher(shutdown_grace_seconds=0.2)
    await first.start()
    await receiver.wait_for(1)
    started = time.monotonic()
    await first.stop()
    assert time.monotonic() - started < 2
    [delivery] = await deliveries()
    assert (delivery.status, delivery.locked_by, delivery.attempts) == (
        DeliveryStatus.PENDING, None, 0)
    async with dispatcher() as second:
        await drain(second, lambda: len(receiver.requests) == 2)
        await drain(second, lambda: _succeeded(delivery.id))
    assert receiver.requests[0].event_id == receiver.requests[1].event_id


async def _succeeded(delivery_id: int) -> bool:
    row = await WebhookDelivery.get(id=delivery_id)
    return row.status == DeliveryStatus.SUCCEEDED


async def test_the_background_dispatcher_delivers_new_events_by_itself(db, receiver):
    p = await f.partner()
    await endpoint_for(p, receiver.url)
    d = dispatcher()
    await d.start()
    try:
        await register(p, 3)
        await receiver.wait_for(3)
    finally:
        await d.stop()
    assert len({r.event_id for r in receiver.requests}) == 3


# --- circuit breaker and auto-disable ---------------------------------------------------------


async def test_the_circuit_breaker_pauses_a_failing_endpoint_while_another_keeps_receiving(db):
    bad, good = await Receiver().start(), await Receiver().start()
    try:
        bad.default = Reply(500)
        p = await f.partner()
        failing = (await endpoint_for(p, bad.url)).endpoint
        await endpoint_for(p, good.url)
        await register(p, 6)
        async with dispatcher(circuit_threshold=3, circuit_cooldown_seconds=30,
                              concurrency=1) as d:

            async def opened() -> bool:
                row = await WebhookEndpoint.get(id=failing.id)
                return row.circuit_open_until is not None

            await drain(d, opened)
            seen = len(bad.requests)
            assert seen == 3
            await drain(d, lambda: len(good.requests) == 6)
            for _ in range(5):
                await d.step()
            assert len(bad.requests) == seen  # paused
            row = await WebhookEndpoint.get(id=failing.id)
            assert row.consecutive_failures == 3 and row.circuit_opens == 1
            assert row.circuit_open_until > now() + timedelta(seconds=25)
            # Cool-down over: one probe only; it fails, the pause doubles.
            await cool_down_passes(failing.id)
            await d.step()
            assert len(bad.requests) == seen + 1
            row = await WebhookEndpoint.get(id=failing.id)
            assert row.circuit_opens == 2
            assert row.circuit_open_until > now() + timedelta(seconds=55)
            # Back up: the probe succeeds, the circuit closes and the queue drains.
            bad.default = Reply(200)
            await cool_down_passes(failing.id)
            await drain(d, lambda: len({r.event_id for r in bad.requests}) == 6)
            row = await WebhookEndpoint.get(id=failing.id)
            assert (row.consecutive_failures, row.circuit_open_until) == (0, None)
    finally:
        await bad.stop()
        await good.stop()


async def test_a_half_open_endpoint_gets_a_single_probe_even_with_concurrency(db, receiver):
    p = await f.partner()
    issued = await endpoint_for(p, receiver.url)
    await register(p, 5)
    await webhook_queue.enqueue_all()
    await WebhookEndpoint.filter(id=issued.endpoint.id).update(consecutive_failures=3)
    receiver.default = Reply(500)
    async with dispatcher(circuit_threshold=3, concurrency=10) as d:
        assert await d.deliver_due() == 1
    assert len(receiver.requests) == 1
    assert await WebhookDelivery.filter(locked_by__not_isnull=True).count() == 0


async def test_an_endpoint_is_switched_off_after_the_configured_run_of_failures(
        db, receiver, client, caplog):
    caplog.set_level(logging.INFO, logger="portal.webhooks")
    p = await f.partner()
    issued = await endpoint_for(p, receiver.url)
    await register(p)
    receiver.default = Reply(500)
    async with dispatcher(disable_after=4) as d:

        async def disabled() -> bool:
            return not (await WebhookEndpoint.get(id=issued.endpoint.id)).active

        await drain(d, disabled)
        for _ in range(3):
            await d.step()
    assert len(receiver.requests) == 4
    entry = await AuditEntry.get(operation="webhook_endpoint_disabled")
    assert entry.actor == "system:webhooks" and entry.subject_partner_id == p.id
    assert entry.target_type == "WebhookEndpoint" and entry.target_ids == [issued.endpoint.id]
    assert "webhook_endpoint_disabled endpoint=" in caplog.text
    admin = client.as_key(await f.key(p, Role.PARTNER_ADMIN))
    shown = (await admin.run("""{ webhookEndpoints { id active disabledAt disabledReason
      consecutiveFailures lag } }"""))["webhookEndpoints"]
    [endpoint] = shown
    assert endpoint["active"] is False and endpoint["disabledAt"]
    assert "after 4 consecutive failed deliveries" in endpoint["disabledReason"]
    assert endpoint["consecutiveFailures"] == 4 and endpoint["lag"] == 1
    # Switched on again, it delivers what waited.
    receiver.default = Reply(200)
    on = await admin.run("""mutation($id: ID!) { setWebhookEndpointActive(id: $id, active: true)
      { __typename ... on SetWebhookEndpointActiveSuccess { endpoint { active
      consecutiveFailures disabledReason } } } }""", {"id": endpoint["id"]})
    assert on["setWebhookEndpointActive"]["endpoint"] == {
        "active": True, "consecutiveFailures": 0, "disabledReason": None}
    async with dispatcher() as d:
        await drain(d, lambda: len(receiver.requests) == 5)
    assert receiver.requests[-1].event_id == receiver.requests[0].event_id


async def test_a_switched_off_endpoint_catches_up_when_switched_on(db, receiver, client):
    p = await f.partner()
    issued = await endpoint_for(p, receiver.url)
    admin = client.as_key(await f.key(p, Role.PARTNER_ADMIN))
    toggle = """mutation($id: ID!, $on: Boolean!) { setWebhookEndpointActive(id: $id,
      active: $on) { __typename } }"""
    endpoint_id = ids.encode("WebhookEndpoint", issued.endpoint.id)
    await admin.run(toggle, {"id": endpoint_id, "on": False})
    await register(p, 2)
    async with dispatcher() as d:
        assert await d.step() == 0
        await admin.run(toggle, {"id": endpoint_id, "on": True})
        await drain(d, lambda: len(receiver.requests) == 2)


# --- tenancy and filters --------------------------------------------------------------------


async def test_an_endpoint_never_receives_another_partners_events(db, receiver):
    hk = await f.partner()
    sg = await f.partner("kbri-singapore", country="SG")
    await endpoint_for(hk, receiver.url + "/hk")
    await endpoint_for(sg, receiver.url + "/sg")
    hk_workers = {ids.encode("Worker", w.id) for w in await register(hk, 2)}
    sg_workers = {ids.encode("Worker", w.id) for w in await register(sg, 1)}
    async with dispatcher() as d:
        await drain(d, lambda: len(receiver.requests) == 3)
        await d.step()
    by_path: dict[str, set[str]] = {}
    for r in receiver.requests:
        by_path.setdefault(r.path, set()).add(r.json["workerId"])
        assert r.json["partner"] == r.path.rsplit("/", 1)[1].replace("hk", hk.code).replace(
            "sg", sg.code)
    assert by_path == {"/hook/hk": hk_workers, "/hook/sg": sg_workers}


async def test_after_a_transfer_only_the_new_owner_receives_the_workers_changes(db, receiver):
    from models.tenancy import visible_events

    hk = await f.partner()
    sg = await f.partner("kbri-singapore", country="SG")
    operator = f.viewer(await f.operator_partner(), Role.OPERATOR)
    await endpoint_for(hk, receiver.url + "/hk")
    await endpoint_for(sg, receiver.url + "/sg")
    [worker] = await register(hk)
    async with dispatcher() as d:
        await drain(d, lambda: len(receiver.requests) == 1)
        moved = await transfer_worker(operator, worker.id, sg.id, "Moved to Singapore office")
        updated = await touch(sg, moved.worker, "sg")
        await asyncio.sleep(0.1)
        for _ in range(5):
            await d.step()
    got: dict[str, list[int]] = {"/hook/hk": [], "/hook/sg": []}
    for r in receiver.requests:
        got[r.path].append(ids.decode_as("WorkerEvent", r.event_id))
    # Each endpoint gets what the tenancy choke point shows its partner as the events are
    # committed. The history a transfer hands over is not sent again: the new owner's
    # cursor had passed it (TRANSFERRED_IN says the worker arrived; the API has the rest).
    registered = got["/hook/hk"][0]
    for path, partner, after in (("/hook/hk", hk, 0), ("/hook/sg", sg, registered)):
        expected = await visible_events(f.viewer(partner)).filter(
            worker_id=worker.id, id__gt=after).order_by("id").values_list("id", flat=True)
        assert got[path] == list(expected), path
    last = await WorkerEvent.filter(worker_id=updated.id).order_by("-id").first()
    assert last is not None and last.type == WorkerEventType.UPDATED
    assert last.id in got["/hook/sg"] and last.id not in got["/hook/hk"]


async def test_event_type_and_worker_filters(db, receiver):
    p = await f.partner()
    first, second = await register(p, 2)
    await endpoint_for(p, receiver.url + "/updates", event_types=[WorkerEventType.UPDATED])
    await endpoint_for(p, receiver.url + "/one", worker_id=second.id)
    await touch(p, first, "x")
    await register(p)
    second = await touch(p, second, "y")
    async with dispatcher() as d:
        await drain(d, lambda: len(receiver.requests) == 3)
        await d.step()
    got = sorted((r.path, r.json["type"], r.json["workerId"]) for r in receiver.requests)
    assert got == sorted([
        ("/hook/updates", "UPDATED", ids.encode("Worker", first.id)),
        ("/hook/updates", "UPDATED", ids.encode("Worker", second.id)),
        ("/hook/one", "UPDATED", ids.encode("Worker", second.id)),
    ])


async def test_a_new_endpoint_receives_events_from_its_creation_on(db, receiver):
    p = await f.partner()
    await register(p, 2)
    await endpoint_for(p, receiver.url)
    [later] = await register(p)
    async with dispatcher() as d:
        await drain(d, lambda: len(receiver.requests) == 1)
        await d.step()
    assert receiver.requests[0].json["workerId"] == ids.encode("Worker", later.id)


async def test_many_events_reach_many_endpoints(db):
    receivers = [await Receiver().start() for _ in range(3)]
    try:
        p = await f.partner()
        for r in receivers:
            await endpoint_for(p, r.url)
        await register(p, 30)
        async with dispatcher(concurrency=20) as d:
            await drain(d, lambda: all(len(r.requests) == 30 for r in receivers), timeout=30)
        assert await WebhookDelivery.filter(status=DeliveryStatus.SUCCEEDED).count() == 90
    finally:
        for r in receivers:
            await r.stop()


async def test_an_operator_cannot_register_an_endpoint(db):
    from models.errors import NotAllowed

    operator = f.viewer(await f.partner("bpjs", PartnerKind.BPJS_OFFICE, "ID"), Role.OPERATOR)
    with pytest.raises(NotAllowed):
        await create_endpoint(operator, "https://example.org/hook")


# --- several dispatchers on PostgreSQL ----------------------------------------------------------


@pytest.mark.postgres_only
async def test_two_dispatchers_on_one_database_deliver_each_delivery_once(db, receiver):
    p = await f.partner()
    for path in ("/a", "/b"):
        await endpoint_for(p, receiver.url + path)
    workers = await register(p, 10)
    for round_ in range(2):
        workers = [await touch(p, w, f"{w.id}-{round_}") for w in workers]
    receiver.default = Reply(200, delay=0.01)  # long enough for the two to overlap
    first, second = dispatcher(concurrency=4), dispatcher(concurrency=4)
    attempts_by = {first.instance: 0, second.instance: 0}
    for d in (first, second):
        original = d._attempt

        async def counted(claimed: Any, d: Dispatcher = d, original: Any = original) -> None:
            attempts_by[d.instance] += 1
            await original(claimed)

        d._attempt = counted  # type: ignore[method-assign]
    await asyncio.gather(first.start(), second.start())
    try:
        async def all_delivered() -> bool:
            return await WebhookDelivery.filter(status=DeliveryStatus.SUCCEEDED).count() == 60

        deadline = time.monotonic() + 30
        while not await all_delivered():
            assert time.monotonic() < deadline, "not delivered in time"
            await asyncio.sleep(0.05)
    finally:
        await asyncio.gather(first.stop(), second.stop())
    sent = [(r.path, r.event_id) for r in receiver.requests]
    assert len(sent) == len(set(sent)) == 60
    assert await WebhookAttempt.all().count() == 60
    # Both took part, and each endpoint still got each worker's events in order.
    assert all(attempts_by.values()) and sum(attempts_by.values()) == 60, attempts_by
    for path in ("/hook/a", "/hook/b"):
        mine = [r for r in receiver.requests if r.path == path]
        for sequence in _per_worker(mine).values():
            assert sequence == sorted(sequence) and len(sequence) == 3


@pytest.mark.postgres_only
async def test_two_dispatchers_enqueue_concurrently_without_duplicates(db):
    p = await f.partner()
    for n in range(3):
        await endpoint_for(p, f"http://127.0.0.1:9/{n}")
    await register(p, 40)
    counts = await asyncio.gather(*(webhook_queue.enqueue_all(batch=7) for _ in range(4)))
    assert sum(counts) == 120
    assert await WebhookDelivery.all().count() == 120


# --- scheduling: only queue heads are due ------------------------------------------------------


async def _due(worker_id: int) -> list[bool]:
    rows = await WebhookDelivery.filter(worker_id=worker_id).order_by("event_id")
    return [r.due_at is not None for r in rows]


async def test_only_the_head_of_each_workers_queue_is_scheduled(db, receiver):
    p = await f.partner()
    issued = await endpoint_for(p, receiver.url)
    [worker] = await register(p)
    worker = await touch(p, worker, "1")
    worker = await touch(p, worker, "2")
    await webhook_queue.enqueue_all()
    assert await _due(worker.id) == [True, False, False]
    receiver.reply(Reply(500))
    async with dispatcher() as d:
        await d.deliver_due()
        assert await _due(worker.id) == [True, False, False]  # retrying, still the head
        await drain(d, lambda: len(receiver.requests) == 2)
        assert await _due(worker.id) == [False, True, False]  # the next one moved up
        # Switched off: nothing is scheduled; switched on: the head again.
        admin = f.viewer(p, Role.PARTNER_ADMIN)
        from models.webhook_endpoints import redeliver, set_active

        await set_active(admin, issued.endpoint.id, False)
        assert await _due(worker.id) == [False, False, False]
        assert await d.step() == 0
        await set_active(admin, issued.endpoint.id, True)
        assert await _due(worker.id) == [False, True, False]
        await drain(d, lambda: len(receiver.requests) == 4)
        assert await _due(worker.id) == [False, False, False]
        # A redelivered old event goes first again; the later ones wait behind it.
        first = (await WebhookDelivery.filter(worker_id=worker.id).order_by("event_id"))[0]
        await redeliver(admin, first.id)
        assert await _due(worker.id) == [True, False, False]
        await drain(d, lambda: len(receiver.requests) == 5)
    assert [r.json["type"] for r in receiver.requests] == [
        "REGISTERED", "REGISTERED", "UPDATED", "UPDATED", "REGISTERED"]


async def test_a_new_event_waits_behind_an_undelivered_one_of_its_worker(db, receiver):
    p = await f.partner()
    await endpoint_for(p, receiver.url)
    [worker] = await register(p)
    await webhook_queue.enqueue_all()
    worker = await touch(p, worker, "later")
    await webhook_queue.enqueue_all()  # a second batch: the head is still undelivered
    assert await _due(worker.id) == [True, False]
    async with dispatcher() as d:
        await drain(d, lambda: len(receiver.requests) == 2)
    assert [r.json["type"] for r in receiver.requests] == ["REGISTERED", "UPDATED"]


async def test_when_the_circuit_opens_the_endpoints_queue_is_pushed_past_the_pause(db,
                                                                                  receiver):
    p = await f.partner()
    issued = await endpoint_for(p, receiver.url)
    await register(p, 4)
    receiver.default = Reply(500)
    async with dispatcher(circuit_threshold=2, concurrency=1) as d:
        await drain(d, lambda: len(receiver.requests) == 2)
    endpoint = await WebhookEndpoint.get(id=issued.endpoint.id)
    rows = await WebhookDelivery.filter(due_at__isnull=False)
    assert len(rows) == 4 and all(r.due_at >= endpoint.circuit_open_until for r in rows)


async def test_a_dispatcher_start_reschedules_stuck_queue_heads(db, receiver):
    p = await f.partner()
    await endpoint_for(p, receiver.url)
    await register(p, 2)
    await webhook_queue.enqueue_all()
    await WebhookDelivery.all().update(due_at=None)  # whatever left them so
    d = dispatcher()
    await d.start()
    try:
        await receiver.wait_for(2)
    finally:
        await d.stop()


async def test_the_claim_walks_an_index_and_does_not_sort_the_backlog(db):
    from tortoise.connection import get_connection

    from models.event_log import is_postgres

    conn = get_connection("default")
    if is_postgres(conn):
        pytest.skip("SQLite's plan is stable enough to assert; PostgreSQL's depends on stats")
    at = now()
    plan = await conn.execute_query_dict(
        "EXPLAIN QUERY PLAN " + webhook_queue._claim_sql(False),
        ["x", at, at, 5, 10])
    details = " | ".join(str(r["detail"]) for r in plan)
    assert "USING INDEX idx_webhook_del_due_at" in details, details
    assert "TEMP B-TREE" not in details, details


async def test_a_burst_of_queued_deliveries_refreshes_the_planners_statistics(db, monkeypatch):
    calls: list[int] = []
    real = webhook_queue.refresh_statistics

    async def counted() -> None:
        calls.append(1)
        await real()  # ANALYZE on PostgreSQL, nothing on SQLite

    monkeypatch.setattr(webhook_queue, "refresh_statistics", counted)
    monkeypatch.setattr(webhook_queue, "ANALYZE_AFTER", 3)
    p = await f.partner()
    await endpoint_for(p, "http://127.0.0.1:9/hook")
    d = dispatcher()
    await register(p, 2)
    await d.enqueue()
    assert calls == []
    await register(p, 2)
    await d.enqueue()
    assert calls == [1]
