"""A pg_dump backup restores into a working database (PostgreSQL only)."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import uuid

import pytest

from models.db import close_database, open_database
from models.events import WorkerEvent
from models.worker_changes import register_worker
from models.workers import Worker
from portal.migrations import migrate
from tests import factories as f
from tests import pg


@pytest.mark.postgres_only
async def test_dump_and_restore_keep_workers_events_and_identifiers(db, tmp_path):
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump/pg_restore not installed")
    p = await f.partner()
    data = [f.worker_input() for _ in range(3)]
    for item in data:
        await register_worker(f.viewer(p), item)
    dump = tmp_path / "portal.dump"
    done = await asyncio.to_thread(subprocess.run, ["pg_dump", "--format=custom",
                                                    f"--file={dump}", db.database_url],
                                   capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    raw = dump.read_bytes()
    # Identifiers are sealed at rest: the dump holds no plaintext NIK or passport number.
    assert all(item["nik"].encode() not in raw for item in data)
    assert all(item["passportNumber"].encode() not in raw for item in data)
    await close_database()
    restored = f"pp_restore_{uuid.uuid4().hex[:10]}"
    await pg.create_database_async(restored)
    try:
        url = pg.url(restored)
        done = await asyncio.to_thread(subprocess.run, ["pg_restore", "--no-owner",
                                                        f"--dbname={url}", str(dump)],
                                       capture_output=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        await open_database(url)
        assert await migrate(url) == 0
        niks = sorted(w.identifier("nik") for w in await Worker.all())
        assert niks == sorted(item["nik"] for item in data)
        assert await WorkerEvent.filter(type="REGISTERED").count() == 3
        await close_database()
    finally:
        await pg.drop_database_async(restored)
        await open_database(db.database_url)  # the db fixture closes it at teardown
