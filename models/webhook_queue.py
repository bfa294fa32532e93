"""The webhook dispatcher's reads and writes: enqueue, claim, finish, release.

Enqueue turns an endpoint's new events into deliveries and advances its cursor in one
transaction, reading the log through models.tenancy as a viewer of the endpoint's partner.
Event ids are monotonic in commit order (models.event_log), so "every event after the
cursor up to the head read at the start" can never skip a late commit; a crash before the
commit leaves cursor and deliveries as they were, and the next pass redoes the work.

Claiming takes due deliveries under a lease. A delivery is due only when no earlier
undelivered delivery of the same endpoint and worker exists: events of one worker go out
in order, different workers in parallel. Only the head of each such queue carries a
``due_at`` (models.webhook_schedule), so the claim walks an index and stops at the first
rows it can take instead of judging the whole backlog. On PostgreSQL the claim is one
UPDATE over a
``SELECT … FOR UPDATE SKIP LOCKED``, so several processes share the queue without taking
the same row; SQLite has a single dispatcher (portal.webhooks takes a file lock).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.connection import get_connection
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from models import audit
from models.clock import now
from models.enums import PartnerKind
from models.event_log import is_postgres
from models.events import WorkerEvent
from models.partners import Partner
from models.tenancy import visible_events
from models.webhook_endpoints import endpoint_viewer, matching_events
from models.webhook_schedule import (
    lock_endpoint_shared,
    park,
    promote_next,
    push_back,
    schedule_heads,
)
from models.webhooks import (
    UNDELIVERED,
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)

ENQUEUE_BATCH = 500
# Deliveries queued since the last refresh of the planner's statistics (PostgreSQL).
ANALYZE_AFTER = 5000
SYSTEM_ACTOR = "system:webhooks"
LAST_SUCCESS_RESOLUTION = timedelta(seconds=1)
DISABLED = "webhook_endpoint_disabled"


async def log_head() -> int:
    row = await WorkerEvent.all().order_by("-id").first().values_list("id", flat=True)
    return int(row or 0)


# --- enqueue -----------------------------------------------------------------------------


async def enqueue_endpoint(endpoint_id: int, head: int, batch: int = ENQUEUE_BATCH) -> int:
    """Queue one batch of the endpoint's events after its cursor (up to ``head``);
    returns how many deliveries were queued. The endpoint row is locked for the
    transaction: another process enqueuing it waits, then finds the cursor moved; a
    finishing delivery of this endpoint waits too (see models.webhook_schedule)."""
    async with in_transaction() as conn:
        endpoint = await (WebhookEndpoint.filter(id=endpoint_id, active=True)
                          .select_for_update().using_db(conn).first())
        if endpoint is None or endpoint.cursor >= head:
            return 0
        kind = await Partner.filter(id=endpoint.partner_id).using_db(conn) \
            .first().values_list("kind", flat=True)
        events = await (matching_events(endpoint, PartnerKind(kind))
                        .filter(id__gt=endpoint.cursor, id__lte=head)
                        .order_by("id").limit(batch).using_db(conn)
                        .values_list("id", "worker_id"))
        # A short batch means everything up to head was read (the rest did not match).
        new_cursor = events[-1][0] if len(events) == batch else head
        at = now()
        if events:
            # A worker whose queue already holds an undelivered event waits behind it;
            # otherwise its first new event is the head and is scheduled now.
            busy = set(await WebhookDelivery.filter(
                endpoint_id=endpoint.id, status__in=list(UNDELIVERED),
                worker_id__in=sorted({w for _, w in events})
            ).using_db(conn).distinct().values_list("worker_id", flat=True))
            rows = []
            for event_id, worker_id in events:
                rows.append(WebhookDelivery(
                    endpoint_id=endpoint.id, partner_id=endpoint.partner_id,
                    event_id=event_id, worker_id=worker_id, status=DeliveryStatus.PENDING,
                    next_attempt_at=at, due_at=None if worker_id in busy else at,
                    created_at=at))
                busy.add(worker_id)
            await WebhookDelivery.bulk_create(rows, ignore_conflicts=True, using_db=conn)
        await WebhookEndpoint.filter(id=endpoint.id).using_db(conn).update(cursor=new_cursor)
    return len(events)


async def enqueue_all(batch: int = ENQUEUE_BATCH) -> int:
    """Bring every active endpoint up to the log head; returns deliveries queued."""
    head = await log_head()
    behind = await WebhookEndpoint.filter(active=True, cursor__lt=head) \
        .order_by("id").values_list("id", flat=True)
    queued = 0
    for endpoint_id in behind:
        while True:
            n = await enqueue_endpoint(endpoint_id, head, batch)
            queued += n
            if n < batch:
                break
    return queued


async def refresh_statistics() -> None:
    """After a burst of deliveries was queued (an import), refresh PostgreSQL's statistics:
    while they still describe a small table the planner picks a per-endpoint scan of the
    whole backlog for the claim (100 ms instead of 1 ms per claim at 100,000 queued,
    measured), and autovacuum would fix that only a minute or more later."""
    conn = get_connection("default")
    if is_postgres(conn):
        await conn.execute_script("ANALYZE webhook_delivery")


async def reschedule_all() -> int:
    """Schedule every unscheduled queue head of the active endpoints (run when a dispatcher
    starts: whatever state a crash or an older version left, every queue moves again)."""
    scheduled = 0
    for endpoint_id in await WebhookEndpoint.filter(active=True).values_list("id", flat=True):
        async with in_transaction() as conn:
            # Lock order: the endpoint first (models.webhook_schedule).
            locked = await WebhookEndpoint.filter(id=endpoint_id, active=True) \
                .select_for_update().using_db(conn).first()
            if locked is not None:
                scheduled += await schedule_heads(conn, endpoint_id, now())
    return scheduled


# --- claim -------------------------------------------------------------------------------


def _claim_sql(postgres: bool) -> str:
    # Parameters: 1 instance, 2 lease end, 3 now, 4 half-open threshold, 5 limit.
    p = (lambda n: f"${n}") if postgres else (lambda n: f"?{n}")
    lock = "FOR UPDATE OF d SKIP LOCKED" if postgres else ""
    undelivered = ", ".join(f"'{s.value}'" for s in UNDELIVERED)
    return f"""
UPDATE webhook_delivery SET locked_by = {p(1)}, locked_until = {p(2)}
WHERE id IN (
  SELECT d.id FROM webhook_delivery d
  JOIN webhook_endpoint e ON e.id = d.endpoint_id
  WHERE d.status IN ({undelivered})
    AND d.due_at <= {p(3)}
    AND (d.locked_until IS NULL OR d.locked_until < {p(3)})
    AND e.active
    AND (e.circuit_open_until IS NULL OR e.circuit_open_until <= {p(3)})
    AND NOT EXISTS (
      SELECT 1 FROM webhook_delivery b
      WHERE b.endpoint_id = d.endpoint_id AND b.worker_id = d.worker_id
        AND b.event_id < d.event_id AND b.status IN ({undelivered}))
    AND NOT (e.consecutive_failures >= {p(4)} AND EXISTS (
      SELECT 1 FROM webhook_delivery l
      WHERE l.endpoint_id = d.endpoint_id AND l.locked_until >= {p(3)}))
  ORDER BY d.due_at, d.id
  LIMIT {p(5)}
  {lock}
)
RETURNING id"""


async def claim(instance: str, limit: int, lease: timedelta, half_open_after: int) -> list[int]:
    """Lease up to ``limit`` due deliveries to ``instance``; their ids, oldest due first.

    An endpoint whose circuit just closed again (``consecutive_failures`` still at the
    threshold) is half-open: it gets no delivery while one of its deliveries is in flight.
    """
    if limit <= 0:
        return []
    conn = get_connection("default")
    at = now()
    # execute_query_dict: Tortoise's execute_query drops RETURNING rows of an UPDATE on
    # asyncpg (it runs UPDATE with execute(), which returns only the status).
    rows = await conn.execute_query_dict(
        _claim_sql(is_postgres(conn)), [instance, at + lease, at, half_open_after, limit])
    return sorted(int(r["id"]) for r in rows)


@dataclass(slots=True)
class Claimed:
    delivery: WebhookDelivery
    endpoint: WebhookEndpoint
    partner: Partner
    event: WorkerEvent | None  # None: the endpoint may no longer see it


async def load_claimed(ids: Sequence[int]) -> list[Claimed]:
    """The claimed deliveries with endpoint, partner and event; the events are read
    through the tenancy choke point as the endpoint's partner."""
    rows = list(await WebhookDelivery.filter(id__in=list(ids))
                .select_related("endpoint__partner").order_by("id"))
    by_endpoint: dict[int, list[WebhookDelivery]] = {}
    for row in rows:
        by_endpoint.setdefault(row.endpoint_id, []).append(row)
    events: dict[int, WorkerEvent] = {}
    for endpoint_id, group in by_endpoint.items():
        endpoint = group[0].endpoint
        viewer = endpoint_viewer(endpoint.partner_id, endpoint.partner.kind, endpoint_id)
        found = await visible_events(viewer).filter(id__in=[d.event_id for d in group])
        events.update({e.id: e for e in found})
    return [Claimed(r, r.endpoint, r.endpoint.partner, events.get(r.event_id)) for r in rows]


async def release(instance: str, ids: Sequence[int] | None = None) -> int:
    """Give leases back unchanged (shutdown, half-open extras): retried without counting."""
    qs = WebhookDelivery.filter(locked_by=instance)
    if ids is not None:
        qs = qs.filter(id__in=list(ids))
    return await qs.update(locked_by=None, locked_until=None)


# --- finish ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BreakerPolicy:
    """After ``threshold`` failures in a row the endpoint pauses for ``cooldown`` seconds,
    doubling with each opening up to ``cooldown_max``; after ``disable_after`` it is
    switched off."""

    threshold: int = 5
    cooldown: float = 30.0
    cooldown_max: float = 1800.0
    disable_after: int = 100

    def cooldown_for(self, openings: int) -> timedelta:
        seconds = min(self.cooldown_max, self.cooldown * 2 ** max(0, min(openings, 30) - 1))
        return timedelta(seconds=seconds)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one attempt gave, and what the dispatcher decided to do next."""

    attempted_at: datetime
    status_code: int | None
    latency_ms: int | None
    error: str | None
    succeeded: bool
    retry_at: datetime | None  # None with succeeded False: dead letter


@dataclass(frozen=True, slots=True)
class EndpointHealth:
    consecutive_failures: int = 0
    circuit_opened_until: datetime | None = None
    disabled: bool = False  # switched off by this very failure
    active: bool = True


async def finish(instance: str, claimed: Claimed, outcome: Outcome,
                 breaker: BreakerPolicy) -> EndpointHealth | None:
    """Record the attempt, move the delivery on, and update the endpoint's health, in one
    transaction. None when the lease was lost (the endpoint was deleted, or the lease ran
    out and another dispatcher took the delivery): nothing is written then."""
    status, next_at = DeliveryStatus.FAILED, None
    if outcome.succeeded:
        status = DeliveryStatus.SUCCEEDED
    elif outcome.retry_at is not None:
        status, next_at = DeliveryStatus.RETRYING, outcome.retry_at
    try:
        return await _finish(instance, claimed, outcome, breaker, status, next_at)
    except _LeaseLost:
        return None


class _LeaseLost(Exception):
    """Raised inside the transaction so that everything it wrote is rolled back."""


async def _finish(instance: str, claimed: Claimed, outcome: Outcome, breaker: BreakerPolicy,
                  status: DeliveryStatus, next_at: datetime | None) -> EndpointHealth:
    delivery = claimed.delivery
    at = outcome.attempted_at
    async with in_transaction() as conn:
        # The endpoint row first (lock order, models.webhook_schedule).
        state = await lock_endpoint_shared(conn, delivery.endpoint_id)
        if state is None:
            raise _LeaseLost  # the endpoint was deleted meanwhile
        if outcome.succeeded:
            # Written only when something changes: an UPDATE per success would make every
            # delivery of an endpoint wait for the one before it to commit.
            if (state.consecutive_failures or state.circuit_opens
                    or state.circuit_open_until is not None or state.last_success_at is None
                    or state.last_success_at < at - LAST_SUCCESS_RESOLUTION):
                await WebhookEndpoint.filter(id=delivery.endpoint_id).using_db(conn).update(
                    consecutive_failures=0, circuit_opens=0, circuit_open_until=None,
                    last_success_at=at)
            health = EndpointHealth(active=state.active)
        else:
            health = await _failed(conn, claimed, outcome, breaker)
        # A retry stays the head of its queue: due again at its retry time, after the
        # circuit's pause if one just began, or not at all while the endpoint is off.
        due = next_at
        if due is not None and not health.active:
            due = None
        elif due is not None and health.circuit_opened_until is not None:
            due = max(due, health.circuit_opened_until)
        updated = await WebhookDelivery.filter(id=delivery.id, locked_by=instance) \
            .using_db(conn).update(
                status=status, attempts=F("attempts") + 1,
                next_attempt_at=next_at or outcome.attempted_at, due_at=due,
                locked_by=None, locked_until=None,
                last_status_code=outcome.status_code, last_latency_ms=outcome.latency_ms,
                last_error=outcome.error,
                delivered_at=outcome.attempted_at if outcome.succeeded else None)
        if not updated:
            raise _LeaseLost  # the endpoint was deleted, or another dispatcher took over
        await WebhookAttempt.create(
            delivery_id=delivery.id, attempted_at=outcome.attempted_at,
            status_code=outcome.status_code, latency_ms=outcome.latency_ms,
            error=outcome.error, using_db=conn)
        if status != DeliveryStatus.RETRYING and health.active:
            await promote_next(conn, delivery.endpoint_id, delivery.worker_id, at)
        return health


async def _failed(conn: BaseDBAsyncClient, claimed: Claimed, outcome: Outcome,
                  breaker: BreakerPolicy) -> EndpointHealth:
    endpoint_id = claimed.endpoint.id
    at = outcome.attempted_at
    await WebhookEndpoint.filter(id=endpoint_id).using_db(conn).update(
        consecutive_failures=F("consecutive_failures") + 1)
    row = await WebhookEndpoint.filter(id=endpoint_id).using_db(conn) \
        .first().values_list("consecutive_failures", "circuit_opens", "active")
    if row is None:
        return EndpointHealth()
    failures, openings, active = int(row[0]), int(row[1]), bool(row[2])
    if not active:
        return EndpointHealth(failures, None, False, active=False)
    if failures >= breaker.disable_after:
        reason = (f"Disabled automatically after {failures} consecutive failed deliveries; "
                  f"the last: {outcome.error or 'unknown error'}")[:300]
        switched = await WebhookEndpoint.filter(id=endpoint_id, active=True).using_db(conn) \
            .update(active=False, disabled_at=at, disabled_reason=reason)
        if switched:
            await park(conn, endpoint_id, at)
            await audit.record(
                DISABLED, actor=SYSTEM_ACTOR, outcome="disabled",
                target_type="WebhookEndpoint", target_ids=[endpoint_id],
                subject_partner_id=claimed.endpoint.partner_id,
                detail={"consecutiveFailures": failures, "lastError": outcome.error or ""},
                conn=conn)
        return EndpointHealth(failures, None, bool(switched), active=False)
    if failures >= breaker.threshold:
        until = at + breaker.cooldown_for(openings + 1)
        # Only the first failure to find the circuit closed opens it: concurrent failures
        # of the same endpoint must not double the cool-down several times over.
        opened = await WebhookEndpoint.filter(
            Q(id=endpoint_id) & (Q(circuit_open_until__isnull=True)
                                 | Q(circuit_open_until__lte=at))
        ).using_db(conn).update(circuit_open_until=until, circuit_opens=F("circuit_opens") + 1)
        if opened:
            await push_back(conn, endpoint_id, until, at)
        return EndpointHealth(failures, until if opened else None, False)
    return EndpointHealth(failures, None, False)
