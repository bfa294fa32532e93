"""Request counters shared by every process (PostgreSQL) for per-key and per-address limits."""

from __future__ import annotations

from tortoise import fields
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model


class RateWindow(Model):
    id = fields.BigIntField(primary_key=True)
    bucket = fields.CharField(max_length=100)
    window_start = fields.BigIntField()
    n = fields.BigIntField(default=0)

    class Meta:
        table = "rate_window"
        unique_together = (("bucket", "window_start"),)
        indexes = (("window_start",),)


async def add_counts(conn: BaseDBAsyncClient, window_start: int,
                     deltas: dict[str, int]) -> dict[str, int]:
    """Add this process's counts and read back the totals of all processes."""
    totals: dict[str, int] = {}
    postgres = conn.capabilities.dialect == "postgres"
    mark = "$1, $2, $3" if postgres else "?, ?, ?"
    sql = (f'INSERT INTO "rate_window" ("bucket", "window_start", "n") VALUES ({mark}) '
           'ON CONFLICT ("bucket", "window_start") DO UPDATE SET "n" = "rate_window"."n" + '
           'excluded."n" RETURNING "n"')
    for bucket, delta in sorted(deltas.items()):
        rows = await conn.execute_query_dict(sql, [bucket, window_start, delta])
        totals[bucket] = int(rows[0]["n"])
    return totals


async def forget_before(conn: BaseDBAsyncClient, window_start: int) -> None:
    mark = "$1" if conn.capabilities.dialect == "postgres" else "?"
    await conn.execute_query(f'DELETE FROM "rate_window" WHERE "window_start" < {mark}',
                             [window_start])
