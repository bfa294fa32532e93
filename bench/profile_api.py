"""Where the time of one API workload goes: py-spy samples ``portal serve`` under wrk load.

    python bench/profile_api.py --backend postgres --workload W1
    python bench/profile_api.py --backend sqlite --workload W2 --seconds 20

Uses the data set of bench/api_load.py (run that first, or pass --database-url and
--keys-file). Starts one ``portal serve``, warms it up, then records it with
``py-spy record --format raw`` (install: ``.venv/bin/pip install py-spy``) while wrk runs
the workload, and prints:

* the share of on-CPU samples by layer, attributing each sample to the innermost frame of
  a known layer (the standard library counts for whoever called it; json and asyncio
  count for themselves): SQL driver, Tortoise ORM, Strawberry, graphql-core (parse /
  validate / execute), our code (schema/, models/, portal/), HTTP/ASGI, event loop, JSON;
* the top functions by self time and by inclusive time;
* server CPU per request (and, on PostgreSQL, the database backends' CPU per request).

The raw stacks are kept in BENCH_DATA_DIR/profile_<backend>_<workload>.txt (flame graph:
``inferno-flamegraph`` or speedscope can read them).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import api_load  # noqa: E402
import common as c  # noqa: E402

LAYERS = (
    ("JSON encode/decode", ("json/",)),
    ("SQL driver (asyncpg / aiosqlite+sqlite3)", ("asyncpg/", "aiosqlite/", "sqlite3/")),
    ("Tortoise ORM (query building, model rows)", ("tortoise/", "pypika")),
    ("graphql-core parse", ("graphql/language/",)),
    ("graphql-core validate", ("graphql/validation/", "graphql/utilities/")),
    ("graphql-core execute", ("graphql/",)),
    ("Strawberry", ("strawberry/",)),
    ("our code: schema/ (resolvers, loaders, limits)", ("schema/",)),
    ("our code: models/ (tenancy, identifiers)", ("models/",)),
    ("our code: portal/ (auth, edge, view)", ("portal/",)),
    ("HTTP / ASGI (uvicorn, starlette)", ("uvicorn/", "starlette/", "httptools", "h11/",
                                         "cross_web/")),
    ("event loop (asyncio, uvloop)", ("asyncio/", "uvloop")),
)


# What the request was doing: the innermost frame matching one of these decides.
PHASES = (
    ("SQLite engine (aiosqlite worker thread)", ("_connection_worker_thread (aiosqlite/",)),
    ("DataLoader batches (schema/loaders.py: SQL + rows)", ("(schema/loaders.py",)),
    ("keyset page query (schema/pagination.py: SQL + rows)", ("keyset_page (schema/",)),
    ("auth: API key lookup (portal/auth.py)", ("(portal/auth.py",)),
    ("our extensions: limits, trusted docs, audit", ("(schema/limits.py", "(schema/trusted.py",
                                                    "(schema/audit_trail.py",
                                                    "(portal/trusted.py")),
    ("GraphQL parse", ("(graphql/language/parser.py",)),
    ("GraphQL validate", ("(graphql/validation/",)),
    ("response JSON encoding", ("(json/encoder.py", "encode_json (strawberry")),
    ("GraphQL execute (field resolution, Strawberry + graphql-core)",
     ("(graphql/execution/", "(strawberry/schema/")),
    ("HTTP / ASGI / middleware", ("(uvicorn/", "(starlette/", "(portal/edge.py",
                                  "(strawberry/http/", "(strawberry/asgi/")),
)


def phase_of(frames: list[str]) -> str:
    for f in reversed(frames):
        for name, needles in PHASES:
            if any(n in f for n in needles):
                return name
    return "event loop / other"


def layer_of(frame: str) -> str | None:
    # py-spy frames: "function (path/to/file.py:line)"
    where = frame.rsplit("(", 1)[-1]
    for name, prefixes in LAYERS:
        if any(where.startswith(p) or f"/{p}" in where for p in prefixes):
            return name
    return None


def summarize(raw: Path, requests: int, top: int = 25) -> dict[str, object]:
    layers: Counter[str] = Counter()
    phases: Counter[str] = Counter()
    self_time: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        n = int(count_text)
        frames = stack.split(";")
        total += n
        phases[phase_of(frames)] += n
        self_time[frames[-1]] += n
        for f in set(frames):
            inclusive[f] += n
        for f in reversed(frames):
            layer = layer_of(f)
            if layer is not None:
                layers[layer] += n
                break
        else:
            layers["other"] += n
    print(f"\n{total} on-CPU samples for {requests} requests")
    print("\nby phase of the request (innermost matching frame):")
    for name, n in phases.most_common():
        print(f"  {n / total:6.1%}  {name}")
    print("\nby layer (innermost known frame):")
    for name, n in layers.most_common():
        print(f"  {n / total:6.1%}  {name}")
    print(f"\ntop {top} functions by self time:")
    for f, n in self_time.most_common(top):
        print(f"  {n / total:6.1%}  {f}")
    print(f"\ntop {top * 2} functions by inclusive time (thread roots left out):")
    shown = 0
    for f, n in inclusive.most_common():
        if n / total > 0.97 or f.startswith(("<module>", "_bootstrap", "run (", "Thread")):
            continue
        print(f"  {n / total:6.1%}  {f}")
        shown += 1
        if shown >= top * 2:
            break
    return {"samples": total, "phases": {k: v / total for k, v in phases.most_common()},
            "layers": {k: v / total for k, v in layers.most_common()},
            "self": [(f, n / total) for f, n in self_time.most_common(top)]}


def main() -> None:
    parser = argparse.ArgumentParser(description="Profile one API workload (bench/README.md)")
    parser.add_argument("--backend", choices=("sqlite", "postgres"), required=True)
    parser.add_argument("--workload", choices=("W1", "W2", "W3"), default="W1")
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rate", type=int, default=200, help="py-spy samples per second")
    parser.add_argument("--data-dir", type=Path, default=c.DEFAULT_DATA_DIR)
    parser.add_argument("--database-url", help="default: the data set of api_load.py")
    parser.add_argument("--keys-file", type=Path)
    parser.add_argument("--pg-database", default="bench_api")
    args = parser.parse_args()

    c.print_machine(f"profile {args.workload} on {args.backend}")
    url = args.database_url or (f"sqlite://{args.data_dir / 'api.sqlite3'}"
                                if args.backend == "sqlite" else c.pg_url(args.pg_database))
    keys = c.keys_of(args.keys_file or args.data_dir / f"keys_{args.backend}.json")
    py_spy = c.BIN / "py-spy"
    if not py_spy.exists():
        raise SystemExit("py-spy is missing: .venv/bin/pip install py-spy")
    raw = args.data_dir / f"profile_{args.backend}_{args.workload}.txt"
    server = c.portal_server(url, log_path=args.data_dir / f"serve_{args.backend}.log")
    with server.start():
        officer = keys["officer"]
        gql = server.base + "/graphql"
        auth = {"Authorization": f"Bearer {officer}"}
        if args.workload == "W1":
            lines, expect = [c.gql_body(api_load.W1)], '"edges"'
        elif args.workload == "W3":
            lines, expect = [c.gql_body(api_load.W3)], '"byJobSector"'
        else:
            _, ids, _ = api_load.walk(server.base, officer, 10)
            lines = [c.gql_body(api_load.W2, {"id": api_load.worker_gid(i)}) for i in ids]
            expect = '"events"'
        c.wrk("warm-up", gql, lines, headers=auth, expect=expect, duration=3,
              connections=args.connections)
        cpu0, db0 = c.cpu_seconds(server.pid), c.pg_backends_cpu(url)
        result: list[c.WrkResult] = []
        load = threading.Thread(target=lambda: result.append(c.wrk(
            args.workload, gql, lines, headers=auth, expect=expect,
            duration=args.seconds + 2, connections=args.connections)))
        load.start()
        time.sleep(1)
        subprocess.run([str(py_spy), "record", "--pid", str(server.pid), "--format", "raw",
                        "--rate", str(args.rate), "--duration", str(args.seconds), "--function",
                        "--output", str(raw), "--nonblocking"],
                       check=True, capture_output=True, timeout=args.seconds + 60)
        load.join()
        r = result[0]
        cpu = (c.cpu_seconds(server.pid) - cpu0) * 1000 / max(r.requests, 1)
        db = (c.pg_backends_cpu(url) - db0) * 1000 / max(r.requests, 1)
    print(r.row())
    print(f"server CPU {cpu:.2f} ms/request" +
          (f", PostgreSQL backends CPU {db:.2f} ms/request" if args.backend == "postgres"
           else ""))
    # Requests during the sampled window (wrk ran 2 s longer than py-spy).
    summarize(raw, int(r.requests * args.seconds / (args.seconds + 2)))
    print(f"\nraw stacks: {raw}")


if __name__ == "__main__":
    main()
