"""GraphQL over Server-Sent Events (the graphql-sse "distinct connections" mode).

For integrators behind proxies that break WebSockets: ``POST /graphql/stream`` (JSON body)
or ``GET /graphql/stream?query=…`` with ``Accept: text/event-stream`` and the usual
``Authorization`` header. Each result is an ``event: next`` whose ``id:`` is the event cursor;
the stream ends with ``event: complete``. A reconnecting client sends ``Last-Event-ID`` and
resumes after it when the operation gives no ``after``. Errors found before execution are
sent as a ``next`` event too, as the protocol requires (a 4xx would make EventSource give up).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from strawberry.types.execution import ExecutionResult
from strawberry.types.graphql import OperationType

from portal.auth import AuthError, viewer_from_headers
from portal.graphql_view import PortalGraphQL, unauthorized
from portal.liveness import Watch
from portal.request_meta import client_address, json_object, request_id_of
from schema.context import Context
from schema.loaders import Loaders

KEEPALIVE_SECONDS = 15.0
MAX_BODY = 100_000


def _frame(event: str, data: Any, event_id: str | None = None) -> bytes:
    lines = [f"event: {event}"]
    if event_id:
        lines.append(f"id: {event_id}")
    lines.append("data: " + (json.dumps(data, separators=(",", ":")) if data is not None
                             else ""))
    return ("\n".join(lines) + "\n\n").encode()


def _payload(result: ExecutionResult) -> dict[str, Any]:
    out: dict[str, Any] = {"data": result.data}
    if result.errors:
        out["errors"] = [e.formatted for e in result.errors]
    return out


async def _request_data(request: Request) -> dict[str, Any] | None:
    if request.method == "GET":
        params = dict(request.query_params)
        data: dict[str, Any] = {"query": params.get("query"),
                                "operationName": params.get("operationName")}
        if params.get("variables"):
            try:
                data["variables"] = json.loads(params["variables"])
            except json.JSONDecodeError:
                return None
        return data
    return await json_object(request, MAX_BODY)


def route(view: PortalGraphQL) -> Route:
    async def stream(request: Request) -> Response:
        rid = request_id_of(request.scope)
        if "text/event-stream" not in request.headers.get("accept", ""):
            return JSONResponse({"errors": [{"message": "Send Accept: text/event-stream."}]},
                                status_code=406)
        try:
            viewer = await viewer_from_headers(request.headers, rid, method=request.method,
                                               source_address=client_address(request.scope))
        except AuthError as exc:
            return unauthorized(str(exc), rid)
        if (refused := view.over_key_limit(viewer)) is not None:
            return refused
        data = await _request_data(request)
        if data is None or not isinstance(data.get("query"), str) or not isinstance(
                data.get("variables") or {}, dict):
            return JSONResponse(
                {"errors": [{"message": "Send a JSON object with a `query` string and "
                             "optional `variables` object."}]}, status_code=400)
        last_event_id = request.headers.get("last-event-id")
        context = Context(viewer=viewer, limits=view.limits, request=request,
                          loaders=Loaders(viewer), request_id=rid, events=view.events,
                          resume_after=last_event_id[:200] if last_event_id else None,
                          allow_introspection=view.may_introspect(viewer),
                          trusted_only=view.held_to_manifest(viewer),
                          trusted_documents=view.manifest, transport="sse")
        # GET may not mutate (GraphQL over HTTP); POST may run any operation.
        allowed = (OperationType.QUERY, OperationType.SUBSCRIPTION) + (
            (OperationType.MUTATION,) if request.method == "POST" else ())

        async def frames() -> AsyncIterator[bytes]:
            ended = asyncio.Event()

            async def expired() -> None:
                ended.set()

            watch = Watch(viewer, expired)
            context.alive = lambda: watch.alive
            results = await view.schema.stream(
                data["query"], variable_values=data.get("variables"), context_value=context,
                operation_name=data.get("operationName"), allowed_operation_types=allowed)
            iterator = results.__aiter__()
            pending: asyncio.Future[Any] | None = None
            try:
                while True:
                    if pending is None:
                        pending = asyncio.ensure_future(iterator.__anext__())
                    ender = asyncio.ensure_future(ended.wait())
                    done, _ = await asyncio.wait({pending, ender}, timeout=KEEPALIVE_SECONDS,
                                                 return_when=asyncio.FIRST_COMPLETED)
                    ender.cancel()
                    if ended.is_set():
                        pending.cancel()
                        break
                    if pending not in done:
                        yield b": keep-alive\n\n"
                        continue
                    finished, pending = pending, None
                    try:
                        result = finished.result()
                    except StopAsyncIteration:
                        break
                    yield _frame("next", _payload(result), context.last_event_cursor)
                    context.last_event_cursor = None
                if ended.is_set():
                    yield _frame("next", {"errors": [{
                        "message": "Credentials revoked or expired; the stream is closed.",
                        "extensions": {"code": "UNAUTHENTICATED"}}]})
                yield _frame("complete", None)
            finally:
                watch.stop()
                with contextlib.suppress(Exception):
                    await iterator.aclose()  # type: ignore[attr-defined]

        return StreamingResponse(
            frames(), media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no",
                     "X-Request-ID": rid},
        )

    return Route("/graphql/stream", stream, methods=["GET", "POST"])
