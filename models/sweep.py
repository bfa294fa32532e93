"""The expiry sweep: ACTIVE memberships whose cover window has ended become EXPIRED.

It runs periodically inside the server (portal.tasks) and as ``portal sweep``. "Ended"
is judged on the calendar in Asia/Jakarta: a window whose last day was yesterday there
has ended today. Each expiry bumps the worker's version, moves the dashboard counters and
writes one MEMBERSHIP_STATUS_CHANGED event by ``system:sweep``, all in the batch's
transaction.

Safe on several processes at once: on PostgreSQL a batch takes its rows with
``SELECT … FOR UPDATE SKIP LOCKED``, so two sweeps never take the same worker, and a row
that another transaction changed meanwhile is re-checked against the condition once its
lock is granted. SQLite has one writer at a time. Running it twice is harmless: the
second run finds nothing left to expire.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from models import event_log, stats
from models.clock import now, today_jakarta
from models.enums import MembershipStatus, WorkerEventType
from models.tenancy import system_workers
from models.workers import Worker

ACTOR = "system:sweep"
BATCH_SIZE = 500


@dataclass(frozen=True, slots=True)
class SweepResult:
    expired: int
    batches: int


async def expire_lapsed(*, today: date | None = None, batch_size: int = BATCH_SIZE) -> SweepResult:
    """Expire every lapsed membership, one batch (one transaction) at a time."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    day = today or today_jakarta()
    expired = batches = 0
    while True:
        n = await _expire_batch(day, batch_size)
        expired += n
        batches += 1 if n else 0
        # A short batch means nothing more is due, or the rest is locked by a concurrent
        # sweep that will expire it.
        if n < batch_size:
            return SweepResult(expired, batches)


async def _expire_batch(day: date, batch_size: int) -> int:
    async with in_transaction() as conn:
        due = (
            system_workers()
            .using_db(conn)
            .filter(status=MembershipStatus.ACTIVE, covered_until__lt=day)
            .order_by("id")
            .limit(batch_size)
        )
        if event_log.is_postgres(conn):
            due = due.select_for_update(skip_locked=True)
        rows: list[Worker] = list(await due)
        if not rows:
            return 0
        at = now()
        await (
            system_workers()
            .filter(id__in=[w.id for w in rows])
            .using_db(conn)
            .update(status=MembershipStatus.EXPIRED, version=F("version") + 1, updated_at=at)
        )
        deltas: Counter[stats.Combo] = Counter()
        events = []
        for worker in rows:
            before = stats.combo_of(worker)
            worker.status = MembershipStatus.EXPIRED
            deltas.update(stats.moved(before, stats.combo_of(worker)))
            events.append(event_log.NewEvent(
                partner_id=worker.partner_id,
                worker_id=worker.id,
                type=WorkerEventType.MEMBERSHIP_STATUS_CHANGED,
                occurred_at=at,
                actor=ACTOR,
                reason=f"Cover window ended on {worker.covered_until.isoformat()}"
                if worker.covered_until else "Cover window ended",
                changes={"status": {"from": MembershipStatus.ACTIVE.value,
                                    "to": MembershipStatus.EXPIRED.value}},
            ))
        await stats.apply(conn, deltas)
        await event_log.append_many(conn, events)
        return len(rows)
