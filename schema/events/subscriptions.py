"""Subscriptions and the event-log query integrators use to catch up."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Annotated

import strawberry
from graphql import GraphQLError

from models import audit
from models.authorization import require_scope
from models.enums import Scope
from models.enums import WorkerEventType as EventType
from models.errors import NotAllowed
from models.events import WorkerEvent as EventRow
from models.tenancy import visible_events
from schema import ids
from schema.context import Info
from schema.enums import WorkerEventType
from schema.errors import ForbiddenQuery
from schema.events.types import (
    EVENT_ORDER,
    WorkerEvent,
    event_cursor,
    global_id,
    parse_event_cursor,
)
from schema.loaders import Loaders
from schema.pagination import keyset_page
from schema.workers.types import Worker, WorkerEventConnection, WorkerEventEdge

STATUS_TYPES = (EventType.PLACEMENT_STATUS_CHANGED, EventType.MEMBERSHIP_STATUS_CHANGED)


@strawberry.type(description="A status changed from one value to another.")
class StatusChange:
    from_: str | None = strawberry.field(name="from", description="The value before.")
    to: str = strawberry.field(description="The value after.")


@strawberry.type(description="A placement or membership status change of one worker.")
class WorkerStatusChange:
    row: strawberry.Private[EventRow]

    @strawberry.field(description="Pass as `after` to Query.events or workerEvents to resume.")
    def cursor(self) -> str:
        return event_cursor(self.row.id)

    @strawberry.field(description="The worker; null when you can no longer see it.")
    async def worker(self, info: Info) -> Worker | None:
        row = await info.context.loaders.worker.load(self.row.worker_id)
        return Worker(row=row) if row else None

    @strawberry.field(description="The worker's global id.")
    def worker_id(self) -> strawberry.ID:
        return strawberry.ID(global_id("Worker", self.row.worker_id))

    @strawberry.field(description="Placement status change; null when it did not change.")
    def placement_status(self) -> StatusChange | None:
        return _change(self.row, "placementStatus")

    @strawberry.field(description="Membership status change; null when it did not change.")
    def membership_status(self) -> StatusChange | None:
        return _change(self.row, "status")

    @strawberry.field(description="When it happened (UTC).")
    def occurred_at(self) -> datetime:
        return self.row.occurred_at

    @strawberry.field(description="The reason given.")
    def reason(self) -> str | None:
        return self.row.reason


def _change(row: EventRow, key: str) -> StatusChange | None:
    change = (row.changes or {}).get(key)
    if not isinstance(change, dict) or "to" not in change:
        return None
    return StatusChange(from_=change.get("from"), to=str(change["to"]))


async def _stream(
    info: Info, after: str | None, types: list[EventType] | None, worker_id: str | None
) -> AsyncGenerator[EventRow, None]:
    ctx = info.context
    viewer = ctx.require_viewer()
    try:
        require_scope(viewer, Scope.SUBSCRIBE)
    except NotAllowed as exc:
        raise ForbiddenQuery(exc) from None
    if ctx.events is None:
        raise GraphQLError("Subscriptions are not available on this transport.",
                           extensions={"code": "UNSUPPORTED"})
    resume = after if after is not None else ctx.resume_after
    after_id = parse_event_cursor(resume, "after") if resume is not None else None
    worker_pk: int | None = None
    if worker_id is not None:
        # An id the viewer cannot see simply yields nothing: no existence oracle.
        worker_pk = ids.decode_as("Worker", worker_id) or 0
    async for row in ctx.events.stream(viewer, after=after_id, types=types,
                                       worker_id=worker_pk, alive=ctx.alive):
        ctx.loaders = Loaders(viewer)  # a long-lived stream must not serve stale rows
        ctx.last_event_cursor = event_cursor(row.id)
        ctx.last_event_id = row.id
        yield row
        if ctx.revealed_workers:
            # A shared execution (portal.fanout) revealed them to every member it reached.
            audience = ctx.reveal_audience() if ctx.reveal_audience else (viewer,)
            for receiver in audience:
                await audit.record_reveal(receiver, ctx.revealed_workers, "subscription")
            ctx.revealed_workers.clear()


@strawberry.type
class EventQueries:
    @strawberry.field(
        description="Your partner's event log in commit order, to catch up before "
        "subscribing: pass the last cursor you hold as `after`."
    )
    async def events(
        self, info: Info,
        first: Annotated[int | None, strawberry.argument(
            description="Page size (at most 100).")] = None,
        after: Annotated[str | None, strawberry.argument(
            description="The cursor of the last event you processed.")] = None,
        types: Annotated[list[WorkerEventType] | None, strawberry.argument(
            description="Only these event types.")] = None,
    ) -> WorkerEventConnection:
        ctx = info.context
        qs = visible_events(ctx.require_viewer())
        if types:
            qs = qs.filter(type__in=list(types))
        if after is not None:
            parse_event_cursor(after)  # a clear error for anything that is not a cursor
        page = await keyset_page(qs, EVENT_ORDER, descending=False, limits=ctx.limits,
                                 first=first, after=after)
        return WorkerEventConnection(
            edges=[WorkerEventEdge(cursor=c, node=WorkerEvent(row=r))
                   for r, c in zip(page.rows, page.cursors, strict=True)],
            page_info=page.page_info(),
        )


@strawberry.type(description="Live streams of changes to your workers, in commit order.")
class Subscription:
    @strawberry.subscription(
        description="Every change to your workers in commit order. Without `after`: live "
        "from now. With `after` (a cursor from an event or from Query.events): every later "
        "event with no gap and no duplicate, then live. Over SSE, Last-Event-ID resumes too."
    )
    async def worker_events(
        self,
        info: Info,
        after: Annotated[str | None, strawberry.argument(
            description="Resume after this event cursor.")] = None,
        types: Annotated[list[WorkerEventType] | None, strawberry.argument(
            description="Only these event types.")] = None,
        worker_id: Annotated[strawberry.ID | None, strawberry.argument(
            description="Only this worker's events.")] = None,
    ) -> AsyncGenerator[WorkerEvent, None]:
        async for row in _stream(info, after, types, worker_id):
            yield WorkerEvent(row=row)

    @strawberry.subscription(
        description="Placement and membership status changes only (departures, returns, "
        "deaths, lapsed cover)."
    )
    async def worker_status_changed(
        self,
        info: Info,
        worker_id: Annotated[strawberry.ID | None, strawberry.argument(
            description="Only this worker's changes.")] = None,
        after: Annotated[str | None, strawberry.argument(
            description="Resume after this event cursor.")] = None,
    ) -> AsyncGenerator[WorkerStatusChange, None]:
        async for row in _stream(info, after, list(STATUS_TYPES), worker_id):
            yield WorkerStatusChange(row=row)

