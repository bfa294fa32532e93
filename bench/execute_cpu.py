"""CPU per GraphQL execution of W1/W2/W3, in process: no HTTP, no load generator.

The API benchmark (api_load.py) measures requests per second on a shared, noisy machine;
this measures the process CPU time (``time.process_time``) of executing the same
documents through the schema against the same data set, which is steady from run to run
and so the figure to compare before and after a change. With ``--profile`` it prints
cProfile's top functions by own time.

    .venv/bin/python bench/execute_cpu.py --backend postgres        # after api_load.py
    .venv/bin/python bench/execute_cpu.py --backend postgres --workload W1 --profile
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
        for name in args.workload:
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--workload", nargs="+", default=["W1", "W2", "W3"])
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sql", action="store_true", help="print the SQL of one execution")
    args = parser.parse_args()
    data = Path(os.environ.get("BENCH_DATA_DIR", "/tmp/bench_api"))
    args.database_url = (c.pg_url("bench_api") if args.backend == "postgres"
                         else f"sqlite://{data / 'api.sqlite3'}")
    args.keys_file = data / f"keys_{args.backend}.json"
    args.ids_file = data / f"walk_{args.backend}.json"
    asyncio.run(_run(args))


if __name__ == "__main__":
    main()
