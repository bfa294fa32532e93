"""Edge hygiene for every route: request ids, security headers, one access log line.

The access line never carries a query string, header value or body: GET /graphql puts
variables (which may hold a NIK) in the URL, so only the path is logged. Uvicorn's own
access log is switched off for the same reason (portal.cli).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Mapping
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from models.outages import is_outage
from portal import metrics
from portal.logging_setup import request_id_var
from portal.rate_limit import RateLimiter
from portal.request_meta import client_address

log = logging.getLogger("portal.access")
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}
HSTS = "max-age=63072000; includeSubDomains"


EXEMPT_PATHS = ("/healthz", "/readyz", "/metrics")


class Edge:
    def __init__(self, app: ASGIApp, *, production: bool, limiter: RateLimiter | None = None,
                 known_operations: Mapping[str, Any] | None = None) -> None:
        self.app = app
        self.known_operations = known_operations or {}
        self.production = production
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        incoming = _header(scope, b"x-request-id")
        # A caller's id is kept when it is plausible, so logs join across systems.
        request_id = incoming if incoming and _VALID_REQUEST_ID.match(incoming) else None
        if request_id:
            state["request_id"] = request_id
        from portal.request_meta import request_id_of

        request_id = request_id_of(scope)
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status: dict[str, Any] = {"code": None}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if self.production:
                    headers.setdefault("strict-transport-security", HSTS)
                headers["x-request-id"] = request_id
            await send(message)

        try:
            refused = self._over_address_limit(scope)
            if refused is not None and scope["type"] == "http":
                await refused(scope, receive, send_with_headers)
            else:
                await self.app(scope, receive, send_with_headers)
        except Exception as exc:
            # Nothing unhandled leaves as a plain-text 500 with internals: a database outage
            # is a 503 to retry, anything else a masked 500 carrying the request id.
            if scope["type"] != "http" or status["code"] is not None:
                raise
            outage = is_outage(exc)
            log.log(logging.WARNING if outage else logging.ERROR,
                    "%s during %s %s", type(exc).__name__, scope.get("method"),
                    scope.get("path"), extra={"request_id": request_id})
            response = JSONResponse(
                {"errors": [{
                    "message": "The database is unavailable; retry in a moment." if outage
                    else f"Internal error. Quote request id {request_id} to support.",
                    "extensions": {"code": "SERVICE_UNAVAILABLE" if outage
                                   else "INTERNAL_SERVER_ERROR", "requestId": request_id}}]},
                status_code=503 if outage else 500,
                headers={"Retry-After": "1"} if outage else None)
            await response(scope, receive, send_with_headers)
        finally:
            duration = (time.perf_counter() - started) * 1000
            viewer = state.get("viewer")
            if scope["type"] == "http":
                metrics.observe_request(
                    scope.get("path", ""), state.get("operation_name"), state.get("outcome")
                    or str(status["code"]), duration / 1000, state.get("error_codes") or [],
                    self.known_operations)
            if log.isEnabledFor(logging.INFO):
                _access_log(scope, status["code"], duration, request_id, state, viewer)
            request_id_var.reset(token)

    def _over_address_limit(self, scope: Scope) -> Any:
        if self.limiter is None or scope.get("path") in EXEMPT_PATHS:
            return None
        address = client_address(scope) or "unknown"
        limit = self.limiter.per_address
        retry_after = self.limiter.hit(f"addr:{address}", limit)
        if retry_after is None:
            return None
        return self.limiter.refuse("perAddress", limit, retry_after)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or ():
        if key == name:
            try:
                return value.decode("latin-1")
            except UnicodeDecodeError:
                return None
    return None


def _access_log(scope: Scope, status: int | None, duration: float, request_id: str,
                state: Mapping[str, Any], viewer: Any) -> None:
    """One structured line per request (built only when INFO is on: it is per request)."""
    log.info(
        "%s %s %s %.1fms", scope.get("method", "WS"), scope.get("path"), status or "-",
        duration,
        extra={
            "request_id": request_id,
            "method": scope.get("method", "WEBSOCKET"),
            "path": scope.get("path"),
            "status": status,
            "duration_ms": round(duration, 1),
            "operation": state.get("operation_name"),
            "partner": getattr(viewer, "partner_code", None),
            "actor_kind": getattr(viewer, "actor_kind", None),
            "outcome": state.get("outcome"),
            "client": client_address(scope),
        },
    )
