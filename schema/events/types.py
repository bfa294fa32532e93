"""WorkerEvent: one entry of the durable event log, as integrators see it."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON

from models import events as m
from schema import ids
from schema.context import Info
from schema.enums import WorkerEventType
from schema.node import Node

if TYPE_CHECKING:
    from schema.workers.types import Worker
from schema.pagination import SortKey, decode_cursor, encode_cursor_values

# Events are ordered by id alone; the id is monotonic in commit order (models.event_log).
EVENT_ORDER = SortKey("ev", None, "int")


# Cached: a live event goes to many subscribers, and a cursor or global id is the same
# string for all of them (JSON + base64 per subscriber was 9% of the fan-out's CPU).
@lru_cache(maxsize=4096)
def event_cursor(event_id: int) -> str:
    return encode_cursor_values(EVENT_ORDER, None, event_id)


@lru_cache(maxsize=4096)
def global_id(type_name: str, pk: int) -> str:
    return ids.encode(type_name, pk)


def parse_event_cursor(cursor: str, field: str = "after") -> int:
    """The event id a cursor points at; a clear error for anything else."""
    return decode_cursor(EVENT_ORDER, cursor, field)[1]


@strawberry.type(description="One change to a worker, from the durable event log.")
class WorkerEvent(Node):
    row: strawberry.Private[m.WorkerEvent]

    @strawberry.field(description="Global, opaque id.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(global_id("WorkerEvent", self.row.id))

    @strawberry.field(
        description="Opaque position in the log, ordered in COMMIT order; pass it as `after` "
        "to resume with no gap and no duplicate."
    )
    def cursor(self) -> str:
        return event_cursor(self.row.id)

    @strawberry.field(description="What happened.")
    def type(self) -> WorkerEventType:
        return self.row.type

    @strawberry.field(
        description="The worker; null when you can no longer see it (transferred out)."
    )
    async def worker(
        self, info: Info
    ) -> Annotated[Worker, strawberry.lazy("schema.workers.types")] | None:
        from schema.workers.types import Worker  # noqa: F811 (runtime import: cycle)

        row = await info.context.loaders.worker.load(self.row.worker_id)
        return Worker(row=row) if row else None

    @strawberry.field(description="The worker's global id (the same as Worker.id).")
    def worker_id(self) -> strawberry.ID:
        return strawberry.ID(global_id("Worker", self.row.worker_id))

    @strawberry.field(description="When it happened (UTC).")
    def occurred_at(self) -> datetime:
        return self.row.occurred_at

    @strawberry.field(description="Who did it: account email or API key name.")
    def actor(self) -> str:
        return self.row.actor

    @strawberry.field(description="The reason given, for status changes.")
    def reason(self) -> str | None:
        return self.row.reason

    @strawberry.field(
        description="Field -> {from, to}. Identifiers appear masked, never in full."
    )
    def changes(self) -> JSON | None:
        return self.row.changes
