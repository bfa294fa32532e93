"""Webhook endpoints, deliveries and attempts, as partner admins see them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.dataloader import DataLoader

from models import webhook_endpoints as ops
from models import webhooks as m
from models.access import Viewer
from models.events import WorkerEvent as EventRow
from models.tenancy import visible_events
from schema import ids
from schema.context import Info
from schema.enums import WorkerEventType
from schema.events.types import WorkerEvent
from schema.node import Node
from schema.pagination import Edge, PageInfo

_STATUS_DESCRIPTIONS = {
    "PENDING": "Waiting for its first attempt, or queued again by redeliverWebhook.",
    "RETRYING": "Failed at least once; another attempt is scheduled (nextAttemptAt).",
    "SUCCEEDED": "The receiver answered with a 2xx status.",
    "FAILED": "Given up (a 4xx other than 408/429, or every attempt failed): the "
    "dead-letter queue. redeliverWebhook sends it again.",
}
WebhookDeliveryStatus = strawberry.enum(
    m.DeliveryStatus, name="WebhookDeliveryStatus",
    description="Where a webhook delivery stands.",
)
for _value in WebhookDeliveryStatus.__strawberry_definition__.values:
    _value.description = _STATUS_DESCRIPTIONS[_value.name]

MAX_ATTEMPTS_SHOWN = 100


class WebhookLoaders:
    """Batched reads for a page of deliveries: one query per relation, not one per row.
    Each read is restricted to the viewer's partner (events through models.tenancy)."""

    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer
        self.endpoint = DataLoader(self._endpoints)
        self.event = DataLoader(self._events)
        self.attempts = DataLoader(self._attempts)

    async def _endpoints(self, keys: Sequence[int]) -> list[m.WebhookEndpoint | None]:
        rows = {e.id: e for e in await m.WebhookEndpoint.filter(
            id__in=list(keys), partner_id=self.viewer.partner_id)}
        return [rows.get(k) for k in keys]

    async def _events(self, keys: Sequence[int]) -> list[EventRow | None]:
        rows = {e.id: e for e in await visible_events(self.viewer).filter(id__in=list(keys))}
        return [rows.get(k) for k in keys]

    async def _attempts(self, keys: Sequence[int]) -> list[list[m.WebhookAttempt]]:
        grouped: dict[int, list[m.WebhookAttempt]] = defaultdict(list)
        rows = await m.WebhookAttempt.filter(
            delivery_id__in=list(keys), delivery__partner_id=self.viewer.partner_id
        ).order_by("-id")
        for row in rows:
            grouped[row.delivery_id].append(row)
        return [grouped.get(k, []) for k in keys]


@strawberry.type(description="Only the events that match every condition are sent.")
class WebhookFilter:
    worker_id: strawberry.ID | None = strawberry.field(
        description="Only this worker's events.")


@strawberry.type(
    description="A URL of your partner that receives your workers' events as signed HTTP "
    "POSTs. Its signing secret is shown only when it is created or rotated."
)
class WebhookEndpoint(Node):
    row: strawberry.Private[m.WebhookEndpoint]

    @strawberry.field(description="Global, opaque id.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(ids.encode("WebhookEndpoint", self.row.id))

    @strawberry.field(description="Where deliveries are POSTed.")
    def url(self) -> str:
        return self.row.url

    @strawberry.field(description="Your note about the endpoint.")
    def description(self) -> str:
        return self.row.description

    @strawberry.field(description="Event types sent; empty means every type.")
    def event_types(self) -> list[WorkerEventType]:
        return [WorkerEventType(t) for t in self.row.event_types]

    @strawberry.field(description="Further conditions on the events sent; null: none.")
    def filter(self) -> WebhookFilter | None:
        if self.row.filter_worker_id is None:
            return None
        return WebhookFilter(worker_id=strawberry.ID(
            ids.encode("Worker", self.row.filter_worker_id)))

    @strawberry.field(
        description="False when switched off, by you or automatically after a long run of "
        "failures (see disabledReason). Events keep being recorded; switching it on again "
        "delivers what was missed.")
    def active(self) -> bool:
        return self.row.active

    @strawberry.field(description="When it was switched off; null while active.")
    def disabled_at(self) -> datetime | None:
        return self.row.disabled_at

    @strawberry.field(description="Why it was switched off; null while active.")
    def disabled_reason(self) -> str | None:
        return self.row.disabled_reason

    @strawberry.field(description="Failed attempts in a row since the last success.")
    def consecutive_failures(self) -> int:
        return self.row.consecutive_failures

    @strawberry.field(
        description="While set and in the future, the circuit breaker has paused deliveries "
        "to this endpoint after repeated failures; they resume after it.")
    def circuit_open_until(self) -> datetime | None:
        return self.row.circuit_open_until

    @strawberry.field(description="When a delivery last succeeded.")
    def last_delivery_at(self) -> datetime | None:
        return self.row.last_success_at

    @strawberry.field(
        description="How many events this endpoint is behind the log: matching events not "
        "yet delivered (queued or not).")
    async def lag(self, info: Info) -> int:
        viewer = info.context.require_viewer()
        return await ops.lag(self.row, viewer.partner_kind)

    @strawberry.field(
        description="Until when deliveries also carry a signature by the secret replaced "
        "by the last rotation; null when there is none.")
    def previous_secret_valid_until(self) -> datetime | None:
        return self.row.previous_secret_until

    @strawberry.field(description="Creation time.")
    def created_at(self) -> datetime:
        return self.row.created_at

    @strawberry.field(description="Who registered it.")
    def created_by(self) -> str:
        return self.row.created_by


@strawberry.type(description="One HTTP attempt of a delivery.")
class WebhookAttempt:
    row: strawberry.Private[m.WebhookAttempt]

    @strawberry.field(description="When the request was sent.")
    def attempted_at(self) -> datetime:
        return self.row.attempted_at

    @strawberry.field(description="The HTTP status answered; null when none came (timeout, "
                      "connection refused).")
    def status_code(self) -> int | None:
        return self.row.status_code

    @strawberry.field(description="How long the attempt took, in milliseconds.")
    def latency_ms(self) -> int | None:
        return self.row.latency_ms

    @strawberry.field(description="What went wrong, in short; null on success. Response "
                      "bodies are never stored.")
    def error(self) -> str | None:
        return self.row.error


@strawberry.type(description="One event sent (or to be sent) to one endpoint.")
class WebhookDelivery(Node):
    row: strawberry.Private[m.WebhookDelivery]
    loaders: strawberry.Private[WebhookLoaders]

    @strawberry.field(description="Global, opaque id; sent as the X-Portal-Delivery-Id header.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(ids.encode("WebhookDelivery", self.row.id))

    @strawberry.field(description="The endpoint it goes to.")
    async def endpoint(self) -> WebhookEndpoint | None:
        row = await self.loaders.endpoint.load(self.row.endpoint_id)
        return WebhookEndpoint(row=row) if row else None

    @strawberry.field(
        description="The event's global id; sent as the X-Portal-Event-Id header and as `id` "
        "in the body, the same on every attempt (deduplicate on it).")
    def event_id(self) -> strawberry.ID:
        return strawberry.ID(ids.encode("WorkerEvent", self.row.event_id))

    @strawberry.field(description="The event; null when you can no longer see it.")
    async def event(self) -> WorkerEvent | None:
        row = await self.loaders.event.load(self.row.event_id)
        return WorkerEvent(row=row) if row else None

    @strawberry.field(description="The worker's global id.")
    def worker_id(self) -> strawberry.ID:
        return strawberry.ID(ids.encode("Worker", self.row.worker_id))

    @strawberry.field(description="Where it stands.")
    def status(self) -> WebhookDeliveryStatus:
        return self.row.status

    @strawberry.field(description="Attempts since it was last queued (redelivery restarts "
                      "the count).")
    def attempt_count(self) -> int:
        return self.row.attempts

    @strawberry.field(description="When the next attempt is due; null once it succeeded or "
                      "was given up, while it waits behind an earlier event of the same "
                      "worker, and while its endpoint is switched off.")
    def next_attempt_at(self) -> datetime | None:
        return self.row.due_at if self.row.status in m.UNDELIVERED else None

    @strawberry.field(description="HTTP status of the last attempt.")
    def last_status_code(self) -> int | None:
        return self.row.last_status_code

    @strawberry.field(description="Duration of the last attempt, in milliseconds.")
    def last_latency_ms(self) -> int | None:
        return self.row.last_latency_ms

    @strawberry.field(description="What went wrong on the last attempt, in short.")
    def last_error(self) -> str | None:
        return self.row.last_error

    @strawberry.field(description="When the receiver accepted it.")
    def delivered_at(self) -> datetime | None:
        return self.row.delivered_at

    @strawberry.field(description="When the event was queued for this endpoint.")
    def created_at(self) -> datetime:
        return self.row.created_at

    @strawberry.field(description="Every attempt, newest first (at most `last`).")
    async def attempts(
        self,
        last: Annotated[int, strawberry.argument(
            description=f"How many of the latest attempts, 0 to {MAX_ATTEMPTS_SHOWN}.")] = 20,
    ) -> list[WebhookAttempt]:
        rows = await self.loaders.attempts.load(self.row.id)
        size = max(0, min(last, MAX_ATTEMPTS_SHOWN))
        return [WebhookAttempt(row=r) for r in rows[:size]]


WebhookDeliveryEdge = Edge[WebhookDelivery]


@strawberry.type(description="A page of webhook deliveries, newest first.")
class WebhookDeliveryConnection:
    edges: list[WebhookDeliveryEdge] = strawberry.field(description="The rows of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page sits.")
