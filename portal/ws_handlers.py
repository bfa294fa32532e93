"""Strawberry's two WebSocket protocol handlers, with live subscriptions shared.

Everything about the protocols (connection_init, ack, ping, duplicate ids, close codes,
pre-execution errors) stays Strawberry's. Only the body of one subscribed operation changes:
a live subscription joins its group in portal.fanout and writes the group's pre-serialised
payload behind its own operation id; anything else (queries and mutations over the socket,
resuming subscriptions, documents that fail validation) runs exactly as before.
"""

from __future__ import annotations

import asyncio
import json
from contextlib import suppress
from typing import Any

from starlette.websockets import WebSocketDisconnect
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler

from portal.fanout import FanoutHub, Member, NotShared
from schema.context import Context
from schema.loaders import Loaders

# uvicorn's ClientDisconnected is an OSError; starlette raises RuntimeError after a close.
_GONE = (WebSocketDisconnect, WebSocketDisconnected, RuntimeError, OSError)

# A connection's DataLoaders until an unshared operation needs real ones: never used to
# load anything (ensure_loaders replaces it first), it only saves ~6 DataLoaders per idle
# connection.
IDLE_LOADERS = Loaders(None)


def ensure_loaders(context: Context) -> None:
    if context.loaders is IDLE_LOADERS:
        context.loaders = Loaders(context.viewer)


def _hub(handler: Any) -> FanoutHub | None:
    return getattr(handler.view, "fanout", None)


async def _pump(handler: Any, member: Member, prefix: str) -> bool:
    """Send the member's deliveries until the group ends; False if the socket is gone."""
    send = handler.websocket.ws.send_text  # the starlette WebSocket under the adapter
    async for delivery in member.deliveries():
        try:
            await send(prefix + delivery.payload + "}")
        except _GONE:
            return False
    return True


class SharedTransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """graphql-transport-ws (the protocol of the npm graphql-ws client)."""

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        hub = _hub(self)
        member = hub.join(self.context, operation.query, operation.variables,
                          operation.operation_name) if hub else None
        if member is None:
            ensure_loaders(self.context)
            return await super().run_operation(operation)
        prefix = '{"id":' + json.dumps(operation.id) + ',"type":"next","payload":'
        try:
            if not await _pump(self, member, prefix):
                return None
        except NotShared:
            member.leave()
            ensure_loaders(self.context)
            return await super().run_operation(operation)
        finally:
            member.leave()
        with suppress(*_GONE):
            await operation.send_operation_message({"id": operation.id, "type": "complete"})
        return None


class SharedGraphQLWSHandler(BaseGraphQLWSHandler[Context, None]):
    """The legacy graphql-ws protocol (subscriptions-transport-ws, Apollo)."""

    async def handle_async_results(self, operation_id: str, query: str,
                                   operation_name: str | None,
                                   variables: dict[str, object] | None) -> None:
        hub = _hub(self)
        member = hub.join(self.context, query, variables, operation_name) if hub else None
        if member is None:
            ensure_loaders(self.context)
            return await super().handle_async_results(operation_id, query, operation_name,
                                                      variables)
        prefix = '{"type":"data","id":' + json.dumps(operation_id) + ',"payload":'
        try:
            try:
                if not await _pump(self, member, prefix):
                    return None
            except NotShared:
                member.leave()
                ensure_loaders(self.context)
                return await super().handle_async_results(operation_id, query,
                                                          operation_name, variables)
            await self.send_message({"type": "complete", "id": operation_id})
        except asyncio.CancelledError:
            # "stop" from the client, as Strawberry's own handler answers it.
            with suppress(*_GONE):
                await self.send_message({"type": "complete", "id": operation_id})
        except _GONE:
            pass
        finally:
            member.leave()
            self.tasks.pop(operation_id, None)
        return None
