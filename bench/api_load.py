"""Issue 4 API workloads against a real ``portal serve``, beside the floor (bench/floor.py).

    python bench/api_load.py --backend sqlite
    python bench/api_load.py --backend postgres
    python bench/api_load.py --backend postgres --drop     # drop the database afterwards

Data: ``portal demo --workers 398326`` into BENCH_DATA_DIR (default /tmp/bench_api):
``api.sqlite3``, or the PostgreSQL database ``bench_api`` on BENCH_POSTGRES_URL's server,
with the keys in ``keys_<backend>.json``. It is loaded once (a minute or two) and reused
by later runs; ``--reload`` loads it again.

Reads (W1 list page, W2 worker detail, W3 workerStats, W1 deep page) run against the
demo data with the KBRI Hong Kong officer key (~108,000 workers) and, for W3 on everyone,
the operator key. The floor runs in the same session, interleaved run by run, so each
ratio compares figures measured under the same machine load. Writes (W4 registerWorker,
W5 importWorkers of 10,000 rows) run on a scratch copy of the database, dropped
afterwards, so the read data set stays the same from run to run.

Each workload: a warm-up, then ``--repeats`` runs of ``--duration`` seconds with wrk
(1 thread, ``--connections`` connections); the medians are reported. One ``portal serve``
process with PORTAL_RATE_LIMIT_PER_KEY=0, PORTAL_RATE_LIMIT_PER_ADDRESS=0,
PORTAL_LOG_LEVEL=WARNING (and PORTAL_SWEEP_INTERVAL_SECONDS=0). Results are printed and
written to BENCH_DATA_DIR/results_<backend>.json.
"""

from __future__ import annotations

import argparse
import base64
import json
import shutil
import sqlite3
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common as c  # noqa: E402

W1 = """query W1($after: String) {
  workers(first: 50, after: $after) {
    edges { cursor node {
      id fullName destinationCountry jobSector placementStatus phase status coveredUntil
      registeredAt
      partner { id code name }
      coverages { program startsOn endsOn }
      latestContribution { id kind amount coversUntil }
    } }
    pageInfo { hasNextPage endCursor }
  }
}"""

W2 = """query W2($id: ID!) {
  node(id: $id) { ... on Worker {
    id fullName birthDate gender destinationCountry jobSector placementScheme
    placementStatus phase status contractStart contractEnd coveredUntil version
    registeredAt updatedAt
    partner { id code name }
    heirs { fullName relation phone }
    coverages { program startsOn endsOn }
    contributions(first: 10) {
      edges { cursor node { id kind amount months paidOn coversFrom coversUntil recordedAt } }
      pageInfo { hasNextPage endCursor }
    }
    events(first: 10) {
      edges { cursor node { id type occurredAt actor reason changes } }
      pageInfo { hasNextPage endCursor }
    }
  } }
}"""

W3 = """query W3 { workerStats {
  total
  byPhase { key count } byPlacementStatus { key count } byStatus { key count }
  byDestinationCountry { key count } byJobSector { key count }
} }"""

WALK = """query Walk($after: String) {
  workers(first: 100, after: $after) {
    edges { node { id } } pageInfo { hasNextPage endCursor }
  }
}"""

W4 = """mutation W4($input: RegisterWorkerInput!) {
  registerWorker(input: $input) {
    __typename
    ... on RegisterWorkerSuccess { worker { id version placementStatus } }
    ... on ValidationError { field rule message }
    ... on Error { message }
  }
}"""

W5 = """mutation W5($rows: [RegisterWorkerInput!]!) {
  importWorkers(rows: $rows, mode: ALL_OR_NOTHING) {
    __typename
    ... on ImportWorkersSuccess {
      created failed written
      rows { rowNumber worker { id } errors { field rule message } }
    }
    ... on ValidationError { field rule message }
    ... on Error { message }
  }
}"""

# 100 rows of 100 = the rows before page 2,001 of 50.
WALK_PAGES = 1000


def worker_gid(pk: int) -> str:
    return base64.urlsafe_b64encode(f"Worker:{pk}".encode()).decode().rstrip("=")


def decode_gid(gid: str) -> int:
    return int(base64.urlsafe_b64decode(gid + "=" * (-len(gid) % 4)).decode().split(":")[1])


def check(answer: dict[str, Any], what: str) -> dict[str, Any]:
    if answer.get("errors") or not answer.get("data"):
        raise SystemExit(f"{what} failed: {json.dumps(answer)[:500]}")
    return answer["data"]


def prepare(args: argparse.Namespace) -> tuple[str, Path, float | None]:
    """The demo data set for the backend: loaded once, reused afterwards."""
    data_dir: Path = args.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    keys_file = data_dir / f"keys_{args.backend}.json"
    log = data_dir / f"demo_{args.backend}.log"
    if args.backend == "sqlite":
        path = data_dir / "api.sqlite3"
        url = f"sqlite://{path}"
        exists = path.exists() and keys_file.exists()
        if args.reload or not exists:
            for p in data_dir.glob("api.sqlite3*"):
                p.unlink()
            keys_file.unlink(missing_ok=True)
    else:
        url = c.pg_url(args.pg_database)
        exists = c.pg_exists(args.pg_database) and keys_file.exists()
        if args.reload or not exists:
            c.pg_drop(args.pg_database)
            c.pg_admin(f'CREATE DATABASE "{args.pg_database}"')
            keys_file.unlink(missing_ok=True)
    loaded = None
    if args.reload or not exists:
        for kept in data_dir.glob(f"walk_{args.backend}*.json"):
            kept.unlink()  # walks of an earlier data set
        for copy in data_dir.glob("api_analyzed.sqlite3*") if args.backend == "sqlite" else ():
            copy.unlink()
        print(f"loading {args.workers:,} demo workers into {url} (once) ...", flush=True)
        loaded = c.load_demo(url, args.workers, keys_file, log)
        print(f"   loaded in {loaded:.1f}s", flush=True)
        if args.backend == "postgres":
            # Steady state, as autovacuum would leave it sooner or later: visibility map set
            # (index-only scans without heap fetches) and fresh statistics.
            started = time.perf_counter()
            c.pg_admin("VACUUM (ANALYZE)", database=args.pg_database)
            print(f"   VACUUM (ANALYZE) in {time.perf_counter() - started:.1f}s", flush=True)
    if args.sqlite_analyze:
        # An experiment, not the product as shipped: the same data with planner statistics
        # (what "PRAGMA optimize" would gather), on a copy so the data set stays as loaded.
        analyzed = data_dir / "api_analyzed.sqlite3"
        if args.reload or not analyzed.exists():
            shutil.copyfile(data_dir / "api.sqlite3", analyzed)
            conn = sqlite3.connect(analyzed)
            conn.execute("PRAGMA analysis_limit = 1000")
            conn.execute("ANALYZE")
            conn.close()
        url = f"sqlite://{analyzed}"
    return url, keys_file, loaded


def walk(base: str, key: str, pages: int) -> tuple[str, list[int], list[float]]:
    """Follows endCursor from page 1; returns the last cursor, the ids seen, latencies."""
    after, ids, latencies = None, [], []
    for _ in range(pages):
        started = time.perf_counter()
        data = check(c.graphql(base, key, WALK, {"after": after}), "walk")["workers"]
        latencies.append((time.perf_counter() - started) * 1000)
        ids.extend(decode_gid(e["node"]["id"]) for e in data["edges"])
        after = data["pageInfo"]["endCursor"]
        if not data["pageInfo"]["hasNextPage"]:
            break
    return after, ids, latencies


def strip_cursor_noise(answer: dict[str, Any]) -> str:
    return json.dumps(answer, sort_keys=True)


def run_reads(args: argparse.Namespace, url: str, keys: dict[str, str],
              results: dict[str, Any]) -> None:
    officer, operator = keys["officer"], keys["operator"]
    log_dir: Path = args.data_dir
    ours = c.portal_server(url, log_path=log_dir / f"serve_{args.backend}.log")
    floor_port = c.free_port()
    floor = c.Server([sys.executable, str(c.BENCH / "floor.py"), "--database-url", url,
                      "--port", str(floor_port)], c.server_env(url), floor_port,
                     log_path=log_dir / f"floor_{args.backend}.log")
    with ours.start(), floor.start():
        results["rss_idle_mib"] = c.rss_kib(ours.pid) / 1024
        viewer = check(c.graphql(ours.base, officer, "{ viewer { partner { id code } } }"),
                       "viewer")
        partner_id = decode_gid(viewer["viewer"]["partner"]["id"])

        # The deep cursor and the W2 ids come from walking the list as a client would. The
        # walk is kept (the keyset position does not move) and reused unless --rewalk.
        variant = "_analyzed" if args.sqlite_analyze else ""
        walk_file = log_dir / f"walk_{args.backend}{variant}.json"
        if walk_file.exists() and not args.rewalk and not args.reload:
            kept = json.loads(walk_file.read_text())
            deep_after, ids, results["walk"] = kept["after"], kept["ids"], kept["walk"]
            print(f"reusing the walk of {walk_file} (--rewalk to walk again)", flush=True)
        else:
            started = time.perf_counter()
            deep_after, ids, lat = walk(ours.base, officer, WALK_PAGES)
            walked = time.perf_counter() - started
            results["walk"] = {
                "pages_of_100": len(lat), "rows": len(ids), "seconds": round(walked, 1),
                "p50_ms_pages_1_100": statistics.median(lat[:100]),
                "p50_ms_last_100_pages": statistics.median(lat[-100:]),
                "p50_ms_by_100_pages": [round(statistics.median(lat[i:i + 100]), 1)
                                        for i in range(0, len(lat), 100)],
            }
            walk_file.write_text(json.dumps({"after": deep_after, "ids": ids,
                                             "walk": results["walk"]}))
        print(f"walk: {results['walk']['pages_of_100']} pages of 100 "
              f"({results['walk']['rows']:,} rows) in {results['walk']['seconds']}s: p50 "
              f"{results['walk']['p50_ms_pages_1_100']:.1f} ms on pages 1-100, "
              f"{results['walk']['p50_ms_last_100_pages']:.1f} ms on the last 100", flush=True)
        w2_ids = ids[::max(1, len(ids) // args.w2_ids)][: args.w2_ids]

        # The floor must give the same answer as the portal (W1 and W2).
        our_w1 = check(c.graphql(ours.base, officer, W1), "W1")
        floor_w1 = c.get_json(f"{floor.base}/w1?partner={partner_id}")["data"]
        if strip_cursor_noise(our_w1) != strip_cursor_noise(floor_w1):
            raise SystemExit("the floor's W1 differs from the portal's")
        for wid in w2_ids[:20]:
            ours_w2 = check(c.graphql(ours.base, officer, W2, {"id": worker_gid(wid)}), "W2")
            floor_w2 = c.get_json(f"{floor.base}/w2?id={wid}")["data"]
            if strip_cursor_noise(ours_w2) != strip_cursor_noise(floor_w2):
                raise SystemExit(f"the floor's W2 differs from the portal's for {wid}")
        n_edges = len(our_w1["workers"]["edges"])
        print(f"checked: the floor answers W1 ({n_edges} workers) and W2 (20 workers) "
              "exactly as the portal does", flush=True)

        gql = ours.base + "/graphql"
        auth = {"Authorization": f"Bearer {officer}"}
        op_auth = {"Authorization": f"Bearer {operator}"}
        w2_bodies = [c.gql_body(W2, {"id": worker_gid(i)}) for i in w2_ids]
        conns = args.connections
        workloads: list[tuple[str, str, list[str], dict[str, Any]]] = [
            ("W1 list page", gql, [c.gql_body(W1)],
             {"headers": auth, "expect": '"edges"'}),
            ("floor W1", f"{floor.base}/w1", [f"/w1?partner={partner_id}"],
             {"method": "GET", "expect": '"edges"'}),
            ("W2 worker detail", gql, w2_bodies, {"headers": auth, "expect": '"events"'}),
            ("floor W2", f"{floor.base}/w2", [f"/w2?id={i}" for i in w2_ids],
             {"method": "GET", "expect": '"events"'}),
            ("W3 workerStats (HK)", gql, [c.gql_body(W3)],
             {"headers": auth, "expect": '"byJobSector"'}),
            ("floor W3 GROUP BY (HK)", f"{floor.base}/w3", [f"/w3?partner={partner_id}"],
             {"method": "GET", "expect": '"byPhase"'}),
            ("W3 workerStats (all)", gql, [c.gql_body(W3)],
             {"headers": op_auth, "expect": '"byJobSector"'}),
            ("W1 page 1, c=1", gql, [c.gql_body(W1)],
             {"headers": auth, "expect": '"edges"', "connections": 1}),
            ("W1 page 2,001, c=1", gql, [c.gql_body(W1, {"after": deep_after})],
             {"headers": auth, "expect": '"edges"', "connections": 1}),
        ]
        if args.only:
            workloads = [w for w in workloads if any(o in w[0] for o in args.only)]
        runs: dict[str, list[c.WrkResult]] = {w[0]: [] for w in workloads}
        cpu: dict[str, list[float]] = {w[0]: [] for w in workloads}
        db_cpu: dict[str, list[float]] = {w[0]: [] for w in workloads}
        rss_peaks: list[float] = []
        for name, target, lines, opts in workloads:  # warm-up, not counted
            c.wrk(name, target, lines, duration=2, **{"connections": conns, **opts})
        for rep in range(args.repeats):
            print(f"-- run {rep + 1}/{args.repeats} (load average {c.loadavg()})", flush=True)
            for name, target, lines, opts in workloads:
                pid = floor.pid if name.startswith("floor") else ours.pid
                cpu_before, db_before = c.cpu_seconds(pid), c.pg_backends_cpu(url)
                with c.RssSampler(ours.pid) as sampler:
                    r = c.wrk(name, target, lines, duration=args.duration,
                              **{"connections": conns, **opts})
                cpu[name].append((c.cpu_seconds(pid) - cpu_before) * 1000 / max(r.requests, 1))
                db_cpu[name].append((c.pg_backends_cpu(url) - db_before) * 1000
                                    / max(r.requests, 1))
                if name.startswith("W1 list"):
                    rss_peaks.append(sampler.peak_mib)
                runs[name].append(r)
                print("   " + r.row(), flush=True)
        results["reads"] = {}
        for name, rs in runs.items():
            m = c.median_result(name, rs)
            m["server_cpu_ms_per_request"] = round(statistics.median(cpu[name]), 3)
            m["db_cpu_ms_per_request"] = round(statistics.median(db_cpu[name]), 3)
            m["connections"] = next(o.get("connections", conns)
                                    for n, _, _, o in workloads if n == name)
            results["reads"][name] = m
        results["rss_peak_w1_mib"] = max(rss_peaks, default=0.0)
        results["rss_after_reads_mib"] = c.rss_kib(ours.pid) / 1024


def copy_database(args: argparse.Namespace, url: str) -> tuple[str, Any]:
    """A scratch copy of the read data set for the writes; returns its url and a dropper."""
    if args.backend == "sqlite":
        src = Path(url.split("://", 1)[1])
        dst = src.with_name("write_copy.sqlite3")
        shutil.copyfile(src, dst)
        return f"sqlite://{dst}", lambda: [p.unlink() for p in dst.parent.glob(
            "write_copy.sqlite3*")]
    name = f"{args.pg_database}_w"
    c.pg_drop(name)
    c.pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{args.pg_database}"')
    return c.pg_url(name), lambda: c.pg_drop(name)


def run_writes(args: argparse.Namespace, url: str, keys: dict[str, str],
               results: dict[str, Any]) -> None:
    officer = keys["officer"]
    started = time.perf_counter()
    copy_url, drop = copy_database(args, url)
    print(f"copied the data set for the writes in {time.perf_counter() - started:.1f}s",
          flush=True)
    inputs = c.WorkerInputs()
    try:
        ours = c.portal_server(copy_url, log_path=args.data_dir / f"serve_{args.backend}.log")
        with ours.start():
            gql = ours.base + "/graphql"
            auth = {"Authorization": f"Bearer {officer}"}
            first = check(c.graphql(ours.base, officer, W4, {"input": inputs.next()}), "W4")
            if first["registerWorker"]["__typename"] != "RegisterWorkerSuccess":
                raise SystemExit(f"W4 check failed: {first}")
            w4: list[c.WrkResult] = []
            w4_cpu: list[float] = []
            w4_db: list[float] = []
            for rep in range(args.repeats):
                # Every request registers a new worker: enough unique inputs for the run.
                lines = [c.gql_body(W4, {"input": i}) for i in inputs.batch(args.w4_inputs)]
                cpu_before, db_before = c.cpu_seconds(ours.pid), c.pg_backends_cpu(copy_url)
                r = c.wrk("W4 registerWorker", gql, lines, headers=auth,
                          expect="RegisterWorkerSuccess", duration=args.duration,
                          connections=args.connections)
                w4_cpu.append((c.cpu_seconds(ours.pid) - cpu_before) * 1000 / max(r.requests, 1))
                w4_db.append((c.pg_backends_cpu(copy_url) - db_before) * 1000
                             / max(r.requests, 1))
                w4.append(r)
                print(f"-- W4 run {rep + 1}/{args.repeats}: " + r.row(), flush=True)
                if r.requests > args.w4_inputs:
                    print("   (more requests than unique inputs: raise --w4-inputs)")
            m = c.median_result("W4 registerWorker", w4)
            m["server_cpu_ms_per_request"] = round(statistics.median(w4_cpu), 3)
            m["db_cpu_ms_per_request"] = round(statistics.median(w4_db), 3)
            results["writes"] = {"W4 registerWorker": m}

            w5: list[dict[str, Any]] = []
            for rep in range(args.w5_runs):
                rows = inputs.batch(args.w5_rows)
                # The client's JSON encoding of 10,000 rows (and decoding of the answer)
                # stays outside the timed exchange.
                body = c.gql_body(W5, {"rows": rows}).encode()
                began = time.perf_counter()
                raw = c.post_graphql(ours.base, officer, body, timeout=600)
                took = time.perf_counter() - began
                answer = check(json.loads(raw), "W5")["importWorkers"]
                if answer["__typename"] != "ImportWorkersSuccess" or answer["created"] != len(
                        rows):
                    raise SystemExit(f"W5 failed: {json.dumps(answer)[:500]}")
                w5.append({"seconds": round(took, 2), "rows_per_s": round(len(rows) / took)})
                print(f"-- W5 run {rep + 1}/{args.w5_runs}: {len(rows):,} rows in {took:.2f}s "
                      f"= {len(rows) / took:,.0f} rows/s", flush=True)
            results["writes"]["W5 importWorkers"] = {
                "rows": args.w5_rows, "runs": w5,
                "median_rows_per_s": statistics.median(r["rows_per_s"] for r in w5),
            }
    finally:
        drop()


def report(results: dict[str, Any]) -> None:
    reads = results.get("reads", {})
    print(f"\n== {results['backend']}: medians of {results['repeats']} runs of "
          f"{results['duration']}s, wrk -t1 -c{results['connections']}")
    print(f"{'workload':<26} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9} {'cpu ms/req':>11} "
          f"{'db cpu':>7}")
    for name, m in {**reads, **results.get("writes", {})}.items():
        if "rps" in m:
            print(f"{name:<26} {m['rps']:>9.1f} {m['p50_ms']:>9.2f} {m['p99_ms']:>9.2f} "
                  f"{m['server_cpu_ms_per_request']:>11.3f} {m['db_cpu_ms_per_request']:>7.3f}"
                  f"   runs {m['runs_rps']}"
                  + (f"  BAD {m['bad']}: {m['sample_bad'][:120]}" if m["bad"] else ""))
    w5 = results.get("writes", {}).get("W5 importWorkers")
    if w5:
        print(f"{'W5 importWorkers 10,000':<26} {w5['median_rows_per_s']:>9,.0f} rows/s "
              f"(runs: {[r['rows_per_s'] for r in w5['runs']]})")

    def ratio(a: str, b: str) -> float | None:
        if a in reads and b in reads and reads[b]["rps"]:
            return reads[a]["rps"] / reads[b]["rps"]
        return None

    ratios = {
        "W1 / floor W1": ratio("W1 list page", "floor W1"),
        "W2 / floor W2": ratio("W2 worker detail", "floor W2"),
        "W3 (HK) / floor GROUP BY (HK)": ratio("W3 workerStats (HK)", "floor W3 GROUP BY (HK)"),
        "W1 page 2,001 / page 1 (p50 latency)": (
            reads["W1 page 2,001, c=1"]["p50_ms"] / reads["W1 page 1, c=1"]["p50_ms"]
            if "W1 page 1, c=1" in reads and "W1 page 2,001, c=1" in reads else None),
    }
    results["ratios"] = ratios
    for name, value in ratios.items():
        if value is not None:
            print(f"{name:<40} {value:.3f}" + (f" ({value:.1%})" if "floor W" in name
                                              and "GROUP" not in name else ""))
    print(f"portal serve RSS: idle {results.get('rss_idle_mib', 0):.0f} MiB, "
          f"peak under W1 {results.get('rss_peak_w1_mib', 0):.0f} MiB, after the reads "
          f"{results.get('rss_after_reads_mib', 0):.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description="Issue 4 API benchmark (bench/README.md)")
    parser.add_argument("--backend", choices=("sqlite", "postgres"), required=True)
    parser.add_argument("--label", default="", help="a note stored with the results")
    parser.add_argument("--workers", type=int, default=398_326)
    parser.add_argument("--data-dir", type=Path, default=c.DEFAULT_DATA_DIR)
    parser.add_argument("--pg-database", default="bench_api")
    parser.add_argument("--reload", action="store_true", help="load the demo data again")
    parser.add_argument("--drop", action="store_true",
                        help="delete the data set at the end (PostgreSQL database or file)")
    parser.add_argument("--duration", type=float, default=8.0, help="seconds per wrk run")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--w2-ids", type=int, default=1000)
    parser.add_argument("--w4-inputs", type=int, default=12_000)
    parser.add_argument("--w5-rows", type=int, default=10_000)
    parser.add_argument("--w5-runs", type=int, default=3)
    parser.add_argument("--only", type=lambda s: s.split(","), default=None,
                        help="comma-separated workload name fragments (reads only)")
    parser.add_argument("--skip-writes", action="store_true")
    parser.add_argument("--rewalk", action="store_true",
                        help="walk the list again for the deep cursor and the W2 ids")
    parser.add_argument("--sqlite-analyze", action="store_true",
                        help="experiment: run on a copy of the SQLite data set with ANALYZE "
                        "statistics (results_sqlite_analyzed.json)")
    parser.add_argument("--skip-reads", action="store_true")
    args = parser.parse_args()
    if args.sqlite_analyze and args.backend != "sqlite":
        parser.error("--sqlite-analyze is for --backend sqlite")

    results: dict[str, Any] = {
        "label": args.label,
        "backend": args.backend, "machine": c.print_machine(f"API benchmark, {args.backend}"),
        "duration": args.duration, "repeats": args.repeats, "connections": args.connections,
        "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }
    began = time.perf_counter()
    url, keys_file, loaded = prepare(args)
    results["demo_load_seconds"] = loaded
    keys = c.keys_of(keys_file)
    try:
        if not args.skip_reads:
            run_reads(args, url, keys, results)
        if not args.skip_writes:
            run_writes(args, url, keys, results)
    finally:
        if args.drop:
            if args.backend == "postgres":
                c.pg_drop(args.pg_database)
            else:
                for p in args.data_dir.glob("api.sqlite3*"):
                    p.unlink()
            keys_file.unlink(missing_ok=True)
    results["load_average_end"] = c.loadavg()
    results["seconds"] = round(time.perf_counter() - began, 1)
    report(results)
    results["sqlite_analyze"] = args.sqlite_analyze
    suffix = "_analyzed" if args.sqlite_analyze else ""
    out = args.data_dir / f"results_{args.backend}{suffix}.json"
    out.write_text(json.dumps(results, indent=1, default=str) + "\n")
    print(f"results: {out} (total {results['seconds']:.0f}s; load average {c.loadavg()})")


if __name__ == "__main__":
    main()
