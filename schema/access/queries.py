"""Queries about access: keys, accounts, your sessions, the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from tortoise.expressions import RawSQL

from models import accounts, api_keys
from models.authorization import require_partner_admin
from models.db import dialect
from models.errors import NotAllowed
from models.tenancy import visible_audit_entries
from schema import ids
from schema.access.types import Account, ApiKey, AuditEntryConnection, AuditEntryEdge, Session
from schema.context import Info
from schema.errors import ForbiddenQuery, QueryInputError
from schema.pagination import SortKey, keyset_page

AUDIT_ORDER = SortKey("audit", None, "int")


def _contains_sql(target: int) -> str:
    """1 when the entry's target_ids holds ``target`` (an int, so safe to inline)."""
    if dialect() == "postgres":
        return f"CASE WHEN \"target_ids\"::jsonb @> '[{target}]'::jsonb THEN 1 ELSE 0 END"
    return (f"CASE WHEN EXISTS (SELECT 1 FROM json_each(\"target_ids\") "
            f"WHERE value = {target}) THEN 1 ELSE 0 END")


@strawberry.input(description="Narrow the audit log; every given condition must hold.")
class AuditFilter:
    operation: str | None = strawberry.field(
        default=None, description="Exact operation, e.g. `mutation:registerWorker`, `login`.")
    actor: str | None = strawberry.field(default=None, description="Exact actor.")
    outcome: str | None = strawberry.field(default=None, description="`ok` or an error type.")
    target_id: strawberry.ID | None = strawberry.field(
        default=None, description="Entries concerning this object (global id).")
    from_: datetime | None = strawberry.field(
        default=None, name="from", description="At or after this time.")
    to: datetime | None = strawberry.field(default=None, description="Before this time.")


@strawberry.type
class AccessQueries:
    @strawberry.field(description="Your partner's API keys (partner admins; operators: all).")
    async def api_keys(self, info: Info) -> list[ApiKey]:
        try:
            rows = await api_keys.partner_keys(info.context.require_viewer())
        except NotAllowed as exc:
            raise ForbiddenQuery(exc) from None
        return [ApiKey(row=r) for r in rows]

    @strawberry.field(description="Your partner's accounts (partner admins; operators: all).")
    async def accounts(self, info: Info) -> list[Account]:
        try:
            rows = await accounts.partner_accounts(info.context.require_viewer())
        except NotAllowed as exc:
            raise ForbiddenQuery(exc) from None
        return [Account(row=r) for r in rows]

    @strawberry.field(description="Your open sessions (empty for API keys).")
    async def my_sessions(self, info: Info) -> list[Session]:
        return [Session(row=r) for r in await accounts.my_sessions(info.context.require_viewer())]

    @strawberry.field(
        description="The audit log, newest first: partner admins see their partner's, "
        "operators everything."
    )
    async def audit_log(
        self, info: Info,
        first: Annotated[int | None, strawberry.argument(
            description="Page size (at most 100).")] = None,
        after: Annotated[str | None, strawberry.argument(
            description="Cursor of the last entry you have.")] = None,
        filter: Annotated[AuditFilter | None, strawberry.argument(
            description="Only entries matching all given conditions.")] = None,
    ) -> AuditEntryConnection:
        ctx = info.context
        viewer = ctx.require_viewer()
        try:
            require_partner_admin(viewer)
        except NotAllowed as exc:
            raise ForbiddenQuery(exc) from None
        qs = visible_audit_entries(viewer)
        if filter is not None:
            if filter.operation is not None:
                qs = qs.filter(operation=filter.operation)
            if filter.actor is not None:
                qs = qs.filter(actor=filter.actor)
            if filter.outcome is not None:
                qs = qs.filter(outcome=filter.outcome)
            if filter.from_ is not None:
                qs = qs.filter(occurred_at__gte=filter.from_)
            if filter.to is not None:
                qs = qs.filter(occurred_at__lt=filter.to)
            if filter.target_id is not None:
                decoded = ids.decode(filter.target_id)
                if decoded is None:
                    raise QueryInputError("filter.targetId", "id", "targetId is not an id.")
                qs = qs.filter(target_type=decoded[0]).annotate(
                    concerns=RawSQL(_contains_sql(int(decoded[1])))).filter(concerns=1)
        page = await keyset_page(qs, AUDIT_ORDER, descending=True, limits=ctx.limits,
                                 first=first, after=after)
        from schema.access.types import AuditEntry

        return AuditEntryConnection(
            edges=[AuditEntryEdge(cursor=c, node=AuditEntry(row=r))
                   for r, c in zip(page.rows, page.cursors, strict=True)],
            page_info=page.page_info(),
        )
