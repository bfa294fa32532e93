"""Reading webhook endpoints, deliveries and the dead-letter queue (partner admins)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from tortoise.queryset import QuerySet

from models import webhook_endpoints as ops
from models import webhooks as m
from models.access import Viewer
from models.errors import NotAllowed
from schema import ids
from schema.context import Info
from schema.errors import ForbiddenQuery
from schema.node import Node
from schema.pagination import SortKey, keyset_page
from schema.webhooks.types import (
    WebhookDelivery,
    WebhookDeliveryConnection,
    WebhookDeliveryEdge,
    WebhookDeliveryStatus,
    WebhookEndpoint,
    WebhookLoaders,
)

DELIVERY_ORDER = SortKey("whd", None, "int")


def _admin(info: Info) -> Viewer:
    viewer = info.context.require_viewer()
    try:
        ops.require_webhook_admin(viewer)
    except NotAllowed as exc:
        raise ForbiddenQuery(exc) from None
    return viewer


async def _page(info: Info, viewer: Viewer, qs: QuerySet[m.WebhookDelivery],
                first: int | None, after: str | None) -> WebhookDeliveryConnection:
    page = await keyset_page(qs, DELIVERY_ORDER, descending=True, limits=info.context.limits,
                             first=first, after=after)
    loaders = WebhookLoaders(viewer)
    return WebhookDeliveryConnection(
        edges=[WebhookDeliveryEdge(cursor=c, node=WebhookDelivery(row=r, loaders=loaders))
               for r, c in zip(page.rows, page.cursors, strict=True)],
        page_info=page.page_info(),
    )


async def resolve_webhook_node(info: Info, type_name: str, pk: int) -> Node | None:
    """Query.node for webhook objects: your partner's only, and only for webhook admins
    (anyone else gets null, as for a missing id)."""
    viewer = info.context.require_viewer()
    try:
        if type_name == "WebhookEndpoint":
            endpoint = await ops.endpoints(viewer).get_or_none(id=pk)
            return WebhookEndpoint(row=endpoint) if endpoint else None
        if type_name == "WebhookDelivery":
            delivery = await ops.deliveries(viewer).get_or_none(id=pk)
            return (WebhookDelivery(row=delivery, loaders=WebhookLoaders(viewer))
                    if delivery else None)
    except NotAllowed:
        return None
    return None


@strawberry.type
class WebhookQueries:
    @strawberry.field(description="Your partner's webhook endpoints (partner admins with the "
                      "WEBHOOKS scope), oldest first.")
    async def webhook_endpoints(self, info: Info) -> list[WebhookEndpoint]:
        rows = await ops.endpoints(_admin(info)).order_by("id")
        return [WebhookEndpoint(row=r) for r in rows]

    @strawberry.field(description="Deliveries of your partner's endpoints, newest first.")
    async def webhook_deliveries(
        self, info: Info,
        endpoint_id: Annotated[strawberry.ID | None, strawberry.argument(
            description="Only this endpoint's deliveries.")] = None,
        status: Annotated[WebhookDeliveryStatus | None, strawberry.argument(
            description="Only deliveries in this state.")] = None,
        first: Annotated[int | None, strawberry.argument(
            description="Page size (at most the server's maximum).")] = None,
        after: Annotated[str | None, strawberry.argument(
            description="Cursor of the last edge of the previous page.")] = None,
    ) -> WebhookDeliveryConnection:
        viewer = _admin(info)
        endpoint_pk = None
        if endpoint_id is not None:
            # A malformed or foreign endpoint id matches nothing, like a missing one.
            endpoint_pk = ids.decode_as("WebhookEndpoint", endpoint_id) or 0
        qs = ops.deliveries(viewer, endpoint_id=endpoint_pk,
                            status=m.DeliveryStatus(status) if status else None)
        return await _page(info, viewer, qs, first, after)

    @strawberry.field(
        description="The dead-letter queue: deliveries given up on, newest first. "
        "redeliverWebhook sends one again.")
    async def webhook_dead_letters(
        self, info: Info,
        first: Annotated[int | None, strawberry.argument(
            description="Page size (at most the server's maximum).")] = None,
        after: Annotated[str | None, strawberry.argument(
            description="Cursor of the last edge of the previous page.")] = None,
    ) -> WebhookDeliveryConnection:
        viewer = _admin(info)
        return await _page(info, viewer, ops.dead_letters(viewer), first, after)
