"""Audit of every mutation and of every response that reveals full identifiers.

Attached to every Mutation field when the schema is built (schema.root), so a mutation
added later is audited without anyone remembering to.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Callable
from typing import Any

from strawberry.extensions import FieldExtension, SchemaExtension

from models import audit, event_log
from schema import ids
from schema.context import Context
from schema.errors import Error


def _target(result: Any, kwargs: dict[str, Any]) -> tuple[str | None, list[int], int | None]:
    """(target type, target ids, subject partner) from the payload, or the id argument."""
    for attribute in ("worker", "api_key", "account", "partner", "session"):
        node = getattr(result, attribute, None)
        row = getattr(node, "row", None)
        if row is not None:
            subject = getattr(row, "partner_id", None)
            if attribute == "partner":
                subject = row.id
            return type(row).__name__, [row.id], subject
    decoded = ids.decode(kwargs.get("id"))
    if decoded is not None:
        return decoded[0], [decoded[1]], None
    return None, [], None


class AuditedMutation(FieldExtension):
    async def resolve_async(
        self, next_: Callable[..., Any], source: Any, info: Any, **kwargs: Any
    ) -> Any:
        result = next_(source, info, **kwargs)
        if inspect.isawaitable(result):
            result = await result
        # The mutation's transaction has committed: wake this process's event feed and
        # webhook dispatcher now rather than at their next poll (SQLite has no NOTIFY).
        event_log.committed()
        context: Context = info.context
        viewer = context.viewer
        outcome = type(result).__name__ if isinstance(result, Error) else "ok"
        target_type, target_ids, subject = _target(result, kwargs)
        await audit.record(
            f"mutation:{info.field_name}",
            viewer=viewer,
            outcome=outcome,
            target_type=target_type,
            target_ids=target_ids,
            subject_partner_id=subject if subject is not None else (
                viewer.partner_id if viewer else None),
            # Argument names only: values carry identifiers and secrets.
            detail={"arguments": sorted(kwargs)},
            request_id=context.request_id,
        )
        return result


class RevealAudit(SchemaExtension):
    """One audit entry per response that carried full identifiers, listing the workers."""

    async def on_operation(self) -> AsyncIterator[None]:  # type: ignore[override]
        yield
        context = self.execution_context.context
        if isinstance(context, Context) and context.viewer and context.revealed_workers:
            await audit.record_reveal(
                context.viewer, context.revealed_workers,
                self.execution_context.operation_name or "anonymous operation",
            )
            context.revealed_workers.clear()
