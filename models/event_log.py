"""The one place where worker events are written (architecture invariant 2).

Events are inserted inside the caller's transaction, after everything else the
transaction writes. On PostgreSQL the inserts are preceded by a transaction-level
advisory lock, held until commit: event ids are then assigned and made visible in one
order, so "every event with id > cursor" can never miss a row that commits late (the
Hasura #8632 failure). The cost is that event-producing transactions commit one at a
time; at this domain's write rates that is cheap (see bench/RESULTS.md). SQLite has one
writer at a time, so its ids already commit in order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from models import bulk_write
from models.enums import WorkerEventType
from models.events import WorkerEvent

# An arbitrary constant naming the lock; only this module takes it.
EVENT_COMMIT_LOCK = 0x50504556  # "PPEV"
CHANNEL = "portal_events"


@dataclass(slots=True)
class NewEvent:
    partner_id: int
    worker_id: int
    type: WorkerEventType
    occurred_at: datetime
    actor: str
    reason: str | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    request_id: str | None = None


def is_postgres(conn: BaseDBAsyncClient) -> bool:
    return conn.capabilities.dialect == "postgres"


async def lock_event_order(conn: BaseDBAsyncClient) -> None:
    if is_postgres(conn):
        await conn.execute_query("SELECT pg_advisory_xact_lock($1)", [EVENT_COMMIT_LOCK])


def _row(e: NewEvent) -> WorkerEvent:
    return WorkerEvent(
        partner_id=e.partner_id,
        worker_id=e.worker_id,
        type=e.type,
        occurred_at=e.occurred_at,
        actor=e.actor,
        reason=e.reason,
        changes=e.changes,
        request_id=e.request_id,
    )


async def _announce(conn: BaseDBAsyncClient) -> None:
    # PostgreSQL delivers NOTIFY at commit, in commit order, and drops it on rollback: every
    # process's feed then reads the log. The payload is empty on purpose — a notification
    # only says "look again", the log is the truth.
    if is_postgres(conn):
        await conn.execute_query("SELECT pg_notify($1, '')", [CHANNEL])


async def append_one(conn: BaseDBAsyncClient, event: NewEvent) -> WorkerEvent:
    """Write one event as the last step of the caller's transaction."""
    await lock_event_order(conn)
    row = _row(event)
    await row.save(using_db=conn)
    await _announce(conn)
    return row


async def append_many(conn: BaseDBAsyncClient, events: Sequence[NewEvent]) -> None:
    """Write a batch of events (imports, the sweep) as the last step of the transaction."""
    if not events:
        return
    await lock_event_order(conn)
    await bulk_write.insert_rows(conn, WorkerEvent, [{
        "partner_id": e.partner_id, "worker_id": e.worker_id, "type": e.type,
        "occurred_at": e.occurred_at, "actor": e.actor, "reason": e.reason,
        "changes": e.changes, "request_id": e.request_id} for e in events])
    await _announce(conn)


# In-process wake-ups: the event feed of this process registers here, and operations call
# committed() after their transaction, so a subscriber on the same process hears of a change
# at once instead of at the next poll. Other processes learn through NOTIFY (PostgreSQL) or
# by polling the log's head (SQLite).
_commit_listeners: list[Callable[[], None]] = []


def add_commit_listener(listener: Callable[[], None]) -> None:
    _commit_listeners.append(listener)


def remove_commit_listener(listener: Callable[[], None]) -> None:
    if listener in _commit_listeners:
        _commit_listeners.remove(listener)


def committed() -> None:
    for listener in list(_commit_listeners):
        listener()
