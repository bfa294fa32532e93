"""The root types and the schema object."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from graphql import GraphQLError
from strawberry.schema.config import StrawberryConfig

from models import access
from models.authorization import require_partner_admin
from models.errors import NotAllowed
from models.partners import Partner as PartnerRow
from models.tenancy import (
    visible_audit_entries,
    visible_contributions,
    visible_events,
    visible_partners,
)
from schema import ids
from schema.access.mutations import AccessMutations
from schema.access.queries import AccessQueries
from schema.access.types import Account, ApiKey, AuditEntry, Session, Viewer
from schema.audit_trail import AuditedMutation, RevealAudit
from schema.context import Info
from schema.errors import QueryInputError
from schema.events.subscriptions import EventQueries, Subscription
from schema.events.types import WorkerEvent
from schema.execution import PortalExecutionContext
from schema.limits import RequestLimits
from schema.masking import MaskUnexpectedErrors
from schema.node import Node
from schema.pagination import ID_ONLY, Edge, PageInfo, keyset_page
from schema.partners.mutations import PartnerMutations
from schema.partners.types import Partner
from schema.rows import resolve_basic_field
from schema.trusted import TrustedDocuments
from schema.webhooks.mutations import WebhookMutations
from schema.webhooks.queries import WebhookQueries, resolve_webhook_node
from schema.webhooks.types import WebhookDelivery, WebhookEndpoint
from schema.workers.mutations import WorkerMutations
from schema.workers.queries import WorkerQueries
from schema.workers.types import Contribution, Worker

PartnerEdge = Edge[Partner]


@strawberry.type(description="A page of partners.")
class PartnerConnection:
    edges: list[PartnerEdge] = strawberry.field(description="The rows of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page sits.")


def can_manage_access(viewer: access.Viewer) -> bool:
    try:
        require_partner_admin(viewer)
    except NotAllowed:
        return False
    return True


async def resolve_node(info: Info, global_id: str) -> Node | None:
    """Any object by global id, through the choke point; foreign answers like missing."""
    decoded = ids.decode(global_id)
    if decoded is None:
        return None
    type_name, pk = decoded
    ctx = info.context
    viewer = ctx.require_viewer()
    if type_name == "Worker":
        row = await ctx.loaders.worker.load(pk)
        return Worker(row=row) if row else None
    if type_name == "Partner":
        partner = await ctx.loaders.partner.load(pk)
        return Partner(row=partner) if partner else None
    if type_name == "WorkerEvent":
        event = await visible_events(viewer).get_or_none(id=pk)
        return WorkerEvent(row=event) if event else None
    if type_name == "Contribution":
        contribution = await visible_contributions(viewer).get_or_none(id=pk)
        return Contribution(row=contribution) if contribution else None
    if type_name == "ApiKey":
        # The same rule as the apiKeys list: partner admins, their partner's keys.
        if not can_manage_access(viewer):
            return None
        key = await access.ApiKey.get_or_none(id=pk, partner_id=viewer.partner_id)
        return ApiKey(row=key) if key else None
    if type_name == "Account":
        # Everyone sees their own account; admins their partner's; operators all.
        qs = access.Account.filter(id=pk)
        if not (viewer.is_operator and can_manage_access(viewer)):
            qs = qs.filter(partner_id=viewer.partner_id)
            if not can_manage_access(viewer):
                qs = qs.filter(id=viewer.account_id or 0)
        account = await qs.first()
        return Account(row=account) if account else None
    if type_name == "AuditEntry":
        entry = await visible_audit_entries(viewer).get_or_none(id=pk)
        return AuditEntry(row=entry) if entry else None
    if type_name in ("WebhookEndpoint", "WebhookDelivery"):
        return await resolve_webhook_node(info, type_name, pk)
    if type_name == "Session" and viewer.account_id is not None:
        session = await access.Session.get_or_none(id=pk, account_id=viewer.account_id)
        return Session(row=session) if session else None
    return None


@strawberry.type(description="Read the registry.")
class Query(WorkerQueries, AccessQueries, EventQueries, WebhookQueries):
    @strawberry.field(
        description="Any object by global id. Malformed, unknown-type, missing and foreign "
        "ids all answer null."
    )
    async def node(
        self, info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="A global id.")],
    ) -> Node | None:
        return await resolve_node(info, id)

    @strawberry.field(description="Several objects by global id (at most 100), in order.")
    async def nodes(
        self, info: Info,
        ids: Annotated[list[strawberry.ID], strawberry.argument(
            description="Global ids, at most 100.")],
    ) -> list[Node | None]:
        limit = info.context.limits.max_nodes
        if len(ids) > limit:
            raise QueryInputError("ids", "max_items", f"ids takes at most {limit} ids.")
        return [await resolve_node(info, i) for i in ids]

    @strawberry.field(description="Who am I: partner, role and scopes.")
    async def viewer(self, info: Info) -> Viewer:
        v = info.context.require_viewer()
        partner = await PartnerRow.get(id=v.partner_id)
        key = await access.ApiKey.get_or_none(id=v.api_key_id) if v.api_key_id else None
        account = (await access.Account.get_or_none(id=v.account_id)
                   if v.account_id else None)
        return Viewer(
            partner=Partner(row=partner),
            role=v.role,
            scopes=sorted((s for s in v.scopes if v.has(s)), key=lambda s: s.value),
            account=Account(row=account) if account else None,
            api_key=ApiKey(row=key) if key else None,
        )

    @strawberry.field(description="Partners: operators see all, others their own.")
    async def partners(
        self, info: Info,
        first: Annotated[int | None, strawberry.argument(
            description="Page size (at most 100).")] = None,
        after: Annotated[str | None, strawberry.argument(
            description="Cursor of the last partner you have.")] = None,
    ) -> PartnerConnection:
        ctx = info.context
        page = await keyset_page(
            visible_partners(ctx.require_viewer()), ID_ONLY, descending=False,
            limits=ctx.limits, first=first, after=after,
        )
        return PartnerConnection(
            edges=[PartnerEdge(cursor=c, node=Partner(row=r))
                   for r, c in zip(page.rows, page.cursors, strict=True)],
            page_info=page.page_info(),
        )


@strawberry.type(description="Change the registry. Every result is a union of a success "
                 "payload and typed errors.")
class Mutation(WorkerMutations, AccessMutations, PartnerMutations, WebhookMutations):
    pass


class PortalSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        # Unexpected errors are logged once, with the request id, by MaskUnexpectedErrors;
        # expected ones (bad arguments, invalid documents) are the client's business.
        return None


def tracing_extensions() -> list[Any]:
    """OpenTelemetry spans per operation and resolver when the OpenTelemetry packages are
    installed (pip install opentelemetry-api opentelemetry-sdk and an exporter); off
    otherwise, at no cost."""
    try:
        from strawberry.extensions.tracing import OpenTelemetryExtension
    except ImportError:
        return []
    return [OpenTelemetryExtension]


def build_schema() -> strawberry.Schema:
    for field in Mutation.__strawberry_definition__.fields:
        if not any(isinstance(e, AuditedMutation) for e in field.extensions):
            field.extensions.append(AuditedMutation())
    return PortalSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[Worker, Partner, WorkerEvent, Contribution, ApiKey, Account, Session, AuditEntry,
               WebhookEndpoint, WebhookDelivery],
        extensions=[TrustedDocuments, RequestLimits, MaskUnexpectedErrors, RevealAudit,
                    *tracing_extensions()],
        config=StrawberryConfig(default_resolver=resolve_basic_field),
        execution_context_class=PortalExecutionContext,
    )


schema = build_schema()
