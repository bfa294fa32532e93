"""The per-process event feed: catch-up then live, bounded queues, PostgreSQL fan-out."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from models.worker_changes import register_worker
from portal.events import EventFeed, PostgresListener, asyncpg_dsn
from schema.errors import SlowConsumerError
from tests import factories as f
from tests.server import running_server


async def _register(p, n=1):
    return [await register_worker(f.viewer(p), f.worker_input()) for _ in range(n)]


async def _take(stream, n, timeout=10.0):  # noqa: ASYNC109
    out = []

    async def run():
        async for event in stream:
            out.append(event)
            if len(out) == n:
                return

    await asyncio.wait_for(run(), timeout)
    return out


async def test_catch_up_then_live_without_gap_or_duplicate(db):
    p = await f.partner()
    await _register(p, 3)
    feed = EventFeed(poll_interval=0.05)
    await feed.start()
    try:
        stream = feed.stream(f.viewer(p), after=1)
        first = await _take(stream, 2)
        await _register(p, 2)
        later = await _take(stream, 2)
    finally:
        await feed.stop()
    assert [e.id for e in first + later] == [2, 3, 4, 5]


async def test_another_partners_events_are_not_delivered(db):
    hk, sg = await f.partner(), await f.partner("kbri-singapore", country="SG")
    feed = EventFeed(poll_interval=0.05)
    await feed.start()
    try:
        stream = feed.stream(f.viewer(sg), after=0)
        await _register(hk, 2)
        mine = await _register(sg, 1)
        got = await _take(stream, 1)
    finally:
        await feed.stop()
    assert [e.worker_id for e in got] == [mine[0].id]


async def test_a_slow_consumer_is_told_to_resume_and_others_are_unaffected(db):
    p = await f.partner()
    feed = EventFeed(poll_interval=0.05, queue_bound=3)
    await feed.start()
    try:
        slow = feed.stream(f.viewer(p), after=None)
        fast = feed.stream(f.viewer(p), after=None)
        # Register both (an async generator registers on its first step).
        slow_first = asyncio.ensure_future(slow.__anext__())
        fast_events = asyncio.ensure_future(_take(fast, 8))
        await asyncio.sleep(0.1)
        for _ in range(8):  # paced, so a reader that keeps up never holds more than one
            await _register(p, 1)
            await asyncio.sleep(0.15)
        assert len(await fast_events) == 8
        await slow_first
        with pytest.raises(SlowConsumerError) as caught:
            for _ in range(10):
                await slow.__anext__()
        assert caught.value.extensions["code"] == "SLOW_CONSUMER"
        assert caught.value.extensions["resumeAfter"]
    finally:
        await feed.stop()


@pytest.mark.postgres_only
async def test_a_dropped_listen_connection_reconnects_and_catches_up(db):
    p = await f.partner()
    feed = EventFeed(poll_interval=3600)  # only NOTIFY can wake it
    await feed.start()
    listener = PostgresListener(asyncpg_dsn(db.database_url), feed, retry_seconds=0.2)
    task = asyncio.create_task(listener.run())
    try:
        await asyncio.wait_for(listener.connected.wait(), 5)
        stream = feed.stream(f.viewer(p), after=0)
        await _register(p, 1)
        assert len(await _take(stream, 1)) == 1
        await listener.drop_connection_for_tests()
        await _register(p, 2)  # committed while nobody listens
        await asyncio.wait_for(listener.connected.wait(), 5)
        assert len(await _take(stream, 2)) == 2
    finally:
        task.cancel()
        await feed.stop()


@pytest.mark.postgres_only
async def test_an_event_written_through_one_process_reaches_a_subscriber_of_another(
    db, database_url, tmp_path
):
    from gql import Client, gql
    from gql.transport.websockets import WebsocketsTransport

    p = await f.partner()
    secret = await f.key(p)
    await _register(p, 1)
    with (running_server(database_url, log_path=tmp_path / "a.log") as a,
          running_server(database_url, log_path=tmp_path / "b.log") as b):
        transport = WebsocketsTransport(
            url=b.replace("http://", "ws://") + "/graphql",
            init_payload={"authorization": f"Bearer {secret}"},
            subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL])
        async with Client(transport=transport) as session:
            events = (await session.execute(gql("{ events { edges { cursor } } }")))
            after = events["events"]["edges"][-1]["cursor"]
            stream = session.subscribe(gql(
                "subscription($a: String) { workerEvents(after: $a) { type fullName: "
                "worker { fullName } } }"), variable_values={"a": after})
            pending = asyncio.ensure_future(_take(stream, 1, timeout=15))
            async with httpx.AsyncClient(base_url=a) as http:
                response = await http.post("/graphql", json={
                    "query": "mutation($i: RegisterWorkerInput!) { registerWorker(input: $i)"
                             " { __typename } }",
                    "variables": {"i": f.worker_input(fullName="Lintas Proses")}},
                    headers={"authorization": f"Bearer {secret}"})
                assert response.json()["data"]["registerWorker"]["__typename"] == (
                    "RegisterWorkerSuccess")
            got = await pending
    assert got[0]["workerEvents"]["fullName"] == {"fullName": "Lintas Proses"}


async def test_a_mutation_wakes_the_feed_at_once_without_waiting_for_the_poll(client):
    # A poll interval far longer than the wait: only the wake-up after the mutation's
    # commit (schema.audit_trail) can deliver the event in time.
    p = await f.partner()
    c = client.as_key(await f.key(p))
    feed = EventFeed(poll_interval=60.0)
    await feed.start()
    try:
        stream = feed.stream(f.viewer(p), after=None)
        pending = asyncio.ensure_future(_take(stream, 1, timeout=5.0))
        await asyncio.sleep(0.2)  # the stream registers on its first step
        await c.run("""mutation($input: RegisterWorkerInput!) { registerWorker(input: $input)
                       { __typename } }""", {"input": f.worker_input()})
        got = await pending
    finally:
        await feed.stop()
    assert [e.type.value for e in got] == ["REGISTERED"]
