"""Shared execution of live subscriptions (portal.fanout) and the process-wide credential
checker (portal.liveness): the guarantees of an unshared subscription, at a fraction of the
cost. In-process tests drive the real schema, the real event feed and the real database;
the last one runs a real `portal serve` with real protocol clients."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
from typing import Any

import httpx
import pytest
from gql import Client, gql
from gql.transport.websockets import WebsocketsTransport
from httpx_sse import aconnect_sse

from models.access import ApiKey, AuditEntry
from models.api_keys import digest
from models.audit import REVEAL
from models.clock import now
from models.enums import Role
from models.worker_changes import register_worker
from portal.events import EventFeed
from portal.fanout import FanoutHub, Member
from portal.liveness import CredentialChecker, Watch
from schema.context import Context
from schema.root import schema
from tests import factories as f
from tests.server import running_server

LIVE = "subscription { workerEvents { cursor type workerId } }"
LIVE_NIK = "subscription { workerEvents { cursor worker { nik } } }"


async def _until(check: Any, timeout: float = 10.0) -> None:  # noqa: ASYNC109
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)


async def _take(member: Member, n: int, timeout: float = 10.0) -> list[dict[str, Any]]:  # noqa: ASYNC109
    out: list[dict[str, Any]] = []

    async def run() -> None:
        async for delivery in member.deliveries():
            out.append(json.loads(delivery.payload))
            if len(out) == n:
                return

    await asyncio.wait_for(run(), timeout)
    return out


@pytest.fixture
async def feed(db):
    feed = EventFeed(poll_interval=0.05)
    await feed.start()
    yield feed
    await feed.stop()


def _join(hub: FanoutHub, feed: EventFeed, viewer: Any, query: str = LIVE,
          variables: dict[str, Any] | None = None) -> Member:
    member = hub.join(Context(viewer=viewer, events=feed, transport="websocket"), query,
                      variables, None)
    assert member is not None
    return member


async def _registered(feed: EventFeed, groups: int) -> None:
    """Every group's execution has registered with the feed (so 'live' starts now)."""
    await _until(lambda: feed.subscriber_count == groups)


async def test_identical_subscriptions_share_one_execution_per_event(feed):
    p = await f.partner()
    hub = FanoutHub(schema)
    viewer = f.viewer(p)
    same = [_join(hub, feed, viewer) for _ in range(3)]
    narrower = _join(hub, feed, viewer, "subscription($t: [WorkerEventType!]) { "
                     "workerEvents(types: $t) { cursor type workerId } }",
                     {"t": ["REGISTERED"]})
    assert len(hub.groups) == 2
    await _registered(feed, 2)
    await register_worker(f.viewer(p), f.worker_input())
    await register_worker(f.viewer(p), f.worker_input())
    got = [await _take(m, 2) for m in same]
    assert got[0] == got[1] == got[2]
    assert [e["data"]["workerEvents"]["type"] for e in got[0]] == ["REGISTERED"] * 2
    assert len(await _take(narrower, 2)) == 2
    # Two events, two groups: four executions for eight deliveries, whatever the members.
    assert (hub.executions, hub.deliveries) == (4, 8)
    for m in [*same, narrower]:
        m.leave()
    assert hub.groups == {}


async def test_subscribers_of_different_partners_or_roles_never_share(feed):
    hk, sg = await f.partner(), await f.partner("kbri-singapore", country="SG")
    hub = FanoutHub(schema)
    hk_member = _join(hub, feed, f.viewer(hk))
    sg_member = _join(hub, feed, f.viewer(sg))
    hk_viewer_role = _join(hub, feed, f.viewer(hk, Role.PARTNER_VIEWER))
    assert len(hub.groups) == 3  # same document, three scopes
    await _registered(feed, 3)
    hk_worker = await register_worker(f.viewer(hk), f.worker_input())
    sg_worker = await register_worker(f.viewer(sg), f.worker_input())
    hk_worker2 = await register_worker(f.viewer(hk), f.worker_input())
    from schema import ids

    def workers(events: list[dict[str, Any]]) -> list[str]:
        return [e["data"]["workerEvents"]["workerId"] for e in events]

    assert workers(await _take(sg_member, 1)) == [ids.encode("Worker", sg_worker.id)]
    hk_ids = [ids.encode("Worker", w.id) for w in (hk_worker, hk_worker2)]
    assert workers(await _take(hk_member, 2)) == hk_ids
    assert workers(await _take(hk_viewer_role, 2)) == hk_ids
    # Singapore's member has nothing more queued: nothing of Hong Kong's reached it.
    assert sg_member.queue.empty()


async def test_a_late_member_gets_only_events_after_it_joined(feed):
    p = await f.partner()
    hub = FanoutHub(schema)
    early = _join(hub, feed, f.viewer(p))
    await _registered(feed, 1)
    first = await register_worker(f.viewer(p), f.worker_input())
    await _until(lambda: feed.head >= first.id and hub.executions >= 1)
    late = _join(hub, feed, f.viewer(p))
    await register_worker(f.viewer(p), f.worker_input())
    early_got = await _take(early, 2)
    late_got = await _take(late, 1)
    assert late_got == early_got[1:]
    assert late.queue.empty()


async def test_a_slow_member_is_told_to_resume_and_the_others_are_unaffected(db):
    p = await f.partner()
    feed = EventFeed(poll_interval=0.05, queue_bound=3)
    await feed.start()
    try:
        hub = FanoutHub(schema)
        fast, slow = _join(hub, feed, f.viewer(p)), _join(hub, feed, f.viewer(p))
        await _registered(feed, 1)
        fast_got: list[dict[str, Any]] = []
        reader = asyncio.ensure_future(_take(fast, 5))
        for n in range(1, 6):  # one at a time: the group itself never falls behind
            await register_worker(f.viewer(p), f.worker_input())
            await _until(lambda n=n: hub.executions == n)
        fast_got = await reader
        slow_got = await _take(slow, 4)
    finally:
        await feed.stop()
    assert len(fast_got) == 5 and all("errors" not in e for e in fast_got)
    assert slow_got[:3] == fast_got[:3]  # everything before the overflow, no gap
    error = slow_got[3]["errors"][0]
    assert error["extensions"] == {"code": "SLOW_CONSUMER",
                                   "resumeAfter": fast_got[2]["data"]["workerEvents"]["cursor"]}


async def test_identifiers_revealed_by_a_shared_execution_are_audited_per_viewer(feed):
    p = await f.partner()
    hub = FanoutHub(schema)
    alice = f.viewer(p)
    bob = dataclasses.replace(alice, actor="test:bob")
    members = [_join(hub, feed, alice, LIVE_NIK), _join(hub, feed, bob, LIVE_NIK)]
    assert len(hub.groups) == 1  # same scope: shared, although two identities
    await _registered(feed, 1)
    worker = await register_worker(f.viewer(p), f.worker_input())
    for m in members:
        (event,) = await _take(m, 1)
        assert event["data"]["workerEvents"]["worker"]["nik"].isdigit()  # not masked
    # Written when the shared execution resumes after the result, once per receiver.
    for _ in range(100):
        reveals = await AuditEntry.filter(operation=REVEAL).order_by("actor")
        if len(reveals) >= 2:
            break
        await asyncio.sleep(0.05)
    assert [(r.actor, r.target_ids) for r in reveals] == [
        ("test:bob", [worker.id]), (alice.actor, [worker.id])]


async def test_one_credential_query_per_round_whatever_the_connections(db, sql_counter):
    p = await f.partner()
    secrets = [await f.key(p, name="many"), await f.key(p, name="one")]
    keys = [await ApiKey.get(secret_digest=digest(s)) for s in secrets]
    closed: list[int] = []

    def viewer_of(key: ApiKey) -> Any:
        return dataclasses.replace(f.viewer(p), api_key_id=key.id)

    def watch(key: ApiKey, n: int) -> Watch:
        async def expired() -> None:
            closed.append(n)

        return Watch(viewer_of(key), expired, interval=3600)  # checked by hand below

    many = [watch(keys[0], n) for n in range(50)]
    one = watch(keys[1], 99)
    checker = CredentialChecker.for_interval(3600)
    try:
        sql_counter.reset()
        await checker.check()
        assert sql_counter.count == 1  # 51 connections, two keys: one query
        assert closed == []
        await ApiKey.filter(id=keys[0].id).update(revoked_at=now())
        await checker.check()
        assert sorted(closed) == list(range(50))
        assert not any(w.alive for w in many) and one.alive
        # Force-disconnect closes the connections opened before it, not the key's future.
        await ApiKey.filter(id=keys[1].id).update(connections_reset_at=now())
        await checker.check()
        assert 99 in closed and not one.alive
        assert checker.watches == set()
    finally:
        for w in [*many, one]:
            w.stop()


async def test_real_clients_on_all_transports_share_and_receive(db, database_url, tmp_path):
    p = await f.partner()
    secret = await f.key(p)
    other = await f.key(p, name="second key")  # another key, same scope: same group
    with running_server(database_url, log_path=tmp_path / "server.log") as base:
        ws = base.replace("http://", "ws://") + "/graphql"

        def transport(key: str, protocol: str) -> WebsocketsTransport:
            return WebsocketsTransport(url=ws, init_payload={"authorization": f"Bearer {key}"},
                                       subprotocols=[protocol], connect_timeout=10)

        async def metrics() -> dict[str, float]:
            async with httpx.AsyncClient(base_url=base) as http:
                text = (await http.get("/metrics")).text
            return {m.group(1): float(m.group(2))
                    for m in re.finditer(r"^(portal_[a-z_]+) ([0-9.e+]+)$", text, re.M)}

        async def sse_first() -> dict[str, Any]:
            async with httpx.AsyncClient(base_url=base, timeout=20) as http, aconnect_sse(
                    http, "POST", "/graphql/stream", json={"query": LIVE},
                    headers={"authorization": f"Bearer {secret}"}) as source:
                async for event in source.aiter_sse():
                    if event.event == "next":
                        data = json.loads(event.data)["data"]["workerEvents"]
                        assert event.id == data["cursor"]
                        return data
            raise AssertionError("SSE stream ended")

        async with Client(transport=transport(secret, "graphql-transport-ws")) as a, \
                Client(transport=transport(other, "graphql-ws")) as b:
            readers = [asyncio.ensure_future(anext(s.subscribe(gql(LIVE)).__aiter__()))
                       for s in (a, b)]
            sse = asyncio.ensure_future(sse_first())

            async def registered() -> bool:
                m = await metrics()
                # Two groups (WebSocket, SSE), three subscribers, every group on the feed.
                return (m.get("portal_subscription_groups") == 2
                        and m.get("portal_active_subscriptions") == 3)

            for _ in range(200):
                if await registered():
                    break
                await asyncio.sleep(0.05)
            else:
                raise AssertionError(await metrics())
            async with httpx.AsyncClient(base_url=base) as http:
                body = await http.post("/graphql", json={
                    "query": "mutation($i: RegisterWorkerInput!) { registerWorker(input: $i)"
                             " { __typename } }", "variables": {"i": f.worker_input()}},
                    headers={"authorization": f"Bearer {secret}"})
            assert "errors" not in body.json(), body.text
            ws_a, ws_b = [await asyncio.wait_for(r, 15) for r in readers]
            via_sse = await asyncio.wait_for(sse, 15)
        assert ws_a == ws_b and ws_a["workerEvents"] == via_sse
        m = await metrics()
        assert m["portal_subscription_shared_executions"] == 2  # one per group, not per socket
        assert m["portal_subscription_shared_deliveries"] == 3
