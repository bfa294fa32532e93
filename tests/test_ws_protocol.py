"""Every graphql-transport-ws protocol violation closes with its code; nobody else notices."""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets

from tests import factories as f
from tests.server import running_server

pytestmark = pytest.mark.slow

SUBSCRIBE = json.dumps({"type": "subscribe", "id": "1", "payload": {
    "query": "subscription { workerEvents { cursor } }"}})
CASES = {
    "not json": (["{nope"], 4400),
    "json array": (["[1, 2]"], 4400),
    "json string": (['"hello"'], 4400),
    "json null": (["null"], 4400),
    "no type": (['{"id": "1"}'], 4400),
    "unknown type": (['{"type": "bogus"}'], 4400),
    "binary frame": ([b"\x00\x01"], 4400),
    "subscribe payload not an object": (['{"type":"subscribe","id":"1","payload":"x"}'], 4400),
    "subscribe without id": (['{"type":"subscribe","payload":{"query":"{ viewer { role } }"}}'],
                             4400),
    "second connection_init": (['{"type": "connection_init"}'], 4429),
    "duplicate operation id": ([SUBSCRIBE, SUBSCRIBE], 4409),
}


@pytest.fixture
async def server(db, database_url, tmp_path):
    p = await f.partner()
    secret = await f.key(p)
    with running_server(database_url, log_path=tmp_path / "server.log") as base:
        yield base.replace("http://", "ws://") + "/graphql", secret, tmp_path / "server.log"


async def _close_code(url, secret, messages, init=True):
    async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as ws:
        if init:
            await ws.send(json.dumps({"type": "connection_init",
                                      "payload": {"authorization": f"Bearer {secret}"}}))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
        for message in messages:
            await ws.send(message)
        try:
            while True:
                await asyncio.wait_for(ws.recv(), 5)
        except websockets.ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else None


async def test_every_violation_gets_its_close_code_and_the_server_stays_healthy(server):
    url, secret, log = server
    for name, (messages, code) in CASES.items():
        assert await _close_code(url, secret, messages) == code, name
    assert await _close_code(url, secret, [json.dumps({
        "type": "subscribe", "id": "1", "payload": {"query": "{ viewer { role } }"}})],
        init=False) == 4401
    # A well-behaved client on the same server is unaffected.
    async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send(json.dumps({"type": "connection_init",
                                  "payload": {"authorization": f"Bearer {secret}"}}))
        await ws.recv()
        await ws.send(json.dumps({"type": "subscribe", "id": "q", "payload": {
            "query": "{ viewer { role } }"}}))
        reply = json.loads(await ws.recv())
        assert reply["payload"]["data"]["viewer"]["role"] == "PARTNER_OFFICER"
    assert "Traceback" not in log.read_text()


async def test_unknown_subprotocol_is_refused(server):
    url, _, _ = server
    async with websockets.connect(url, subprotocols=["graphql-bogus"]) as ws:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 5)
    assert closed.value.rcvd.code == 4406
