"""Request ids and client addresses, the same for every route."""

from __future__ import annotations

import json
import uuid
from typing import Any

from starlette.requests import Request

REQUEST_ID_HEADER = "x-request-id"


def request_id_of(scope: dict[str, Any]) -> str:
    """One id per request, reused by every layer that logs or audits it."""
    state = scope.setdefault("state", {})
    if "request_id" not in state:
        state["request_id"] = uuid.uuid4().hex
    return str(state["request_id"])


def client_address(scope: dict[str, Any]) -> str | None:
    client = scope.get("client")
    return str(client[0])[:64] if client else None


async def json_object(request: Request, max_bytes: int) -> dict[str, Any] | None:
    """The body as a JSON object, or None when it is too large, not JSON, or not an object."""
    body = await request.body()
    if len(body) > max_bytes:
        return None
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) else None
