"""Two imports of the same workers at the same moment (PostgreSQL, real concurrency): the
database's unique NIK decides, one import writes them, the other reports every row as
already registered — never a crash, never a worker twice."""

from __future__ import annotations

import asyncio

import pytest

from models import bulk_import
from models.events import WorkerEvent
from models.workers import Worker
from tests import factories as f

pytestmark = pytest.mark.postgres_only
PG_POOL = 6


@pytest.mark.parametrize("mode", list(bulk_import.ImportMode))
async def test_concurrent_imports_of_the_same_workers_write_each_once(pg_db, mode):
    p = await f.partner()
    rows = [f.worker_input() for _ in range(300)]
    first, second = await asyncio.gather(
        bulk_import.import_workers(f.viewer(p), rows, mode=mode),
        bulk_import.import_workers(f.viewer(p), rows, mode=mode))
    assert sorted([first.created, second.created]) == [0, 300]
    loser = first if first.created == 0 else second
    assert all(r.problems and r.problems[0].rule == "duplicate" for r in loser.rows)
    assert await Worker.filter(partner_id=p.id).count() == 300
    assert await WorkerEvent.filter(partner_id=p.id).count() == 300
