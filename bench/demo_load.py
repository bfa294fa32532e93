"""Benchmark: load the demo data set into a fresh database and report the speed.

    python bench/demo_load.py --backend sqlite --workers 398326
    python bench/demo_load.py --backend postgres --workers 398326

SQLite: a file in a temporary directory. PostgreSQL: a database ``bench_demo_<random>``
created on the server of BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test)
and dropped afterwards. Prints workers/s, wall time, peak RSS, CPU time per process (the
PostgreSQL backend's read from /proc when the server runs on this machine) and row counts,
and checks the BEFORE/DURING split.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import common as c  # noqa: E402
from tortoise.connection import get_connection  # noqa: E402

from models import identifiers  # noqa: E402
from models.db import close_database, open_database  # noqa: E402
from portal.demo import before_count, load_demo  # noqa: E402
from portal.migrations import migrate  # noqa: E402
from portal.settings import Settings  # noqa: E402

SECRET = "bench-secret-key-that-is-long-enough-for-production-0123"  # noqa: S105



def _server_cpu(pid: int | None) -> float:
    """CPU seconds of the PostgreSQL backend serving us, when the server runs here."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _peak_rss_mib() -> tuple[float, float]:
    # ru_maxrss is in KiB on Linux; for children, that of the largest (a generator process).
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return own / 1024, children / 1024


async def _run(url: str, workers: int, seed: int, profile: bool, helpers: int | None
               ) -> dict[str, Any]:
    identifiers.configure(Settings(database_url=url, secret_key=SECRET).vault())
    await open_database(url)
    try:
        await migrate(url)
        profiler = cProfile.Profile() if profile else None
        backend_pid = None
        if url.startswith("postgres"):
            _, rows = await get_connection("default").execute_query(
                "SELECT pg_backend_pid() AS pid")
            backend_pid = int(rows[0]["pid"])
        server_before = _server_cpu(backend_pid)
        cpu_before = resource.getrusage(resource.RUSAGE_SELF)
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        await load_demo(workers=workers, seed=seed, progress=True, helpers=helpers)
        if profiler:
            profiler.disable()
        wall = time.perf_counter() - started
        cpu_after = resource.getrusage(resource.RUSAGE_SELF)
        cpu = {
            "this process": (cpu_after.ru_utime + cpu_after.ru_stime)
            - (cpu_before.ru_utime + cpu_before.ru_stime),
            "generator processes": sum(
                getattr(resource.getrusage(resource.RUSAGE_CHILDREN), f) for f in
                ("ru_utime", "ru_stime")),
            "PostgreSQL backend": _server_cpu(backend_pid) - server_before,
        }
        conn = get_connection("default")
        counts: dict[str, int] = {}
        for table in ("partner", "api_key", "worker", "contribution", "coverage", "worker_event"):
            _, rows = await conn.execute_query(f'SELECT COUNT(*) AS n FROM "{table}"')
            counts[table] = int(rows[0]["n"])
        _, rows = await conn.execute_query(
            'SELECT phase, COUNT(*) AS n FROM "worker" GROUP BY phase ORDER BY phase'
        )
        phases = {r["phase"]: int(r["n"]) for r in rows}
        if profiler:
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(30)
        return {"wall": wall, "counts": counts, "phases": phases, "cpu": cpu}
    finally:
        await close_database()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--workers", type=int, default=398_326)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--helpers", type=int, default=None,
                        help="generator processes (default: one per core from 30,000 workers)")
    parser.add_argument("--profile", action="store_true",
                        help="cProfile this process (with --helpers 0 that includes generation)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench_demo_") as tmp:
        name = ""
        if args.backend == "sqlite":
            url = f"sqlite://{Path(tmp) / 'demo.sqlite3'}"
        else:
            name = f"bench_demo_{uuid.uuid4().hex[:10]}"
            c.pg_admin(f'CREATE DATABASE "{name}"')
            url = c.pg_url(name)
        try:
            result = asyncio.run(_run(url, args.workers, args.seed, args.profile, args.helpers))
            size = ""
            if args.backend == "sqlite":
                files = list(Path(tmp).glob("demo.sqlite3*"))
                size = f", database files {sum(f.stat().st_size for f in files) / 2**20:,.0f} MiB"
        finally:
            if name:
                c.pg_drop(name)

    own, child = _peak_rss_mib()
    wall = result["wall"]
    print(f"backend:     {args.backend}")
    print(f"workers:     {args.workers:,} (seed {args.seed})")
    print(f"wall time:   {wall:.1f} s (load_demo, after migration)")
    print(f"throughput:  {args.workers / wall:,.0f} workers/s")
    print(f"peak RSS:    {own:,.0f} MiB (this process), {child:,.0f} MiB (largest generator "
          "process)")
    n = max(args.workers, 1)
    print("CPU:         " + ", ".join(
        f"{name} {seconds:.1f} s ({seconds / n * 1e6:.0f} µs/worker)"
        for name, seconds in result["cpu"].items() if seconds))
    print("rows:        " + ", ".join(f"{t} {c:,}" for t, c in result["counts"].items()) + size)
    expected_before = before_count(args.workers)
    phases = result["phases"]
    print(f"phases:      BEFORE {phases.get('BEFORE', 0):,} (expected {expected_before:,}), "
          f"DURING {phases.get('DURING', 0):,} "
          f"(expected {args.workers - expected_before:,})")
    if phases.get("BEFORE", 0) != expected_before or phases.get("DURING", 0) != (
        args.workers - expected_before
    ):
        raise SystemExit("phase split is wrong")


if __name__ == "__main__":
    main()
