"""The event cursor never skips an event committed out of id order (architecture inv. 2).

PostgreSQL only: SQLite has a single writer, so its ids commit in order by construction.
"""

from __future__ import annotations

import asyncio
import random

import pytest
from tortoise.transactions import in_transaction

from models import event_log
from models.clock import now
from models.enums import WorkerEventType
from models.events import WorkerEvent
from models.worker_changes import register_worker
from tests import factories as f

PG_POOL = 30


async def _worker():
    p = await f.partner()
    w = await register_worker(f.viewer(p), f.worker_input())
    return p, w


def _event(p, w, n):
    return event_log.NewEvent(partner_id=p.id, worker_id=w.id, type=WorkerEventType.UPDATED,
                              occurred_at=now(), actor="test", changes={"n": n})


async def _read_after(cursor: int) -> list[int]:
    return list(await WorkerEvent.filter(id__gt=cursor).order_by("id").values_list("id",
                                                                                 flat=True))


async def _scenario_t1_commits_after_t2() -> tuple[list[int], list[int]]:
    """T1 inserts first, T2 inserts and commits, a reader reads, then T1 commits."""
    p, w = await _worker()
    cursor = max(await _read_after(0))
    delivered: list[int] = []
    t1_inserted, t1_release = asyncio.Event(), asyncio.Event()

    async def t1() -> None:
        async with in_transaction() as conn:
            await event_log.append_one(conn, _event(p, w, 1))
            t1_inserted.set()
            await t1_release.wait()

    async def t2() -> None:
        async with in_transaction() as conn:
            await event_log.append_one(conn, _event(p, w, 2))

    first = asyncio.create_task(t1())
    await t1_inserted.wait()
    second = asyncio.create_task(t2())
    await asyncio.sleep(0.3)  # T2 commits now, unless it has to wait for T1
    for event_id in await _read_after(cursor):
        delivered.append(event_id)
        cursor = event_id
    t1_release.set()
    await asyncio.gather(first, second)
    delivered += await _read_after(cursor)
    everything = [i for i in await _read_after(0)][1:]  # minus the REGISTERED event
    return delivered, everything


@pytest.mark.postgres_only
async def test_reader_resuming_from_its_cursor_gets_both_events_once(pg_db):
    delivered, everything = await _scenario_t1_commits_after_t2()
    assert delivered == everything
    assert len(delivered) == 2


@pytest.mark.postgres_only
async def test_without_the_commit_order_lock_the_same_scenario_loses_an_event(
    pg_db, monkeypatch
):
    """The control: proves the test above would catch the Hasura #8632 failure."""

    async def no_lock(conn) -> None:
        return None

    monkeypatch.setattr(event_log, "lock_event_order", no_lock)
    delivered, everything = await _scenario_t1_commits_after_t2()
    assert len(everything) == 2
    assert delivered != everything  # T1's smaller id committed late and was skipped


@pytest.mark.postgres_only
async def test_concurrent_writers_and_a_resuming_reader_agree_with_the_log(pg_db):
    p, w = await _worker()
    start = max(await _read_after(0))
    rng = random.Random(8632)
    writers_done = asyncio.Event()

    async def writer(n: int) -> None:
        for i in range(8):
            async with in_transaction() as conn:
                await asyncio.sleep(rng.random() * 0.01)
                await event_log.append_one(conn, _event(p, w, n * 100 + i))
                await asyncio.sleep(rng.random() * 0.01)

    async def reader() -> list[int]:
        cursor, got = start, []
        while True:
            done = writers_done.is_set()
            batch = await _read_after(cursor)
            got += batch
            cursor = batch[-1] if batch else cursor
            if done and not batch:
                return got
            await asyncio.sleep(0.005)

    reading = asyncio.create_task(reader())
    await asyncio.gather(*(writer(n) for n in range(12)))
    writers_done.set()
    delivered = await reading
    in_table = [i for i in await _read_after(start)]
    assert len(delivered) == len(set(delivered)) == 96
    assert delivered == in_table
