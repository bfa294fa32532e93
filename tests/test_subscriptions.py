"""Subscriptions against a real `portal serve`, with real protocol clients.

graphql-transport-ws and the legacy graphql-ws through `gql`, GraphQL over SSE through
`httpx-sse`. Every test resumes from a known cursor, so none depends on timing to be sure
the subscription was registered before the change.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from gql import Client, gql
from gql.transport.exceptions import TransportQueryError
from gql.transport.websockets import WebsocketsTransport
from httpx_sse import aconnect_sse

from models.access import ApiKey
from models.api_keys import digest
from models.clock import now
from tests import factories as f
from tests.server import Api as ServerApi
from tests.server import running_server

pytestmark = pytest.mark.slow

REGISTER = """mutation($input: RegisterWorkerInput!) { registerWorker(input: $input) {
  ... on RegisterWorkerSuccess { worker { id version } } } }"""
DEPART = """mutation($id: ID!) { changeWorkerStatus(id: $id, version: 1,
  placementStatus: DEPARTED, reason: "Departed CGK-HKG") { __typename } }"""
EVENTS = "query { events(first: 100) { edges { cursor node { type workerId } } } }"
WORKER_EVENTS = """subscription($after: String, $types: [WorkerEventType!]) {
  workerEvents(after: $after, types: $types) { cursor type workerId worker { fullName } } }"""


class Api(ServerApi):
    """The shared client, plus the few calls these tests repeat."""

    async def register(self, **overrides: Any) -> str:
        data = await self.run(REGISTER, {"input": f.worker_input(**overrides)})
        return data["registerWorker"]["worker"]["id"]

    async def last_cursor(self) -> str | None:
        edges = (await self.run(EVENTS))["events"]["edges"]
        return edges[-1]["cursor"] if edges else None


def ws_transport(base: str, secret: str, protocol: str) -> WebsocketsTransport:
    return WebsocketsTransport(
        url=base.replace("http://", "ws://") + "/graphql",
        init_payload={"Authorization": f"Bearer {secret}"},
        subprotocols=[protocol], connect_timeout=10, close_timeout=2,
    )


async def collect(stream: AsyncIterator[Any], n: int, timeout: float = 15) -> list[Any]:  # noqa: ASYNC109
    out: list[Any] = []

    async def take() -> None:
        async for item in stream:
            out.append(item)
            if len(out) == n:
                return

    await asyncio.wait_for(take(), timeout)
    return out


@pytest.fixture
async def world(db, database_url, tmp_path):
    hk, sg = await f.partner(), await f.partner("kbri-singapore", country="SG")
    keys = {"hk": await f.key(hk, name="hk"), "sg": await f.key(sg, name="sg")}
    with running_server(database_url, log_path=tmp_path / "server.log") as base:
        yield base, keys


@pytest.mark.parametrize("protocol", [WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL,
                                      WebsocketsTransport.APOLLO_SUBPROTOCOL])
async def test_subscriber_resuming_after_a_cursor_gets_every_later_event_once(world, protocol):
    base, keys = world
    hk = Api(base, keys["hk"])
    first = await hk.register(fullName="Sri Wahyuni")
    cursor = await hk.last_cursor()
    second = await hk.register(fullName="Nur Aisyah")
    await hk.run(DEPART, {"id": first})
    async with Client(transport=ws_transport(base, keys["hk"], protocol)) as session:
        stream = session.subscribe(gql(WORKER_EVENTS), variable_values={"after": cursor})
        got = await collect(stream, 2)
        # A change made while subscribed arrives live, after the catch-up.
        live = asyncio.ensure_future(collect(stream, 1))
        await asyncio.sleep(0.2)
        await hk.run(DEPART, {"id": second})
        got += await live
    events = [(e["workerEvents"]["type"], e["workerEvents"]["workerId"]) for e in got]
    assert events == [("REGISTERED", second), ("PLACEMENT_STATUS_CHANGED", first),
                      ("PLACEMENT_STATUS_CHANGED", second)]
    cursors = [e["workerEvents"]["cursor"] for e in got]
    assert len(set(cursors)) == 3
    assert got[0]["workerEvents"]["worker"] == {"fullName": "Nur Aisyah"}


async def test_a_partner_never_receives_another_partners_events(world):
    base, keys = world
    hk, sg = Api(base, keys["hk"]), Api(base, keys["sg"])
    await sg.register(fullName="Earlier Worker", destinationCountry="SG")
    start = await sg.last_cursor()
    transport = ws_transport(base, keys["sg"], WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL)
    async with Client(transport=transport) as session:
        stream = session.subscribe(gql(WORKER_EVENTS), variable_values={"after": start})
        await hk.register(fullName="Hidden From Singapore")
        sg_worker = await sg.register(fullName="Siti Singapore", destinationCountry="SG")
        got = await collect(stream, 1)
    assert [e["workerEvents"]["workerId"] for e in got] == [sg_worker]
    assert "Hidden" not in json.dumps(got)


async def test_revoking_the_key_closes_the_socket_within_seconds(world):
    base, keys = world
    transport = ws_transport(base, keys["hk"], WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL)
    loop = asyncio.get_running_loop()
    started = None
    with pytest.raises(Exception) as closed:  # noqa: B017 (gql or websockets, by timing)
        async with Client(transport=transport) as session:
            stream = session.subscribe(gql(WORKER_EVENTS))
            reader = asyncio.ensure_future(collect(stream, 100, timeout=20))
            await asyncio.sleep(0.5)
            await ApiKey.filter(secret_digest=digest(keys["hk"])).update(revoked_at=now())
            started = loop.time()
            await reader
    assert started is not None and loop.time() - started < 10
    assert "4403" in repr(closed.value) + repr(closed.value.__cause__)
    async with httpx.AsyncClient(base_url=base) as http:
        response = await http.post("/graphql", json={"query": "{ viewer { role } }"},
                                   headers={"authorization": f"Bearer {keys['hk']}"})
    assert response.status_code == 401


async def test_bad_key_in_connection_init_is_refused_with_4403(world):
    base, _ = world
    transport = ws_transport(base, "ppk_" + "x" * 40, WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL)
    with pytest.raises(Exception) as refused:  # noqa: B017 (gql raises several kinds)
        async with Client(transport=transport) as session:
            await session.execute(gql("{ viewer { role } }"))
    assert "4403" in repr(refused.value) + repr(refused.value.__cause__)


async def test_sse_stream_carries_ids_and_honours_last_event_id(world):
    base, keys = world
    hk = Api(base, keys["hk"])
    a = await hk.register(fullName="Ani Sse")
    b = await hk.register(fullName="Budi Sse", gender="MALE", born=__import__(
        "datetime").date(1990, 1, 1))
    edges = (await hk.run(EVENTS))["events"]["edges"]
    first_cursor = edges[0]["cursor"]
    headers = {"authorization": f"Bearer {keys['hk']}", "last-event-id": first_cursor}
    body = {"query": "subscription { workerEvents { cursor type workerId } }"}
    received: list[tuple[str, str]] = []
    async with httpx.AsyncClient(base_url=base, timeout=20) as http:
        async with aconnect_sse(http, "POST", "/graphql/stream", json=body,
                                headers=headers) as source:
            assert source.response.headers["content-type"].startswith("text/event-stream")
            async for sse in source.aiter_sse():
                if sse.event != "next":
                    continue
                data = json.loads(sse.data)["data"]["workerEvents"]
                assert sse.id == data["cursor"]
                received.append((data["type"], data["workerId"]))
                if len(received) == 1:
                    break
    assert received == [("REGISTERED", b)]
    assert a != b


async def test_sse_refuses_missing_credentials_and_wrong_accept(world):
    base, keys = world
    async with httpx.AsyncClient(base_url=base) as http:
        body = {"query": "subscription { workerEvents { cursor } }"}
        no_key = await http.post("/graphql/stream", json=body,
                                 headers={"accept": "text/event-stream"})
        wrong_accept = await http.post("/graphql/stream", json=body,
                                       headers={"authorization": f"Bearer {keys['hk']}"})
    assert no_key.status_code == 401
    assert wrong_accept.status_code == 406


async def test_invalid_cursor_is_a_clear_error_not_a_crash(world):
    base, keys = world
    transport = ws_transport(base, keys["hk"], WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL)
    async with Client(transport=transport) as session:
        with pytest.raises(TransportQueryError) as caught:
            async for _ in session.subscribe(gql(WORKER_EVENTS),
                                             variable_values={"after": "forged"}):
                pass
        assert "cursor" in str(caught.value)
        # The connection still serves other operations.
        result = await session.execute(gql("{ viewer { role } }"))
        assert result["viewer"]["role"] == "PARTNER_OFFICER"


async def test_operators_force_disconnect_a_keys_subscriptions_without_revoking_it(world):
    from models.enums import PartnerKind, Role

    base, keys = world
    bpjs = await f.partner("bpjs-ketenagakerjaan", PartnerKind.BPJS_OFFICE, "ID")
    operator = Api(base, await f.key(bpjs, Role.OPERATOR))
    key_id = (await Api(base, keys["hk"]).run("{ viewer { apiKey { id } } }"))[
        "viewer"]["apiKey"]["id"]
    transport = ws_transport(base, keys["hk"], WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL)
    with pytest.raises(Exception) as closed:  # noqa: B017 (gql or websockets, by timing)
        async with Client(transport=transport) as session:
            reader = asyncio.ensure_future(collect(session.subscribe(gql(WORKER_EVENTS)), 100,
                                                   timeout=20))
            await asyncio.sleep(0.5)
            result = await operator.run(
                "mutation($id: ID!) { disconnectApiKey(id: $id) { __typename } }",
                {"id": key_id})
            assert result["disconnectApiKey"]["__typename"] == "DisconnectApiKeySuccess"
            await reader
    assert "4403" in repr(closed.value) + repr(closed.value.__cause__)
    # The key itself still works.
    assert (await Api(base, keys["hk"]).run("{ viewer { role } }"))["viewer"]["role"]
