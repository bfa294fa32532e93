"""Which webhook deliveries carry a ``due_at``: only the head of each queue.

A queue is one endpoint and one worker; its head is its undelivered delivery with the
smallest event id. Only heads of active endpoints are scheduled (``due_at`` set, never
before the delivery's own ``next_attempt_at``); the deliveries waiting behind them,
finished ones, and those of a switched-off endpoint hold NULL. The claim then walks the
``(due_at, id)`` index and stops after the
first rows it can take, however long the backlog: without this, every claim evaluated the
ordering rule for every pending row (seen in bench/webhooks.py: 100,000 queued deliveries
made each claim cost 100 ms on SQLite). The claim still checks the rule itself, so a head
scheduled by mistake can never overtake an earlier event.

Lock order, to keep PostgreSQL free of deadlocks and lost wake-ups: a transaction that
changes an endpoint's queue locks the endpoint row first (enqueue: SELECT … FOR UPDATE;
finish: its UPDATE of the endpoint's health), then the deliveries. Enqueue and finish of
the same endpoint are therefore serialised, so a finishing head always sees the delivery
queued behind it and promotes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q

from models.event_log import is_postgres
from models.webhooks import UNDELIVERED, WebhookDelivery, WebhookEndpoint

_UNDELIVERED_SQL = ", ".join(f"'{s.value}'" for s in UNDELIVERED)


def _not_leased(at: datetime) -> Q:
    return Q(locked_until__isnull=True) | Q(locked_until__lt=at)


@dataclass(frozen=True, slots=True)
class EndpointState:
    active: bool
    consecutive_failures: int
    circuit_opens: int
    circuit_open_until: datetime | None
    last_success_at: datetime | None


async def lock_endpoint_shared(conn: BaseDBAsyncClient, endpoint_id: int
                               ) -> EndpointState | None:
    """Read the endpoint for a finishing delivery, locked against enqueue and switching
    (their FOR UPDATE) but not against other finishing deliveries: FOR KEY SHARE conflicts
    only with FOR UPDATE, not with the plain UPDATEs of an endpoint's health."""
    lock = " FOR KEY SHARE" if is_postgres(conn) else ""
    p = "$1" if is_postgres(conn) else "?"
    rows = await conn.execute_query_dict(
        "SELECT active, consecutive_failures, circuit_opens, circuit_open_until, "
        f"last_success_at FROM webhook_endpoint WHERE id = {p}{lock}", [endpoint_id])
    if not rows:
        return None
    row = rows[0]
    field = WebhookEndpoint._meta.fields_map
    return EndpointState(
        active=bool(row["active"]),
        consecutive_failures=int(row["consecutive_failures"]),
        circuit_opens=int(row["circuit_opens"]),
        circuit_open_until=field["circuit_open_until"].to_python_value(
            row["circuit_open_until"]),
        last_success_at=field["last_success_at"].to_python_value(row["last_success_at"]),
    )


async def promote_next(conn: BaseDBAsyncClient, endpoint_id: int, worker_id: int,
                       at: datetime) -> None:
    """After a head finished: schedule the next delivery of its queue (the caller checked
    that the endpoint is on; a switched-off one is scheduled when switched on again)."""
    p = (lambda n: f"${n}") if is_postgres(conn) else (lambda n: f"?{n}")
    await conn.execute_query_dict(f"""
UPDATE webhook_delivery
SET due_at = CASE WHEN next_attempt_at > {p(1)} THEN next_attempt_at ELSE {p(1)} END
WHERE due_at IS NULL AND id = (
  SELECT id FROM webhook_delivery
  WHERE endpoint_id = {p(2)} AND worker_id = {p(3)} AND status IN ({_UNDELIVERED_SQL})
  ORDER BY event_id LIMIT 1)
RETURNING id""", [at, endpoint_id, worker_id])


async def schedule_heads(conn: BaseDBAsyncClient, endpoint_id: int, at: datetime) -> int:
    """Schedule every unscheduled head of the endpoint (switching it on, dispatcher start);
    returns how many."""
    p = (lambda n: f"${n}") if is_postgres(conn) else (lambda n: f"?{n}")
    sql = f"""
UPDATE webhook_delivery
SET due_at = CASE WHEN next_attempt_at > {p(1)} THEN next_attempt_at ELSE {p(1)} END
WHERE endpoint_id = {p(2)} AND status IN ({_UNDELIVERED_SQL}) AND due_at IS NULL
  AND NOT EXISTS (
    SELECT 1 FROM webhook_delivery b
    WHERE b.endpoint_id = webhook_delivery.endpoint_id
      AND b.worker_id = webhook_delivery.worker_id
      AND b.status IN ({_UNDELIVERED_SQL}) AND b.event_id < webhook_delivery.event_id)
RETURNING id"""
    rows = await conn.execute_query_dict(sql, [at, endpoint_id])
    return len(rows)


async def park(conn: BaseDBAsyncClient, endpoint_id: int, at: datetime) -> None:
    """Unschedule a switched-off endpoint's queue (deliveries in flight finish first)."""
    await WebhookDelivery.filter(
        Q(endpoint_id=endpoint_id) & Q(status__in=list(UNDELIVERED))
        & Q(due_at__isnull=False) & _not_leased(at)
    ).using_db(conn).update(due_at=None)


async def push_back(conn: BaseDBAsyncClient, endpoint_id: int, until: datetime,
                    at: datetime) -> None:
    """The circuit opened: nothing of this endpoint is due before ``until``."""
    await WebhookDelivery.filter(
        Q(endpoint_id=endpoint_id) & Q(status__in=list(UNDELIVERED))
        & Q(due_at__lt=until) & _not_leased(at)
    ).using_db(conn).update(due_at=until)


async def requeue(conn: BaseDBAsyncClient, delivery: WebhookDelivery, at: datetime) -> None:
    """A redelivered (older) event becomes the head of its queue: later deliveries of the
    same worker that are scheduled but not in flight wait behind it again."""
    await WebhookDelivery.filter(
        Q(endpoint_id=delivery.endpoint_id) & Q(worker_id=delivery.worker_id)
        & Q(status__in=list(UNDELIVERED)) & Q(event_id__gt=delivery.event_id)
        & Q(due_at__isnull=False) & _not_leased(at)
    ).using_db(conn).update(due_at=None)
