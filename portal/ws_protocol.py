"""Protocol hygiene for WebSocket messages, before Strawberry's handlers see them.

Strawberry 0.341 ignores JSON messages that are not objects and crashes its handler on a
``subscribe`` whose payload is not an object; here both close the socket with 4400 (Bad
Request), as graphql-transport-ws requires, and nothing reaches the handler half-formed.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from strawberry.asgi import ASGIWebSocketAdapter

BAD_REQUEST = 4400
OPERATION_TYPES = ("subscribe", "start")  # graphql-transport-ws, legacy graphql-ws


def protocol_problem(message: Any) -> str | None:
    if not isinstance(message, dict):
        return "Every message must be a JSON object."
    if not isinstance(message.get("type"), str):
        return "Every message needs a string `type`."
    if message["type"] in OPERATION_TYPES:
        op_id = message.get("id")
        if not isinstance(op_id, str) or not op_id or len(op_id) > 200:
            return "An operation needs a string `id` of 1 to 200 characters."
        payload = message.get("payload")
        if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
            return "An operation's `payload` must be an object with a `query` string."
        if not isinstance(payload.get("variables") or {}, dict):
            return "`payload.variables` must be an object."
        if not isinstance(payload.get("extensions") or {}, dict):
            return "`payload.extensions` must be an object."
        if not isinstance(payload.get("operationName") or "", str):
            return "`payload.operationName` must be a string."
    return None


class StrictWebSocketAdapter(ASGIWebSocketAdapter):
    async def iter_json(
        self, *, ignore_parsing_errors: bool = False
    ) -> AsyncGenerator[object, None]:
        async for message in super().iter_json(ignore_parsing_errors=ignore_parsing_errors):
            problem = protocol_problem(message)
            if problem is not None:
                await self.close(BAD_REQUEST, problem)
                return
            yield message
