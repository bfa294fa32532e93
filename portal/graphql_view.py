"""The GraphQL endpoint: Strawberry's ASGI view with our authentication in front.

HTTP: GraphiQL for browsers (no credentials needed to load the page), otherwise a Bearer
API key or HTTP 401. WebSocket: the key comes in the connection_init payload; a bad one
closes the socket with 4403.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from cross_web import HTTPException
from graphql import GraphQLError, OperationType, get_operation_ast, parse
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.types.execution import ExecutionResult, PreExecutionError
from strawberry.types.unset import UNSET

from portal import trusted
from portal.auth import AuthError, viewer_from_connection_params, viewer_from_headers
from portal.fanout import FanoutHub
from portal.graphiql import GraphiQLPage
from portal.liveness import Watch
from portal.negotiation import GRAPHQL_RESPONSE, negotiate
from portal.negotiation import JSON as JSON_MEDIA
from portal.rate_limit import RateLimiter
from portal.request_meta import client_address, request_id_of
from portal.settings import Settings
from portal.ws_handlers import IDLE_LOADERS, SharedGraphQLWSHandler, SharedTransportWSHandler
from portal.ws_protocol import StrictWebSocketAdapter
from schema.context import Context, EventSource, Limits
from schema.limits import LIMIT_CODE
from schema.loaders import Loaders


def unauthorized(message: str, request_id: str) -> JSONResponse:
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}]},
        status_code=401,
        headers={"WWW-Authenticate": 'Bearer realm="partner-portal"',
                 "X-Request-ID": request_id},
    )


def _is_mutation(query: str | None, operation_name: str | None) -> bool:
    if not query or len(query) > 100_000:
        return False
    try:
        operation = get_operation_ast(parse(query, max_tokens=10_000), operation_name)
    except GraphQLError:
        return False  # the normal path reports the syntax error
    return operation is not None and operation.operation == OperationType.MUTATION


class PortalGraphQL(GraphQL[Context, None]):
    websocket_adapter_class = StrictWebSocketAdapter  # type: ignore[assignment]
    # Live subscriptions run once per event for all identical ones (portal.fanout).
    graphql_transport_ws_handler_class = SharedTransportWSHandler
    graphql_ws_handler_class = SharedGraphQLWSHandler

    def __init__(self, schema: Any, settings: Settings,
                 limiter: RateLimiter | None = None) -> None:
        super().__init__(schema, graphql_ide="graphiql", keep_alive=True,
                         keep_alive_interval=15, allowed_origins=settings.allowed_origins)
        self.events: EventSource | None = None  # set when the app starts its event feed
        self.fanout = FanoutHub(schema)  # shared execution of live subscriptions
        self.graphiql = GraphiQLPage()  # our own page and assets: portal/graphiql.py
        self.settings = settings
        self.limiter = limiter
        self.manifest = trusted.load()
        self.limits = Limits(
            max_page_size=settings.max_page_size,
            default_page_size=min(settings.default_page_size, settings.max_page_size),
            max_nodes=settings.max_nodes,
            max_depth=settings.max_depth,
            max_aliases=settings.max_aliases,
            max_tokens=settings.max_tokens,
            max_root_fields=settings.max_root_fields,
            max_cost=settings.max_cost,
            cost_mode=settings.cost_mode,
        )

    def _context(self, request: Request | WebSocket, viewer: Any) -> Context:
        request.scope.setdefault("state", {})["viewer"] = viewer  # for the access log
        return Context(
            viewer=viewer,
            limits=self.limits,
            request=request,
            loaders=Loaders(viewer),
            request_id=request_id_of(request.scope),
            events=self.events,
            allow_introspection=self.may_introspect(viewer),
            trusted_only=self.held_to_manifest(viewer),
            trusted_documents=self.manifest,
            transport="websocket" if self.is_websocket_request(request) else "http",
        )

    def over_key_limit(self, viewer: Any) -> Response | None:
        if self.limiter is None or viewer.api_key_id is None:
            return None
        limit = self.limiter.per_key
        retry_after = self.limiter.hit(f"key:{viewer.api_key_id}", limit)
        return None if retry_after is None else self.limiter.refuse("perKey", limit,
                                                                     retry_after)

    def held_to_manifest(self, viewer: Any) -> bool:
        if viewer is None or viewer.api_key_id is None:
            return False  # staff sessions may run ad-hoc documents in GraphiQL
        return self.settings.all_keys_trusted_only or viewer.trusted_documents_only

    def may_introspect(self, viewer: Any) -> bool:
        if viewer is not None and viewer.session_id is not None:
            return True  # staff in GraphiQL
        return self.settings.keys_may_introspect

    async def run(  # type: ignore[override]
        self,
        request: Request | WebSocket,
        context: Context | Any = UNSET,
        root_value: Any = UNSET,
    ) -> Response | WebSocket:
        if self.is_websocket_request(request):
            # Authenticated in on_ws_connect, from the connection_init payload.
            context = self._context(request, None)
            try:
                return await super().run(request, context, root_value)
            finally:
                for cleanup in context.cleanup:
                    cleanup()
        adapter = self.request_adapter_class(request)
        if self.is_request_allowed(adapter) and self.should_render_graphql_ide(adapter):
            return await self.render_graphql_ide(request)
        request_id = request_id_of(request.scope)
        media_type = negotiate(request.headers.get("accept"))
        if media_type is None:
            return JSONResponse(
                {"errors": [{"message": f"Accept {GRAPHQL_RESPONSE} or {JSON_MEDIA}."}]},
                status_code=406, headers={"X-Request-ID": request_id})
        request.state.media_type = media_type
        if request.method == "GET" and _is_mutation(request.query_params.get("query"),
                                                    request.query_params.get("operationName")):
            return JSONResponse(
                {"errors": [{"message": "Mutations are sent with POST, never GET."}]},
                status_code=405, headers={"Allow": "POST", "X-Request-ID": request_id})
        too_large = await self._refuse_large_body(request)
        if too_large is not None:
            return too_large
        try:
            viewer = await viewer_from_headers(
                request.headers, request_id, method=request.method,
                source_address=client_address(request.scope),
            )
        except AuthError as exc:
            return unauthorized(str(exc), request_id)
        if (refused := self.over_key_limit(viewer)) is not None:
            return refused
        ref = await trusted.reference(request)
        if ref is not None:
            try:
                request.state.persisted_query = trusted.resolve(ref, self.manifest)
            except trusted.PersistedError as exc:
                return JSONResponse(
                    {"errors": [{"message": exc.message, "extensions": {"code": exc.code}}]},
                    status_code=exc.status, headers={"X-Request-ID": request_id})
        response = await super().run(request, self._context(request, viewer), root_value)
        response.headers["X-Request-ID"] = request_id
        if response.headers.get("content-type", "").startswith(JSON_MEDIA):
            response.headers["content-type"] = f"{media_type}; charset=utf-8"
            status = getattr(request.state, "graphql_status", None)
            if status is not None:
                response.status_code = status
        return response

    async def parse_http_body(self, request_adapter: Any) -> Any:
        data = await super().parse_http_body(request_adapter)
        persisted = getattr(request_adapter._request.state, "persisted_query", None)
        if persisted is not None and not isinstance(data, list) and data.query is None:
            data.query = persisted
        return data

    async def process_result(self, request: Request, result: ExecutionResult) -> Any:
        """No ``data`` and status 400 for requests that were never executed, when the
        client understands application/graphql-response+json."""
        body = await super().process_result(request, result)
        never_executed = isinstance(result, PreExecutionError) or (
            result.data is None and result.errors
            and all(e.path is None for e in result.errors))
        if never_executed and getattr(request.state, "media_type", None) == GRAPHQL_RESPONSE:
            request.state.graphql_status = 400
            body.pop("data", None)
        return body

    async def _refuse_large_body(self, request: Request) -> Response | None:
        """413 before reading more than the limit, with or without a Content-Length."""
        limit = self.settings.max_body_bytes
        declared = request.headers.get("content-length", "")
        message = {"errors": [{"message": f"The request body exceeds {limit} bytes.",
                               "extensions": {"code": LIMIT_CODE, "limit": "bodyBytes",
                                              "max": limit}}]}
        if declared.isdigit() and int(declared) > limit:
            return JSONResponse(message, status_code=413)
        if request.method != "POST":
            return None
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                return JSONResponse(message, status_code=413)
        request._body = bytes(body)  # strawberry reads the body we already hold
        return None

    async def render_graphql_ide(self, request: Request) -> Response:
        # Not Strawberry's CDN-loaded page: ours, with assets served by this app and a CSP.
        return self.graphiql.response(request)

    async def on_ws_connect(self, context: Context) -> Any:
        websocket = context.request
        try:
            viewer = await viewer_from_connection_params(
                context.connection_params, context.request_id,
                cookie_header=websocket.headers.get("cookie"),
                source_address=client_address(websocket.scope),
            )
        except AuthError:
            raise ConnectionRejectionError() from None
        context.viewer = viewer
        # Built when an unshared operation first needs them (portal.ws_handlers): an idle
        # subscriber of a shared subscription never does.
        context.loaders = IDLE_LOADERS
        websocket.scope.setdefault("state", {})["viewer"] = viewer
        context.allow_introspection = self.may_introspect(viewer)
        context.trusted_only = self.held_to_manifest(viewer)

        async def close() -> None:
            with contextlib.suppress(Exception):
                await websocket.close(4403, "Forbidden: credentials revoked or expired")

        watch = Watch(viewer, close)
        context.alive = lambda: watch.alive
        context.cleanup.append(watch.stop)
        return UNSET

    def decode_json(self, data: str | bytes) -> object:
        # Bytes that are not UTF-8 are malformed JSON: HTTP answers 400 and WebSockets close
        # with 4400, where strawberry would otherwise crash with a 500.
        try:
            return json.loads(data)
        except UnicodeDecodeError as exc:
            raise json.JSONDecodeError("not UTF-8", "", exc.start) from None

    def parse_json(self, data: str | bytes) -> Any:
        """HTTP bodies and the ``variables`` parameter: a JSON object or nothing."""
        value = super().parse_json(data)
        if not isinstance(value, dict | list):
            raise HTTPException(400, "The request body must be a JSON object.")
        return value
