"""Request ids and client addresses, the same for every route."""

from __future__ import annotations

import uuid
from typing import Any

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
