"""CPU per GraphQL execution of W1/W2/W3, in process: no HTTP, no load generator.

The API benchmark (api_load.py) measures requests per second on a shared, noisy machine;
this measures the process CPU time (``time.process_time``) of executing the same
documents through the schema against the same data set, which is steady from run to run
and so the figure to compare before and after a change. With ``--profile`` it prints
cProfile's top functions by own time.

    .venv/bin/python bench/execute_cpu.py --backend postgres        # after api_load.py
    .venv/bin/python bench/execute_cpu.py --backend postgres --workload W1 --profile
    .venv/bin/python bench/execute_cpu.py --backend postgres --workload W5 [--profile]

W5 (importWorkers of 10,000 rows) writes, so it runs against a scratch database with a
small demo (2,000 workers), created and dropped by this script; it reports wall time and
rows per second beside the CPU time, since the database's own work is part of an import.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import api_load  # noqa: E402
import common as c  # noqa: E402


async def _run(args: argparse.Namespace) -> dict[str, Any]:
    os.environ.update(c.server_env(args.database_url))
    from models import identifiers
    from models.api_keys import viewer_for_secret
    from models.db import close_database, open_database
    from portal import settings as portal_settings
    from schema.context import Context
    from schema.loaders import Loaders
    from schema.root import schema

    identifiers.configure(portal_settings.load().vault())
    await open_database(args.database_url)
    try:
        keys = c.keys_of(args.keys_file)
        viewer = await viewer_for_secret(keys["officer"])
        assert viewer is not None
        ids = json.loads(args.ids_file.read_text())["ids"][::100] if args.ids_file.exists() else []
        documents = {
            "W1": (api_load.W1, lambda i: {}),
            "W2": (api_load.W2, lambda i: {"id": api_load.worker_gid(ids[i % len(ids)])}),
            "W3": (api_load.W3, lambda i: {}),
        }
        results: dict[str, Any] = {}
        for name in [w for w in args.workload if w != "W5"]:
            query, variables = documents[name]

            async def once(i: int, query: str = query, variables: Any = variables) -> None:
                context = Context(viewer=viewer, loaders=Loaders(viewer))
                result = await schema.execute(query, variable_values=variables(i),
                                              context_value=context)
                assert not result.errors, result.errors

            for i in range(args.warmup):
                await once(i)
            if args.sql:
                import logging

                logger = logging.getLogger("tortoise.db_client")
                handler = logging.StreamHandler(sys.stdout)
                logger.addHandler(handler)
                logger.setLevel(logging.DEBUG)
                await once(0)
                logger.removeHandler(handler)
                logger.setLevel(logging.WARNING)
            samples = []
            profiler = cProfile.Profile() if args.profile else None
            for i in range(args.iterations):
                start = time.process_time()
                if profiler:
                    profiler.enable()
                await once(i)
                if profiler:
                    profiler.disable()
                samples.append((time.process_time() - start) * 1000)
            results[name] = {"cpu_ms_median": statistics.median(samples),
                             "cpu_ms_mean": statistics.fmean(samples)}
            print(f"{name}: CPU per execution median {statistics.median(samples):.2f} ms, "
                  f"mean {statistics.fmean(samples):.2f} ms ({args.iterations} runs)")
            if profiler:
                pstats.Stats(profiler).sort_stats("tottime").print_stats(args.top)
        return results
    finally:
        await close_database()


async def _import(args: argparse.Namespace, database_url: str, keys_file: Path) -> None:
    os.environ.update(c.server_env(database_url))
    from models import identifiers
    from models.api_keys import viewer_for_secret
    from models.db import close_database, open_database
    from portal import settings as portal_settings
    from schema.context import Context
    from schema.loaders import Loaders
    from schema.root import schema

    identifiers.configure(portal_settings.load().vault())
    await open_database(database_url)
    try:
        viewer = await viewer_for_secret(c.keys_of(keys_file)["officer"])
        inputs = c.WorkerInputs(seed=5)
        for run in range(args.w5_runs):
            rows = inputs.batch(args.w5_rows)
            context = Context(viewer=viewer, loaders=Loaders(viewer))
            profiler = cProfile.Profile() if args.profile and run == args.w5_runs - 1 else None
            cpu, wall = time.process_time(), time.perf_counter()
            if profiler:
                profiler.enable()
            result = await schema.execute(api_load.W5, variable_values={"rows": rows},
                                          context_value=context)
            if profiler:
                profiler.disable()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            assert not result.errors and result.data, result.errors
            assert result.data["importWorkers"]["created"] == len(rows), result.data
            print(f"W5: {len(rows):,} rows in {wall:.2f} s ({len(rows) / wall:,.0f} rows/s), "
                  f"CPU in this process {cpu:.2f} s")
            if profiler:
                pstats.Stats(profiler).sort_stats("tottime").print_stats(args.top)
    finally:
        await close_database()


def run_import(args: argparse.Namespace) -> None:
    data = Path(os.environ.get("BENCH_DATA_DIR", "/tmp/bench_api"))
    keys_file = data / f"keys_w5_{args.backend}.json"
    log = data / f"demo_w5_{args.backend}.log"
    if args.backend == "postgres":
        c.pg_drop("bench_w5")
        c.pg_admin("CREATE DATABASE bench_w5")
        database_url = c.pg_url("bench_w5")
    else:
        path = data / "w5.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        database_url = f"sqlite://{path}"
    try:
        c.load_demo(database_url, 2000, keys_file, log)
        asyncio.run(_import(args, database_url, keys_file))
    finally:
        if args.backend == "postgres":
            c.pg_drop("bench_w5")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--workload", nargs="+", default=["W1", "W2", "W3"])
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sql", action="store_true", help="print the SQL of one execution")
    parser.add_argument("--w5-rows", type=int, default=10_000)
    parser.add_argument("--w5-runs", type=int, default=2)
    args = parser.parse_args()
    data = Path(os.environ.get("BENCH_DATA_DIR", "/tmp/bench_api"))
    args.database_url = (c.pg_url("bench_api") if args.backend == "postgres"
                         else f"sqlite://{data / 'api.sqlite3'}")
    args.keys_file = data / f"keys_{args.backend}.json"
    args.ids_file = data / f"walk_{args.backend}.json"
    if any(w != "W5" for w in args.workload):
        asyncio.run(_run(args))
    if "W5" in args.workload:
        run_import(args)


if __name__ == "__main__":
    main()
