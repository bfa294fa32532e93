"""The GraphQL endpoint: Strawberry's ASGI view with our authentication in front.

HTTP: GraphiQL for browsers (no credentials needed to load the page), otherwise a Bearer
API key or HTTP 401. WebSocket: the key comes in the connection_init payload; a bad one
closes the socket with 4403.
"""

from __future__ import annotations

import json
from typing import Any

from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.types.unset import UNSET

from portal.auth import AuthError, viewer_from_connection_params, viewer_from_headers
from portal.request_meta import client_address, request_id_of
from portal.settings import Settings
from schema.context import Context, Limits
from schema.loaders import Loaders


def unauthorized(message: str, request_id: str) -> JSONResponse:
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}]},
        status_code=401,
        headers={"WWW-Authenticate": 'Bearer realm="partner-portal"',
                 "X-Request-ID": request_id},
    )


class PortalGraphQL(GraphQL[Context, None]):
    def __init__(self, schema: Any, settings: Settings) -> None:
        super().__init__(schema, graphql_ide="graphiql", keep_alive=True,
                         keep_alive_interval=15)
        self.limits = Limits(
            max_page_size=settings.max_page_size,
            default_page_size=min(settings.default_page_size, settings.max_page_size),
            max_nodes=settings.max_nodes,
        )

    def _context(self, request: Request | WebSocket, viewer: Any) -> Context:
        return Context(
            viewer=viewer,
            limits=self.limits,
            request=request,
            loaders=Loaders(viewer),
            request_id=request_id_of(request.scope),
        )

    async def run(  # type: ignore[override]
        self,
        request: Request | WebSocket,
        context: Context | Any = UNSET,
        root_value: Any = UNSET,
    ) -> Response | WebSocket:
        if self.is_websocket_request(request):
            # Authenticated in on_ws_connect, from the connection_init payload.
            return await super().run(request, self._context(request, None), root_value)
        adapter = self.request_adapter_class(request)
        if self.is_request_allowed(adapter) and self.should_render_graphql_ide(adapter):
            return await self.render_graphql_ide(request)
        request_id = request_id_of(request.scope)
        try:
            viewer = await viewer_from_headers(
                request.headers, request_id, method=request.method,
                source_address=client_address(request.scope),
            )
        except AuthError as exc:
            return unauthorized(str(exc), request_id)
        response = await super().run(request, self._context(request, viewer), root_value)
        response.headers["X-Request-ID"] = request_id
        return response

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
        context.loaders = Loaders(viewer)
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
