"""A minimal graphql-transport-ws client on ``websockets``: enough to attack with.

Deliberately hand-written rather than a library client: the attack suite needs to send
malformed connection_init payloads and to see every frame the server sends, including ones
a well-behaved library would swallow.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

PROTOCOL = Subprotocol("graphql-transport-ws")
_NO_PAYLOAD = object()


@dataclass
class Rejected:
    code: int | None
    reason: str


@dataclass
class Connection:
    ws: ClientConnection
    frames: list[dict[str, Any]] = field(default_factory=list)
    closed: Rejected | None = None

    async def subscribe(self, op_id: str, query: str,
                        variables: dict[str, Any] | None = None) -> None:
        await self.ws.send(json.dumps({"id": op_id, "type": "subscribe", "payload": {
            "query": query, "variables": variables or {}}}))

    async def receive_until(self, done: Callable[[list[dict[str, Any]]], bool],
                            timeout: float) -> list[dict[str, Any]]:  # noqa: ASYNC109
        """Collect frames until ``done(frames)`` or the timeout; answers pings."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not done(self.frames) and self.closed is None:
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            try:
                raw = await asyncio.wait_for(self.ws.recv(), remaining)
            except TimeoutError:
                break
            except ConnectionClosed as exc:
                rcvd = exc.rcvd
                self.closed = Rejected(rcvd.code if rcvd else None, rcvd.reason if rcvd else "")
                break
            frame = json.loads(raw)
            if frame.get("type") == "ping":
                await self.ws.send(json.dumps({"type": "pong"}))
                continue
            if frame.get("type") == "pong":
                continue
            self.frames.append(frame)
        return self.frames

    def for_op(self, op_id: str) -> list[dict[str, Any]]:
        return [f for f in self.frames if f.get("id") == op_id]

    def raw(self) -> str:
        return json.dumps(self.frames, ensure_ascii=False)


async def open_connection(url: str, payload: Any = _NO_PAYLOAD,
                          headers: dict[str, str] | None = None,
                          timeout: float = 10) -> Connection | Rejected:  # noqa: ASYNC109
    """Connect and send connection_init (without a payload when ``payload`` is omitted);
    a Connection when acknowledged, Rejected(close code, reason) otherwise."""
    ws = await connect(url, subprotocols=[PROTOCOL], additional_headers=headers or {},
                       open_timeout=timeout, close_timeout=2, max_size=2**22)
    init: dict[str, Any] = {"type": "connection_init"}
    if payload is not _NO_PAYLOAD:
        init["payload"] = payload
    try:
        await ws.send(json.dumps(init))
        raw = await asyncio.wait_for(ws.recv(), timeout)
    except ConnectionClosed as exc:
        rcvd = exc.rcvd
        return Rejected(rcvd.code if rcvd else None, rcvd.reason if rcvd else "")
    frame = json.loads(raw)
    if frame.get("type") != "connection_ack":
        await ws.close()
        return Rejected(None, f"unexpected first frame {frame!r}")
    return Connection(ws)
