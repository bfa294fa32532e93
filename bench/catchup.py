"""Issue 5 benchmark (b): catch-up — a subscriber resuming 100,000 events behind.

    python bench/catchup.py --backend sqlite
    python bench/catchup.py --backend postgres

Uses the demo data set of bench/api_load.py (run that first: 398,326 workers, about
1.3 million events; KBRI Hong Kong alone has about 360,000). The cursor of the event
100,000 (``--behind``) before the end of KBRI Hong Kong's log is read from the database and
encoded as the API encodes event cursors; one WebSocket client (graphql-transport-ws,
``subscription { workerEvents(after: $cursor) { cursor type workerId occurredAt } }``,
officer key) then receives the 100,000 later events. Reports events per second delivered
(median of ``--runs`` runs), time to the first event, and the server's and client's CPU.
Nothing is written; each run stops after the last event or ``--timeout`` seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common as c  # noqa: E402

QUERY = """subscription Resume($after: String!) {
  workerEvents(after: $after) { cursor type workerId occurredAt }
}"""


async def _pg_fetch(url: str, sql: str, *args: Any) -> Any:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval(sql, *args)
    finally:
        await conn.close()


def start_event(url: str, partner: str, behind: int) -> tuple[int, int]:
    """(id of the event ``behind`` events before the end of the partner's log, last id)."""
    sql_start = ("SELECT e.id FROM worker_event e JOIN partner p ON p.id = e.partner_id "
                 "WHERE p.code = {p} ORDER BY e.id DESC LIMIT 1 OFFSET {n}")
    sql_last = ("SELECT max(e.id) FROM worker_event e JOIN partner p ON p.id = e.partner_id "
                "WHERE p.code = {p}")
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.split("://", 1)[1])
        try:
            first = conn.execute(sql_start.format(p="?", n=int(behind)), (partner,)).fetchone()
            last = conn.execute(sql_last.format(p="?"), (partner,)).fetchone()
        finally:
            conn.close()
        return int(first[0]), int(last[0])
    first = asyncio.run(_pg_fetch(url, sql_start.format(p="$1", n=int(behind)), partner))
    last = asyncio.run(_pg_fetch(url, sql_last.format(p="$1"), partner))
    return int(first), int(last)


async def resume(uri: str, key: str, cursor: str, expected: int, limit_s: float,
                 compression: bool) -> dict[str, Any]:
    from websockets.asyncio.client import connect

    async with connect(uri, subprotocols=["graphql-transport-ws"], max_queue=None,
                       compression="deflate" if compression else None, ping_interval=None,
                       max_size=None) as ws:
        extensions = ws.response.headers.get("Sec-WebSocket-Extensions", "")
        await ws.send(json.dumps({"type": "connection_init",
                                  "payload": {"authorization": f"Bearer {key}"}}))
        ack = json.loads(await ws.recv())
        if ack.get("type") != "connection_ack":
            raise RuntimeError(f"no connection_ack: {ack}")
        cpu0 = time.process_time()
        started = time.perf_counter()
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {
            "query": QUERY, "variables": {"after": cursor}}}))
        received, first_at, last_cursor, error = 0, None, None, None
        deadline = started + limit_s
        while received < expected:
            left = deadline - time.perf_counter()
            if left <= 0:
                error = "timeout"
                break
            try:
                message = await asyncio.wait_for(ws.recv(), left)
            except TimeoutError:
                error = "timeout"
                break
            if '"next"' in message:
                received += 1
                if first_at is None:
                    first_at = time.perf_counter()
                if received == expected:
                    last_cursor = json.loads(message)["payload"]["data"]["workerEvents"][
                        "cursor"]
            elif '"ping"' in message:
                await ws.send('{"type":"pong"}')
            else:
                error = message[:300]
                break
        took = time.perf_counter() - started
        return {"received": received, "seconds": round(took, 2),
                "events_per_s": round(received / took) if took else 0,
                "first_event_ms": round((first_at - started) * 1000, 1) if first_at else None,
                "client_cpu_seconds": round(time.process_time() - cpu0, 1),
                "last_cursor": last_cursor, "error": error, "extensions": extensions}


def main() -> None:
    parser = argparse.ArgumentParser(description="Catch-up benchmark (bench/README.md)")
    parser.add_argument("--backend", choices=("sqlite", "postgres"), required=True)
    parser.add_argument("--data-dir", type=Path, default=c.DEFAULT_DATA_DIR)
    parser.add_argument("--database-url", help="default: the data set of api_load.py")
    parser.add_argument("--keys-file", type=Path)
    parser.add_argument("--pg-database", default="bench_api")
    parser.add_argument("--behind", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=240.0, help="seconds per run")
    parser.add_argument("--no-compression", dest="compression", action="store_false")
    args = parser.parse_args()

    info = c.print_machine(f"catch-up: {args.behind:,} events behind, {args.backend}")
    url = args.database_url or (f"sqlite://{args.data_dir / 'api.sqlite3'}"
                                if args.backend == "sqlite" else c.pg_url(args.pg_database))
    keys = c.keys_of(args.keys_file or args.data_dir / f"keys_{args.backend}.json")
    sys.path.insert(0, str(c.ROOT))
    from schema.events.types import event_cursor

    start_id, last_id = start_event(url, c.LARGEST_PARTNER, args.behind)
    cursor = event_cursor(start_id)
    print(f"resuming after event {start_id} ({c.LARGEST_PARTNER}; its last is {last_id})",
          flush=True)
    server = c.portal_server(url, log_path=args.data_dir / f"serve_{args.backend}.log")
    runs = []
    with server.start():
        uri = f"ws://{c.HOST}:{server.port}/graphql"
        for n in range(args.runs):
            cpu0 = c.cpu_seconds(server.pid)
            r = asyncio.run(resume(uri, keys["officer"], cursor, args.behind, args.timeout,
                                   args.compression))
            r["server_cpu_seconds"] = round(c.cpu_seconds(server.pid) - cpu0, 1)
            r["rss_mib"] = round(c.rss_kib(server.pid) / 1024, 1)
            runs.append(r)
            print(f"run {n + 1}/{args.runs}: {r['received']:,} events in {r['seconds']}s = "
                  f"{r['events_per_s']:,} events/s; first after {r['first_event_ms']} ms; "
                  f"server CPU {r['server_cpu_seconds']}s, client CPU "
                  f"{r['client_cpu_seconds']}s, server RSS {r['rss_mib']} MiB"
                  + (f"; ERROR {r['error']}" if r["error"] else ""), flush=True)
    complete = [r for r in runs if r["received"] == args.behind]
    if complete and complete[0]["last_cursor"] != event_cursor(last_id):
        print("WARNING: the last event received is not the last of the log")
    median = statistics.median(r["events_per_s"] for r in runs)
    result = {"backend": args.backend, "behind": args.behind, "runs": runs,
              "median_events_per_s": median, "machine": info,
              "load_average_end": c.loadavg()}
    out = args.data_dir / f"catchup_{args.backend}.json"
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"\ncatch-up on {args.backend}: median {median:,.0f} events/s over {len(runs)} runs "
          f"({len(complete)} complete); results: {out}")


if __name__ == "__main__":
    main()
