"""Pooled PostgreSQL connections come back clean without asyncpg's per-release session
reset (models.db): a transaction left open is rolled back, and the work the product does
— registering workers, whose events take the commit-order advisory lock — leaves no lock
or LISTEN behind on any pooled connection."""

from __future__ import annotations

import asyncio

import pytest
from tortoise.connection import get_connection
from tortoise.transactions import in_transaction

from models.worker_changes import register_worker
from models.workers import Worker
from tests import factories as f

pytestmark = pytest.mark.postgres_only
PG_POOL = 4


async def _session_state() -> list[tuple[int, int, int]]:
    """(advisory locks, listening channels, open transactions) for each pooled connection."""
    await get_connection("default").execute_query("SELECT 1")  # the pool opens lazily
    pool = get_connection("default")._pool  # type: ignore[attr-defined]
    connections = [await pool.acquire() for _ in range(pool.get_max_size())]
    try:
        return [(await c.fetchval("SELECT count(*) FROM pg_locks WHERE locktype = "
                                  "'advisory' AND pid = pg_backend_pid()"),
                 await c.fetchval("SELECT count(*) FROM pg_listening_channels()"),
                 int(c.is_in_transaction()))
                for c in connections]
    finally:
        for c in connections:
            await pool.release(c)


async def test_the_pool_skips_the_session_reset_round_trip(pg_db):
    await get_connection("default").execute_query("SELECT 1")
    pool = get_connection("default")._pool  # type: ignore[attr-defined]
    assert pool._reset is not None  # asyncpg's default would run RESET ALL etc. per release


async def test_concurrent_registrations_leave_no_advisory_lock_on_pooled_connections(pg_db):
    p = await f.partner()
    await asyncio.gather(*(register_worker(f.viewer(p), f.worker_input()) for _ in range(8)))
    assert await Worker.filter(partner_id=p.id).count() == 8
    assert await _session_state() == [(0, 0, 0)] * 4


async def test_a_transaction_left_open_is_rolled_back_before_its_connection_is_reused(pg_db):
    p = await f.partner()
    with pytest.raises(RuntimeError):
        async with in_transaction():
            await register_worker(f.viewer(p), f.worker_input())
            raise RuntimeError("abandon")
    pool = get_connection("default")._pool  # type: ignore[attr-defined]
    connection = await pool.acquire()
    await connection.execute("BEGIN")
    await connection.execute("SELECT pg_advisory_xact_lock(42)")
    await pool.release(connection)  # still inside the transaction
    assert await Worker.filter(partner_id=p.id).count() == 0
    assert await _session_state() == [(0, 0, 0)] * 4
