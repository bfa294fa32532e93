"""Per-partner worker counts, kept up to date in the same transaction as every change.

``workerStats`` over the largest partner (~108,000 workers at the 2018 scale) would
otherwise count rows on every dashboard load. Each row here counts the workers of one
partner sharing one combination of the dimensions the dashboard groups and filters by, so
a dashboard sums a few hundred rows instead. ``tests/test_stats_counters.py`` proves the
counters always equal a recount.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import NamedTuple

from tortoise import fields
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model

DIMENSIONS = ("phase", "placement_status", "status", "destination_country", "job_sector")


class PartnerWorkerCount(Model):
    id = fields.BigIntField(primary_key=True)
    partner_id = fields.IntField()
    phase = fields.CharField(max_length=6)
    placement_status = fields.CharField(max_length=16)
    status = fields.CharField(max_length=10)
    destination_country = fields.CharField(max_length=2)
    job_sector = fields.CharField(max_length=16)
    n = fields.BigIntField(default=0)

    class Meta:
        table = "partner_worker_count"
        unique_together = (("partner_id", *DIMENSIONS),)


class Combo(NamedTuple):
    partner_id: int
    phase: str
    placement_status: str
    status: str
    destination_country: str
    job_sector: str


def combo_of(worker: object) -> Combo:
    def text(v: object) -> str:
        return str(getattr(v, "value", v))

    return Combo(
        int(worker.partner_id),  # type: ignore[attr-defined]
        *(text(getattr(worker, d)) for d in DIMENSIONS),
    )


def _placeholders(conn: BaseDBAsyncClient, n: int) -> str:
    if conn.capabilities.dialect == "postgres":
        return ", ".join(f"${i}" for i in range(1, n + 1))
    return ", ".join("?" * n)


async def apply(conn: BaseDBAsyncClient, deltas: Counter[Combo]) -> None:
    """Add the deltas inside the caller's transaction (upsert per combination)."""
    columns = ("partner_id", *DIMENSIONS, "n")
    sql = (
        f'INSERT INTO "partner_worker_count" ({", ".join(columns)}) '
        f"VALUES ({_placeholders(conn, len(columns))}) "
        f'ON CONFLICT (partner_id, {", ".join(DIMENSIONS)}) '
        'DO UPDATE SET n = "partner_worker_count".n + excluded.n'
    )
    rows = [[*combo, delta] for combo, delta in sorted(deltas.items()) if delta]
    if rows:
        await conn.execute_many(sql, rows)


def moved(before: Combo | None, after: Combo | None) -> Counter[Combo]:
    deltas: Counter[Combo] = Counter()
    if before is not None:
        deltas[before] -= 1
    if after is not None:
        deltas[after] += 1
    return deltas


async def record_change(
    conn: BaseDBAsyncClient, before: Combo | None, after: Combo | None
) -> None:
    if before != after:
        await apply(conn, moved(before, after))


async def recount(conn: BaseDBAsyncClient, partner_ids: Iterable[int] | None = None) -> None:
    """Rebuild the counters from the worker table (after bulk loads, or to repair)."""
    where = ""
    params: list[object] = []
    if partner_ids is not None:
        ids = list(partner_ids)
        if not ids:
            return
        where = f" WHERE partner_id IN ({_placeholders(conn, len(ids))})"
        params = ids
    await conn.execute_query(f'DELETE FROM "partner_worker_count"{where}', params)
    dims = ", ".join(DIMENSIONS)
    await conn.execute_query(
        f'INSERT INTO "partner_worker_count" (partner_id, {dims}, n) '
        f'SELECT partner_id, {dims}, COUNT(*) FROM "worker"{where} GROUP BY partner_id, {dims}',
        params,
    )
