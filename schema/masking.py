"""Unexpected errors are logged with the request id and masked for the client.

Expected failures are typed results or deliberate GraphQL errors (bad arguments, parse and
validation errors); anything else is a bug, and its message may carry internals, so the
client sees only "Internal error" and the request id to quote to support.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any

from graphql.error import GraphQLError
from strawberry.extensions import MaskErrors

from models.outages import is_outage

log = logging.getLogger("portal.errors")


def is_expected(error: GraphQLError) -> bool:
    original = error.original_error
    return original is None or isinstance(original, GraphQLError)


class MaskUnexpectedErrors(MaskErrors):
    def __init__(self) -> None:
        super().__init__(should_mask_error=lambda e: not is_expected(e))

    def on_operation(self) -> Any:
        # The operation name and outcome go into the request's access-log line.
        context: Any = getattr(self.execution_context, "context", None)
        request = getattr(context, "request", None)
        yield from super().on_operation()
        if request is not None and hasattr(request, "scope"):
            state = request.scope.setdefault("state", {})
            state["operation_name"] = self.execution_context.operation_name
            result = self.execution_context.result
            errors = getattr(result, "errors", None) or []
            state["outcome"] = "error" if errors else "ok"
            state["error_codes"] = [
                str((e.extensions or {}).get("code", "GRAPHQL_VALIDATION")) for e in errors]

    def _request_id(self) -> str | None:
        context: Any = getattr(self.execution_context, "context", None)
        return getattr(context, "request_id", None)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        request_id = self._request_id()
        original = error.original_error
        if original is not None and is_outage(original):
            log.warning("database unavailable during %s (request id %s)",
                        self.execution_context.operation_name or "anonymous operation",
                        request_id, extra={"request_id": request_id})
            return GraphQLError(
                "The database is unavailable; retry in a moment (with the same "
                "idempotency key, where the mutation takes one).",
                nodes=error.nodes, source=error.source, positions=error.positions,
                path=error.path, original_error=None,
                extensions={"code": "SERVICE_UNAVAILABLE", "requestId": request_id})
        # The exception's message is left out on purpose: driver errors quote parameter
        # values (names, identifiers). The type and the stack locate the bug.
        stack = "".join(traceback.format_tb(original.__traceback__)) if original else ""
        log.error(
            "unexpected error in %s at %s: %s (request id %s)\n%s",
            self.execution_context.operation_name or "anonymous operation",
            ".".join(str(p) for p in error.path or ()),
            type(original).__name__,
            request_id,
            stack,
            extra={"request_id": request_id},
        )
        return GraphQLError(
            message=f"Internal error. Quote request id {request_id} to support.",
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=None,
            extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
        )
