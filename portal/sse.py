"""GraphQL over Server-Sent Events (the graphql-sse "distinct connections" mode).

For integrators behind proxies that break WebSockets: ``POST /graphql/stream`` (JSON body)
or ``GET /graphql/stream?query=…`` with ``Accept: text/event-stream`` and the usual
``Authorization`` header. Each result is an ``event: next`` whose ``id:`` is the event cursor;
the stream ends with ``event: complete``. A reconnecting client sends ``Last-Event-ID`` and
resumes after it when the operation gives no ``after``. Errors found before execution are
sent as a ``next`` event too, as the protocol requires (a 4xx would make EventSource give up).

A live subscription (no ``after``, no ``Last-Event-ID``) joins the shared execution of
portal.fanout, like a WebSocket one: the ``data:`` of each event is serialised once for
every identical stream.
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
from strawberry.utils.aio import aclosing

from portal.auth import AuthError, viewer_from_headers
from portal.fanout import NotShared
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


def _next_frame(payload: str, event_id: str | None) -> bytes:
    """``event: next`` around a payload already serialised (shared by a whole group)."""
    head = f"event: next\nid: {event_id}\n" if event_id else "event: next\n"
    return (head + "data: " + payload + "\n\n").encode()


async def _results(view: PortalGraphQL, data: dict[str, Any], context: Context,
                   allowed: tuple[OperationType, ...]) -> AsyncIterator[tuple[str | None, str]]:
    """(event cursor, payload JSON) of each result: shared when the operation is a live
    subscription, otherwise executed for this stream alone."""
    query, variables, name = data["query"], data.get("variables"), data.get("operationName")
    member = view.fanout.join(context, query, variables, name)
    if member is not None:
        try:
            async for delivery in member.deliveries():
                yield delivery.cursor, delivery.payload
            return
        except NotShared:
            pass  # it failed validation: the unshared path reports it as always
        finally:
            member.leave()
    results = await view.schema.stream(
        query, variable_values=variables, context_value=context, operation_name=name,
        allowed_operation_types=allowed)
    async with aclosing(results):
        async for result in results:
            cursor, context.last_event_cursor = context.last_event_cursor, None
            yield cursor, json.dumps(_payload(result), separators=(",", ":"))


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
            iterator = _results(view, data, context, allowed)
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
                        cursor, payload = finished.result()
                    except StopAsyncIteration:
                        break
                    yield _next_frame(payload, cursor)
                if ended.is_set():
                    yield _frame("next", {"errors": [{
                        "message": "Credentials revoked or expired; the stream is closed.",
                        "extensions": {"code": "UNAUTHENTICATED"}}]})
                yield _frame("complete", None)
            finally:
                watch.stop()
                with contextlib.suppress(Exception):
                    await iterator.aclose()

        return StreamingResponse(
            frames(), media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no",
                     "X-Request-ID": rid},
        )

    return Route("/graphql/stream", stream, methods=["GET", "POST"])
