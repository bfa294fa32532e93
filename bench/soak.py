"""Issue 7 item 6: soak benchmark. Mixed read/write/subscription load on a real
``portal serve`` for a set time at 70% of the measured maximum.

    python bench/soak.py                              # PostgreSQL, 10 minutes at 70%
    python bench/soak.py --duration 120               # a short try
    python bench/soak.py --backend sqlite --duration 300
    python bench/soak.py --processes 2                # portal serve --processes 2
    python bench/soak.py --database-url URL --keys-file KEYS   # an existing demo data set

Data: a fresh ``portal demo --workers 20000`` (``--workers``) in a new PostgreSQL database
``bench_soak_*`` (dropped afterwards unless ``--keep``) or a SQLite file in a temporary
directory. The server gets the environment of the other benchmarks (bench/common.py:
no rate limits, WARNING logs, no expiry sweep).

The mix (``MIX`` below; every operation is one GraphQL POST with a partner's API key, the
partner drawn at random among the first ``--partners`` worker-owning partners):

    reads  70%: workers list page (api_load's W1, at one of the first 5 pages) 25%,
                worker detail via node (W2) 35%, workerStats (W3) 10%      -- viewer key
    writes 30%: registerWorker 8%, changeWorkerStatus CANDIDATE <-> FAILED_DEPARTURE 10%,
                recordContribution PRE_PLACEMENT 6%, updateWorker (phone) 6% -- officer key

Writes other than registerWorker act on workers this run registered itself (a pool per
partner; a worker is taken out of the pool while a write on it is in flight, so a
StaleVersionError or a refused transition is a defect, not bad luck). Every successful
write writes exactly one event. ``--subscribers`` (100) graphql-transport-ws clients
(``websockets``, permessage-deflate offered), spread over the partners with their viewer
keys, hold ``workerEvents`` for the whole run: half of them (``--live-fraction``) live
(no ``after``: portal.fanout shares one execution per event among identical ones),
connected before a marker status change per partner; the others resume with
``after: <the marker's cursor>`` (each its own execution).

Phases:
1. closed loop: ``--max-concurrency`` (32) loops doing the mix back to back for
   ``--max-seconds`` (25 s; the first 5 s not counted): max = completed ops/s.
2. open loop: operations started at a fixed arrival rate of ``--fraction`` (0.7) x max for
   ``--duration`` seconds; latency runs from the scheduled start, so it includes any
   queueing in this client or the server. The first ``--warmup`` seconds (default 10% of
   the duration, at least 60 s, at most half) are excluded from the memory growth figure.

Every ``--interval`` (30 s) it prints ops/s, p50/p99 per operation kind and overall,
errors (HTTP status != 200, GraphQL ``errors``, a non-success payload, a timeout or
transport error, a WebSocket close or error message), the server's RSS (summed over its
process tree, from /proc) and CPU, the PostgreSQL backends' CPU, this client's CPU, the
load average, and the events delivered to subscribers vs. acknowledged writes.

At the end: each partner's log after the marker is read with Query.events; its length
must equal the partner's acknowledged writes, and every subscriber must have received
exactly that list of event ids (live ones: the marker, then that list), in order, with no
duplicate. Memory growth = median RSS of
the last 15 s vs. median RSS of the 15 s after warm-up. Exit code 1 when any error, any
delivery mismatch, or growth >= 10%. Results: ``BENCH_DATA_DIR/soak_<backend>.json``
(and ``--json``). ``--snapshot`` serves a ``git archive`` of HEAD (through
BENCH_PORTAL_TREE) so that others' half-made edits to the working tree cannot break or
change a long run.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from array import array
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common as c  # noqa: E402
from api_load import W1, W2, W3, W4, WALK  # noqa: E402 (the same documents as issue 4)
from fanout import raise_nofile  # noqa: E402

MIX: dict[str, int] = {
    "list": 25, "detail": 35, "stats": 10,
    "register": 8, "status": 10, "contribution": 6, "update": 6,
}
KINDS = list(MIX)
WRITES = ("register", "status", "contribution", "update")

CHANGE = """mutation Soak($id: ID!, $version: Int!, $to: PlacementStatus!) {
  changeWorkerStatus(id: $id, version: $version, placementStatus: $to, reason: "soak") {
    __typename
    ... on ChangeWorkerStatusSuccess { worker { id version placementStatus } event { id cursor } }
    ... on Error { message }
  }
}"""
CONTRIBUTE = """mutation Soak($input: RecordContributionInput!) {
  recordContribution(input: $input) {
    __typename
    ... on RecordContributionSuccess { worker { id version placementStatus } event { id } }
    ... on Error { message }
  }
}"""
UPDATE = """mutation Soak($id: ID!, $version: Int!, $input: UpdateWorkerInput!) {
  updateWorker(id: $id, version: $version, input: $input) {
    __typename
    ... on UpdateWorkerSuccess { worker { id version placementStatus } event { id } }
    ... on Error { message }
  }
}"""
SUBSCRIPTION = """subscription Soak($after: String) {
  workerEvents(after: $after) { id type workerId }
}"""
EVENTS = """query Events($after: String) {
  events(first: 100, after: $after) {
    edges { cursor node { id } } pageInfo { hasNextPage endCursor }
  }
}"""
SUCCESS = {
    "register": ("registerWorker", "RegisterWorkerSuccess"),
    "status": ("changeWorkerStatus", "ChangeWorkerStatusSuccess"),
    "contribution": ("recordContribution", "RecordContributionSuccess"),
    "update": ("updateWorker", "UpdateWorkerSuccess"),
}


def event_pk(gid: str) -> int:
    """The integer behind a WorkerEvent global id: subscribers keep ids as 8-byte ints so
    100 subscribers x tens of thousands of events stay small in this process."""
    raw = base64.urlsafe_b64decode(gid + "=" * (-len(gid) % 4)).decode()
    return int(raw.rsplit(":", 1)[1])


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def r1(x: float | None) -> float | None:
    return None if x is None else round(x, 1)


# --- state ---------------------------------------------------------------------------------

@dataclass
class Tracked:
    """A worker this run owns: its id and the version and status it last answered."""

    id: str
    version: int
    placement: str


@dataclass
class Partner:
    code: str
    officer: str
    viewer: str
    read_ids: list[str] = field(default_factory=list)
    page_cursors: list[str | None] = field(default_factory=lambda: [None])
    pool: deque[Tracked] = field(default_factory=deque)
    marker: str = ""
    marker_pk: int = 0
    acked: int = 0  # successful writes after the marker = events that must exist


@dataclass
class Interval:
    """What completed in one report interval (an op counts where it completes)."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    errors: dict[str, int] = field(default_factory=dict)
    delivery_ms: list[float] = field(default_factory=list)
    rss_kib: list[int] = field(default_factory=list)
    # PostgreSQL: active sessions of the database by wait event, summed over 1 s samples,
    # so a latency spike can be told apart (lock waits, I/O, or plain CPU starvation).
    pg_waits: dict[str, int] = field(default_factory=dict)


class Stats:
    def __init__(self) -> None:
        self.current = Interval()
        self.error_samples: list[str] = []
        self.errors_total = 0

    def ok(self, kind: str, ms: float) -> None:
        self.current.latencies[kind].append(ms)

    def error(self, kind: str, what: str, sample: str) -> None:
        key = f"{kind}:{what}"
        self.current.errors[key] = self.current.errors.get(key, 0) + 1
        self.errors_total += 1
        if len(self.error_samples) < 20:
            self.error_samples.append(f"{key}: {sample[:300]}")

    def roll(self) -> Interval:
        done, self.current = self.current, Interval()
        return done


# --- subscribers ---------------------------------------------------------------------------

class Subscriber:
    def __init__(self, n: int, uri: str, partner: Partner, stats: Stats,
                 sent: dict[int, float], live: bool) -> None:
        self.n, self.uri, self.partner, self.stats, self.sent = n, uri, partner, stats, sent
        # live: no ``after`` (identical live subscriptions share one execution per event,
        # portal.fanout); otherwise it resumes after the partner's marker (unshared).
        self.live = live
        self.ws: Any = None
        self.received = array("q")
        self.reader: asyncio.Task[None] | None = None
        self.closing = False

    async def connect(self) -> None:
        from websockets.asyncio.client import connect

        # permessage-deflate offered as browsers do; no client pings (loopback) so that a
        # close can only come from the server.
        self.ws = await connect(self.uri, subprotocols=["graphql-transport-ws"],
                                compression="deflate", ping_interval=None, max_queue=None,
                                open_timeout=30)
        auth = {"authorization": f"Bearer {self.partner.viewer}"}
        await self.ws.send(json.dumps({"type": "connection_init", "payload": auth}))
        ack = json.loads(await asyncio.wait_for(self.ws.recv(), 30))
        if ack.get("type") != "connection_ack":
            raise RuntimeError(f"no connection_ack: {ack}")
        await self.ws.send(json.dumps({
            "id": "1", "type": "subscribe",
            "payload": {"query": SUBSCRIPTION,
                        "variables": {"after": None if self.live else self.partner.marker}}}))
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                message = json.loads(raw)
                kind = message.get("type")
                if kind == "next":
                    payload = message.get("payload", {})
                    if payload.get("errors") or not payload.get("data"):
                        self.stats.error("ws", "next_errors", json.dumps(payload))
                        continue
                    pk = event_pk(payload["data"]["workerEvents"]["id"])
                    self.received.append(pk)
                    at = self.sent.get(pk)
                    if at is not None:
                        self.stats.current.delivery_ms.append((time.perf_counter() - at) * 1000)
                elif kind == "ping":
                    await self.ws.send('{"type":"pong"}')
                elif kind != "pong":
                    self.stats.error("ws", kind or "message", json.dumps(message))
        except Exception as exc:  # any transport failure is an error of the run
            if not self.closing:
                self.stats.error("ws", "exception", f"{type(exc).__name__}: {exc}")
            return
        if not self.closing:
            code = getattr(self.ws, "close_code", None)
            self.stats.error("ws", "closed", f"subscriber {self.n} closed by server ({code})")

    async def close(self) -> None:
        self.closing = True
        if self.ws is not None:
            await self.ws.close()
        if self.reader is not None:
            self.reader.cancel()


# --- the load ------------------------------------------------------------------------------

class Load:
    def __init__(self, args: argparse.Namespace, base: str, partners: list[Partner]) -> None:
        self.args, self.base, self.partners = args, base, partners
        self.rng = random.Random(args.seed)
        self.inputs = c.WorkerInputs(seed=args.seed, start=args.nik_start)
        self.stats = Stats()
        self.sent: dict[int, float] = {}  # event pk -> when its write was started
        self.http: Any = None
        self._weights = [MIX[k] for k in KINDS]
        self._paid_on = (datetime.now(ZoneInfo("Asia/Jakarta")).date()
                         - timedelta(days=1)).isoformat()  # never "in the future" at midnight

    async def post(self, key: str, query: str, variables: dict[str, Any]
                   ) -> tuple[int, dict[str, Any] | None, str]:
        async with self.http.post(self.base + "/graphql",
                                  json={"query": query, "variables": variables},
                                  headers={"Authorization": f"Bearer {key}"}) as r:
            text = await r.text()
            try:
                return r.status, json.loads(text), text
            except ValueError:
                return r.status, None, text

    def pick(self) -> tuple[str, Partner]:
        return self.rng.choices(KINDS, self._weights)[0], self.rng.choice(self.partners)

    async def op(self, kind: str, p: Partner, started: float) -> None:
        """One operation of the mix; latency from ``started`` (the scheduled start)."""
        taken: Tracked | None = None
        if kind in ("status", "contribution", "update"):
            if p.pool:
                taken = p.pool.popleft()
            else:
                kind = "register"  # nothing free to change: register instead (rare)
        try:
            status, body, text = await self._request(kind, p, taken)
        except Exception as exc:  # timeouts, resets: errors of the run
            self.stats.error(kind, type(exc).__name__, str(exc))
            return
        ms = (time.perf_counter() - started) * 1000
        if status != 200:
            self.stats.error(kind, f"http_{status}", text)
            return
        if body is None or body.get("errors") or not body.get("data"):
            self.stats.error(kind, "graphql_errors", text)
            return
        if kind in SUCCESS:
            name, success = SUCCESS[kind]
            result = body["data"][name]
            if result.get("__typename") != success:
                self.stats.error(kind, result.get("__typename", "?"), text)
                return
            p.acked += 1
            w = result["worker"]
            if "event" in result:
                self.sent[event_pk(result["event"]["id"])] = started
            p.pool.append(Tracked(w["id"], w["version"], w["placementStatus"]))
        self.stats.ok(kind, ms)

    async def _request(self, kind: str, p: Partner, t: Tracked | None
                       ) -> tuple[int, dict[str, Any] | None, str]:
        rng = self.rng
        if kind == "list":
            return await self.post(p.viewer, W1, {"after": rng.choice(p.page_cursors)})
        if kind == "detail":
            return await self.post(p.viewer, W2, {"id": rng.choice(p.read_ids)})
        if kind == "stats":
            return await self.post(p.viewer, W3, {})
        if kind == "register":
            return await self.post(p.officer, W4, {"input": self.inputs.next()})
        assert t is not None
        if kind == "status":
            to = "FAILED_DEPARTURE" if t.placement == "CANDIDATE" else "CANDIDATE"
            return await self.post(p.officer, CHANGE, {"id": t.id, "version": t.version,
                                                       "to": to})
        if kind == "contribution":
            return await self.post(p.officer, CONTRIBUTE, {"input": {
                "workerId": t.id, "kind": "PRE_PLACEMENT", "amount": 37500,
                "paidOn": self._paid_on}})
        return await self.post(p.officer, UPDATE, {
            "id": t.id, "version": t.version,
            "input": {"phone": f"+628{rng.randint(10**9, 10**10 - 1)}"}})

    async def closed_loop(self, seconds: float, concurrency: int) -> None:
        stop = time.perf_counter() + seconds

        async def loop() -> None:
            while time.perf_counter() < stop:
                kind, p = self.pick()
                await self.op(kind, p, time.perf_counter())

        await asyncio.gather(*(loop() for _ in range(concurrency)))

    async def open_loop(self, seconds: float, rate: float) -> int:
        """Starts operations at ``rate`` per second, whatever is still in flight; returns
        how many were skipped because ``--max-outstanding`` were in flight (errors)."""
        tasks: set[asyncio.Task[None]] = set()
        begin = time.perf_counter()
        n = skipped = 0
        while True:
            at = begin + n / rate
            if at - begin >= seconds:
                break
            delay = at - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            n += 1
            kind, p = self.pick()
            if len(tasks) >= self.args.max_outstanding:
                skipped += 1
                self.stats.error(kind, "overload", f"{len(tasks)} operations in flight")
                continue
            task = asyncio.create_task(self.op(kind, p, at))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        if tasks:
            await asyncio.wait(tasks, timeout=120)
        return skipped


# --- sampling and reports ------------------------------------------------------------------

def process_tree(pid: int) -> list[int]:
    """The server and its descendants (``--processes N``: uvicorn's supervisor and its
    worker processes), read from /proc."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(x) for x in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def tree_rss_kib(pid: int) -> int:
    total = 0
    for p in process_tree(pid):
        try:
            total += c.rss_kib(p)
        except OSError:
            pass
    return total


def tree_cpu(pid: int) -> float:
    total = 0.0
    for p in process_tree(pid):
        try:
            total += c.cpu_seconds(p)
        except (OSError, ValueError):
            pass
    return total


class PgBackendsCpu:
    """CPU of the PostgreSQL backends connected to the run's database, per interval.
    Per pid, unlike common.pg_backends_cpu's total: the server's pool closes and opens
    connections, and a backend gone between two samples must not make a sum go down."""

    def __init__(self, database_url: str) -> None:
        self.marker = None
        if database_url.startswith(("postgres://", "postgresql://")):
            self.marker = f" {database_url.rsplit('/', 1)[1]} "
        self.last: dict[int, float] = {}

    def delta(self) -> float:
        if self.marker is None:
            return 0.0
        now: dict[int, float] = {}
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                title = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(
                    errors="replace")
                if title.startswith("postgres: ") and self.marker in title:
                    now[int(proc.name)] = c.cpu_seconds(int(proc.name))
            except (OSError, ValueError):
                continue
        used = sum(cpu - self.last.get(pid, 0.0) for pid, cpu in now.items())
        self.last = now
        return used


HEADER = (f"{'t s':>5} {'phase':<6} {'ops/s':>6} {'p50':>6} {'p99':>7}  "
          + " ".join(f"{k[:6]:>6}" for k in KINDS)
          + f"  {'errs':>4} {'deliv p99':>9} {'RSS MiB':>7} {'srv%':>5} {'pg%':>5}"
          f" {'cli%':>5} {'load1':>5}")


class Reporter:
    """Rolls the stats every ``interval`` seconds into a row (printed and kept)."""

    def __init__(self, load: Load, server_pid: int, database_url: str, interval: float,
                 subscribers: list[Subscriber]) -> None:
        self.load, self.pid, self.url, self.interval = load, server_pid, database_url, interval
        self.subs = subscribers
        self.rows: list[dict[str, Any]] = []
        self.rss_samples: list[tuple[float, int]] = []  # (t since start, KiB), every 1 s
        self.phase = "setup"
        self.pg_cpu = PgBackendsCpu(database_url)
        self.t0 = time.perf_counter()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.t0 = time.perf_counter()
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
        self.row()

    async def _run(self) -> None:
        pg = None
        if self.url.startswith(("postgres://", "postgresql://")):
            import asyncpg

            pg = await asyncpg.connect(self.url)
        try:
            while True:
                next_row = time.perf_counter() + self.interval
                while time.perf_counter() < next_row:
                    await asyncio.sleep(1.0)
                    rss = tree_rss_kib(self.pid)
                    self.rss_samples.append((time.perf_counter() - self.t0, rss))
                    self.load.stats.current.rss_kib.append(rss)
                    if pg is not None:
                        await self._sample_waits(pg)
                self.row()
        finally:
            if pg is not None:
                await pg.close()

    async def _sample_waits(self, pg: Any) -> None:
        rows = await pg.fetch(
            "SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') AS w, count(*) AS n"
            " FROM pg_stat_activity WHERE datname = current_database() AND state = 'active'"
            " AND pid <> pg_backend_pid() GROUP BY 1")
        waits = self.load.stats.current.pg_waits
        for r in rows:
            waits[r["w"]] = waits.get(r["w"], 0) + r["n"]

    _marks: tuple[float, float, float, float] | None = None

    def row(self) -> None:
        now = time.perf_counter()
        pg_cpu = self.pg_cpu.delta()
        cpu = (tree_cpu(self.pid), 0.0, time.process_time(), now)
        prev, self._marks = self._marks, cpu
        it = self.load.stats.roll()
        if prev is None:
            return
        secs = now - prev[3]
        lat = it.latencies
        every = [x for v in lat.values() for x in v]
        acked = sum(p.acked for p in self.load.partners)
        delivered = sum(len(s.received) for s in self.subs)
        expected = sum(p.acked + s.live for p in self.load.partners for s in self.subs
                       if s.partner is p)
        row = {
            "t_s": round(now - self.t0), "phase": self.phase, "seconds": round(secs, 1),
            "ops": len(every), "ops_per_s": round(len(every) / secs, 1),
            "p50_ms": r1(percentile(every, 50)), "p99_ms": r1(percentile(every, 99)),
            "kinds": {k: {"n": len(v), "p50_ms": r1(percentile(v, 50)),
                          "p99_ms": r1(percentile(v, 99))} for k, v in lat.items()},
            "errors": sum(it.errors.values()), "error_kinds": it.errors,
            "delivery_p50_ms": r1(percentile(it.delivery_ms, 50)),
            "delivery_p99_ms": r1(percentile(it.delivery_ms, 99)),
            "rss_mib": r1(it.rss_kib[-1] / 1024) if it.rss_kib else
            r1(tree_rss_kib(self.pid) / 1024),
            "server_cpu_pct": round((cpu[0] - prev[0]) / secs * 100),
            "pg_cpu_pct": round(pg_cpu / secs * 100),
            "client_cpu_pct": round((cpu[2] - prev[2]) / secs * 100),
            "load1": c.loadavg()[0],
            "acked_writes": acked, "delivered": delivered, "expected_deliveries": expected,
            "pg_waits": dict(sorted(it.pg_waits.items(), key=lambda x: -x[1])),
        }
        self.rows.append(row)

        def f(x: float | None, w: int) -> str:
            return f"{'-' if x is None else f'{x:.0f}' if x >= 100 else f'{x:.1f}':>{w}}"

        print(f"{row['t_s']:>5} {row['phase']:<6} {row['ops_per_s']:>6.1f} "
              f"{f(row['p50_ms'], 6)} {f(row['p99_ms'], 7)}  "
              + " ".join(f(row["kinds"][k]["p99_ms"], 6) for k in KINDS)
              + f"  {row['errors']:>4} {f(row['delivery_p99_ms'], 9)} {row['rss_mib']:>7.1f}"
              f" {row['server_cpu_pct']:>5} {row['pg_cpu_pct']:>5} {row['client_cpu_pct']:>5}"
              f" {row['load1']:>5.2f}   deliveries {delivered:,}/{expected:,}"
              + (f"  pg active {top}" if (top := _top_waits(it.pg_waits, 3)) else ""),
              flush=True)


def _top_waits(waits: dict[str, int], n: int) -> str:
    return " ".join(f"{k}={v}" for k, v in sorted(waits.items(), key=lambda x: -x[1])[:n])


# --- setup and verification ----------------------------------------------------------------

async def setup_partner(load: Load, p: Partner, pool: int) -> None:
    after = None
    for _ in range(5):  # the first 5 pages of 100: ids to read, cursors to list from
        _, body, text = await load.post(p.viewer, WALK, {"after": after})
        if body is None or body.get("errors"):
            raise SystemExit(f"walk failed for {p.code}: {text[:300]}")
        page = body["data"]["workers"]
        p.read_ids += [e["node"]["id"] for e in page["edges"]]
        after = page["pageInfo"]["endCursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        p.page_cursors.append(after)
    if not p.read_ids:
        raise SystemExit(f"{p.code} has no workers to read")
    for _ in range(pool):
        _, body, text = await load.post(p.officer, W4, {"input": load.inputs.next()})
        result = (body or {}).get("data", {}).get("registerWorker", {})
        if result.get("__typename") != "RegisterWorkerSuccess":
            raise SystemExit(f"setup registerWorker failed for {p.code}: {text[:300]}")
        w = result["worker"]
        p.pool.append(Tracked(w["id"], w["version"], w["placementStatus"]))


async def write_marker(load: Load, p: Partner) -> None:
    """One status change: live subscribers (connected before it) must receive it and
    everything after; resuming ones resume after its cursor. Either way "every event of
    the run" is well defined without racing "live from now"."""
    t = p.pool.popleft()
    _, body, text = await load.post(p.officer, CHANGE, {"id": t.id, "version": t.version,
                                                        "to": "FAILED_DEPARTURE"})
    result = (body or {}).get("data", {}).get("changeWorkerStatus", {})
    if result.get("__typename") != "ChangeWorkerStatusSuccess":
        raise SystemExit(f"marker change failed for {p.code}: {text[:300]}")
    p.marker = result["event"]["cursor"]
    p.marker_pk = event_pk(result["event"]["id"])
    w = result["worker"]
    p.pool.append(Tracked(w["id"], w["version"], w["placementStatus"]))


async def log_after_marker(load: Load, p: Partner) -> list[int]:
    ids: list[int] = []
    after: str | None = p.marker
    while True:
        _, body, text = await load.post(p.viewer, EVENTS, {"after": after})
        if body is None or body.get("errors"):
            raise RuntimeError(f"Query.events failed for {p.code}: {text[:300]}")
        page = body["data"]["events"]
        ids += [event_pk(e["node"]["id"]) for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"] or not page["edges"]:
            return ids
        after = page["pageInfo"]["endCursor"]


def check_deliveries(p: Partner, log: list[int], subs: list[Subscriber]) -> dict[str, Any]:
    mine = [s for s in subs if s.partner is p]
    wrong = []
    for s in mine:
        got = list(s.received)
        want = [p.marker_pk, *log] if s.live else log
        if got != want:
            dupes = len(got) - len(set(got))
            missing = len(set(want) - set(got))
            extra = len(set(got) - set(want))
            in_order = got == sorted(got, key=want.index) if not extra else None
            wrong.append({"subscriber": s.n, "live": s.live, "received": len(got),
                          "missing": missing,
                          "duplicates": dupes, "unexpected": extra, "in_log_order": in_order})
    return {"partner": p.code, "acked_writes": p.acked, "log_events": len(log),
            "subscribers": len(mine), "subscribers_wrong": len(wrong), "wrong": wrong[:5],
            "log_matches_acked": len(log) == p.acked}


# --- the run -------------------------------------------------------------------------------

async def run(args: argparse.Namespace, server: c.Server, url: str, data: dict[str, Any]
              ) -> dict[str, Any]:
    import aiohttp

    owners = [x for x in data["partners"] if x.get("kind") != "BPJS_OFFICE"]
    partners = [Partner(x["code"], x["keys"]["officer"], x["keys"]["viewer"])
                for x in owners[: args.partners]]
    load = Load(args, server.base, partners)
    connector = aiohttp.TCPConnector(limit=args.connections)
    timeout = aiohttp.ClientTimeout(total=args.request_timeout)
    results: dict[str, Any] = {}
    async with aiohttp.ClientSession(connector=connector, timeout=timeout,
                                     headers={"Accept": "application/json"}) as http:
        load.http = http
        for p in partners:
            await setup_partner(load, p, args.pool)
        uri = f"ws://{c.HOST}:{server.port}/graphql"
        n_live = round(args.subscribers * args.live_fraction)
        subs = [Subscriber(i, uri, partners[i % len(partners)], load.stats, load.sent,
                           live=i < n_live) for i in range(args.subscribers)]
        gate = asyncio.Semaphore(25)

        async def connect(s: Subscriber) -> None:
            async with gate:
                await s.connect()

        # Live ones first, registered with the feed before the markers are written; then
        # the resuming ones, after the markers' cursors.
        await asyncio.wait_for(asyncio.gather(*(connect(s) for s in subs if s.live)), 120)
        await asyncio.sleep(3)
        for p in partners:
            await write_marker(load, p)
        await asyncio.wait_for(asyncio.gather(*(connect(s) for s in subs if not s.live)), 120)
        await asyncio.sleep(3)  # every subscription registered with the feed
        results["rss_subscribed_mib"] = round(tree_rss_kib(server.pid) / 1024, 1)
        print(f"{len(partners)} partners ({', '.join(p.code for p in partners)}), "
              f"{len(subs)} subscribers connected ({n_live} live, {len(subs) - n_live} "
              f"resuming); server RSS {results['rss_subscribed_mib']}"
              f" MiB", flush=True)

        rep = Reporter(load, server.pid, url, args.interval, subs)
        print(HEADER, flush=True)
        rep.start()
        rep.row()  # the CPU marks at t=0

        # Phase 1: closed loop; the first seconds (connection set-up, caches) not counted.
        rep.phase = "max"
        skip = min(5.0, args.max_seconds / 5)
        await load.closed_loop(skip, args.max_concurrency)
        counted0 = _completed(rep, load)
        t1 = time.perf_counter()
        await load.closed_loop(args.max_seconds - skip, args.max_concurrency)
        max_rate = (_completed(rep, load) - counted0) / (time.perf_counter() - t1)
        rep.row()
        rate = args.rate or max_rate * args.fraction
        results.update(max_ops_per_s=round(max_rate, 1), rate_ops_per_s=round(rate, 1))
        print(f"-- max (closed loop, {args.max_concurrency} concurrent): {max_rate:.1f} ops/s;"
              f" soak at {rate:.1f} ops/s for {args.duration:g} s "
              f"(warm-up {args.warmup:g} s)", flush=True)

        # Phase 2: open loop at the soak rate.
        await asyncio.sleep(5)  # let phase 1's backlog (events in flight) settle
        rep.row()
        rep.phase = "soak"
        soak_t0 = time.perf_counter() - rep.t0
        skipped = await load.open_loop(args.duration, rate)
        soak_t1 = time.perf_counter() - rep.t0
        rep.phase = "drain"

        # Every subscriber should now catch up with every acknowledged write.
        logs = {p.code: await log_after_marker(load, p) for p in partners}
        want = sum(len(logs[s.partner.code]) + s.live for s in subs)
        for _ in range(int(args.drain_timeout * 2)):
            if sum(len(s.received) for s in subs) >= want:
                break
            await asyncio.sleep(0.5)
        await asyncio.sleep(2)  # anything extra (a duplicate) would arrive now
        await rep.stop()
        checks = [check_deliveries(p, logs[p.code], subs) for p in partners]
        await asyncio.gather(*(s.close() for s in subs), return_exceptions=True)

    # Memory: median of the 15 s after warm-up vs. the last 15 s of the soak.
    w0 = soak_t0 + args.warmup
    after_warm = [k for t, k in rep.rss_samples if w0 <= t < w0 + 15]
    at_end = [k for t, k in rep.rss_samples if soak_t1 - 15 <= t < soak_t1]
    soak_rss = [k for t, k in rep.rss_samples if soak_t0 <= t < soak_t1]
    rss_warm = statistics.median(after_warm) / 1024 if after_warm else float("nan")
    rss_end = statistics.median(at_end) / 1024 if at_end else float("nan")
    soak_rows = [r for r in rep.rows if r["phase"] == "soak"]
    every_soak = [r["p99_ms"] for r in soak_rows if r["p99_ms"] is not None]
    results.update({
        "rows": rep.rows, "deliveries": checks, "skipped_overload": skipped,
        "errors": load.stats.errors_total, "error_samples": load.stats.error_samples,
        "rss_after_warmup_mib": round(rss_warm, 1), "rss_end_mib": round(rss_end, 1),
        "rss_soak_min_mib": round(min(soak_rss) / 1024, 1) if soak_rss else None,
        "rss_soak_max_mib": round(max(soak_rss) / 1024, 1) if soak_rss else None,
        "rss_growth_pct": round((rss_end - rss_warm) / rss_warm * 100, 2),
        "soak_p99_ms_per_interval": every_soak,
        "soak_ops_per_s_mean": round(statistics.mean(r["ops_per_s"] for r in soak_rows), 1)
        if soak_rows else None,
        "acked_writes": sum(p.acked for p in partners),
        "subscribers": len(subs), "live_subscribers": n_live,
        "partners": [p.code for p in partners],
    })
    return results


def _completed(rep: Reporter, load: Load) -> int:
    """Operations completed successfully so far (rolled rows plus the open interval)."""
    return (sum(r["ops"] for r in rep.rows)
            + sum(len(v) for v in load.stats.current.latencies.values()))


def main() -> None:
    parser = argparse.ArgumentParser(description="Soak benchmark (bench/README.md)")
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="postgres")
    parser.add_argument("--database-url")
    parser.add_argument("--keys-file", type=Path)
    parser.add_argument("--workers", type=int, default=20000, help="demo size when loading")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument("--processes", type=int, default=1, help="portal serve --processes")
    parser.add_argument("--duration", type=float, default=600.0, help="soak seconds")
    parser.add_argument("--warmup", type=float,
                        help="seconds of the soak left out of the memory growth figure "
                             "(default 10%% of --duration, at least 60 s, at most half)")
    parser.add_argument("--fraction", type=float, default=0.7, help="of the measured max")
    parser.add_argument("--rate", type=float, help="soak ops/s (skips the fraction)")
    parser.add_argument("--max-seconds", type=float, default=25.0)
    parser.add_argument("--max-concurrency", type=int, default=32)
    parser.add_argument("--max-outstanding", type=int, default=2000)
    parser.add_argument("--connections", type=int, default=64, help="HTTP connections")
    parser.add_argument("--request-timeout", type=float, default=30.0)
    parser.add_argument("--partners", type=int, default=4)
    parser.add_argument("--subscribers", type=int, default=100)
    parser.add_argument("--live-fraction", type=float, default=0.5,
                        help="subscribers without `after` (shared live executions)")
    parser.add_argument("--pool", type=int, default=40, help="workers registered per partner")
    parser.add_argument("--interval", type=float, default=30.0, help="report seconds")
    parser.add_argument("--drain-timeout", type=float, default=120.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--nik-start", type=int,
                        help="first NIK serial (default from the clock: unique per run)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--snapshot", action="store_true",
                        help="serve a git archive of HEAD instead of the working tree")
    args = parser.parse_args()
    if args.warmup is None:
        args.warmup = min(max(60.0, args.duration * 0.1), args.duration / 2)
    if args.nik_start is None:
        # WorkerInputs' NIKs are unique over 7.1 million serials: start where an earlier
        # run on a kept database (--database-url) most likely did not.
        args.nik_start = int(time.time()) % 7_000_000

    info = c.print_machine(f"soak: {args.backend}, {args.processes} process(es), "
                           f"{args.duration:g} s at {args.fraction:g} x max")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=c.ROOT,
                            capture_output=True, text=True).stdout.strip()
    dirty = bool(subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                                cwd=c.ROOT, capture_output=True, text=True).stdout.strip())
    print(f"commit {commit}{' (+ uncommitted changes)' if dirty else ''}", flush=True)
    raise_nofile(args.subscribers * 2 + args.connections + 512)
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="bench_soak_") as tmp:
        workdir = Path(tmp)
        if args.snapshot:
            # Others edit the working tree during a long run (a half-made change can stop
            # the server from starting): serve exactly HEAD, unpacked with git archive, via
            # common.portal_server's BENCH_PORTAL_TREE.
            tree = workdir / "tree"
            tree.mkdir()
            archive = subprocess.run(["git", "archive", "HEAD"], cwd=c.ROOT, check=True,
                                     capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
            os.environ["BENCH_PORTAL_TREE"] = str(tree)
            dirty = False
            print(f"serving a snapshot of HEAD ({commit}) from {tree}", flush=True)
        url, keys_file, drop = c.fresh_demo(args, workdir, "soak")
        try:
            server = c.portal_server(url, log_path=workdir / "serve.log")
            if args.processes > 1:
                server.argv += ["--processes", str(args.processes)]
            try:
                with server.start():
                    keys = json.loads(keys_file.read_text())
                    results = asyncio.run(run(args, server, url, keys))
            finally:
                # The server's log lives in the temporary directory: keep its tail.
                log_tail = (workdir / "serve.log").read_text(errors="replace")[-3000:]
                if any(w in log_tail for w in ("Traceback", "ERROR", "WARNING")):
                    print(f"-- server log (tail):\n{log_tail[-1500:]}", flush=True)
        finally:
            drop()
    results.update(
        machine=info, backend="postgres" if url.startswith("postgres") else "sqlite",
        commit=commit, uncommitted_changes=dirty, snapshot=args.snapshot,
        portal_tree=os.environ.get("BENCH_PORTAL_TREE"), processes=args.processes,
        workers=args.workers, duration_s=args.duration, warmup_s=args.warmup,
        fraction=args.fraction, mix=MIX, started=datetime.fromtimestamp(started).isoformat(
            timespec="seconds"),
        load_average_end=c.loadavg(), server_log_tail=log_tail)
    deliveries_ok = all(x["subscribers_wrong"] == 0 and x["log_matches_acked"]
                        for x in results["deliveries"])
    growth_ok = results["rss_growth_pct"] < 10
    results["passed"] = results["errors"] == 0 and deliveries_ok and growth_ok
    out = c.DEFAULT_DATA_DIR / f"soak_{results['backend']}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1) + "\n")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")

    print("\n== summary")
    print(f"max {results['max_ops_per_s']} ops/s; soak at {results['rate_ops_per_s']} ops/s "
          f"(achieved mean {results['soak_ops_per_s_mean']}) for {args.duration:g} s; "
          f"{results['acked_writes']:,} acknowledged writes")
    print(f"p99 per {args.interval:g} s interval (ms): {results['soak_p99_ms_per_interval']}")
    print(f"errors: {results['errors']}" + (f" e.g. {results['error_samples'][:3]}"
                                            if results["errors"] else ""))
    for x in results["deliveries"]:
        print(f"  {x['partner']}: {x['log_events']:,} events in the log after the marker, "
              f"{x['acked_writes']:,} acknowledged writes; {x['subscribers']} subscribers, "
              f"{x['subscribers_wrong']} with a wrong sequence {x['wrong'][:1] or ''}")
    print(f"server RSS: {results['rss_subscribed_mib']} MiB subscribed before load; "
          f"{results['rss_after_warmup_mib']} MiB after warm-up -> {results['rss_end_mib']} "
          f"MiB at the end = {results['rss_growth_pct']:+.1f}% (soak min/max "
          f"{results['rss_soak_min_mib']}/{results['rss_soak_max_mib']} MiB)")
    print(f"load average at the end: {results['load_average_end']}; results: {out}")
    print(f"zero errors: {'yes' if results['errors'] == 0 else 'NO'}; deliveries exact: "
          f"{'yes' if deliveries_ok else 'NO'}; growth < 10%: {'yes' if growth_ok else 'NO'}"
          f" => {'PASS' if results['passed'] else 'FAIL'}")
    sys.exit(0 if results["passed"] else 1)


if __name__ == "__main__":
    main()
