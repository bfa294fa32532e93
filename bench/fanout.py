"""Issue 5 benchmark (a): WebSocket fan-out on one ``portal serve`` process.

    python bench/fanout.py                          # SQLite, fresh 3,000-worker demo
    python bench/fanout.py --backend postgres       # PostgreSQL, fresh database, dropped
    python bench/fanout.py --database-url URL --keys-file KEYS   # an existing demo data set

1,000 subscribers (``--subscribers``) in this one asyncio process (the ``websockets``
package, graphql-transport-ws, ``subscription { workerEvents { ... } }``), all with the
KBRI Hong Kong viewer key so every one of them receives every event. Then
100 status changes (``--changes``; changeWorkerStatus CANDIDATE -> FAILED_DEPARTURE of 100
candidates, each one HTTP POST with the officer key) at 10 per second (``--rate``).

Reports:
* event-to-delivery latency: from the moment the mutation is sent to the moment each
  subscriber's message is read here, p50 / p99 / max over all deliveries, and how many of
  the changes x subscribers deliveries arrived;
* memory per idle subscriber: the server's RSS before connecting vs. with all subscribers
  connected and subscribed (settled, no events flowing), divided by their number;
* the server's CPU while the subscribers sit idle, and this client's own CPU (the client
  shares the machine: its time to read 100,000 messages is part of the measured latency).

The open-files limit of this process (inherited by the server) is raised to fit the
sockets. Everything runs on 127.0.0.1 and stops by itself (``--timeout``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common as c  # noqa: E402

SUBSCRIPTION = "subscription { workerEvents { cursor type workerId occurredAt } }"
CANDIDATES = """query Candidates($first: Int!, $after: String) {
  workers(first: $first, after: $after, filter: { placementStatus: CANDIDATE }) {
    edges { node { id version } } pageInfo { hasNextPage endCursor }
  }
}"""
CHANGE = """mutation Change($id: ID!, $version: Int!) {
  changeWorkerStatus(id: $id, version: $version, placementStatus: FAILED_DEPARTURE,
                     reason: "Fan-out benchmark") {
    __typename
    ... on Error { message }
  }
}"""
MARK = '"workerId":"'


def raise_nofile(need: int) -> tuple[int, int]:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, need)) if hard != resource.RLIM_INFINITY else max(soft, need)
    if want > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)


class Subscriber:
    def __init__(self, n: int, uri: str, key: str, compression: bool) -> None:
        self.n, self.uri, self.key, self.compression = n, uri, key, compression
        self.ws: Any = None
        self.arrivals: list[tuple[str, float]] = []
        self.reader: asyncio.Task[None] | None = None
        self.error: str | None = None

    async def connect(self) -> None:
        from websockets.asyncio.client import connect

        self.ws = await connect(self.uri, subprotocols=["graphql-transport-ws"],
                                compression="deflate" if self.compression else None,
                                ping_interval=None, max_queue=None, open_timeout=30)
        await self.ws.send(json.dumps({"type": "connection_init",
                                       "payload": {"authorization": f"Bearer {self.key}"}}))
        ack = json.loads(await asyncio.wait_for(self.ws.recv(), 30))
        if ack.get("type") != "connection_ack":
            raise RuntimeError(f"no connection_ack: {ack}")
        await self.ws.send(json.dumps({"id": "1", "type": "subscribe",
                                       "payload": {"query": SUBSCRIPTION}}))
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        clock = time.perf_counter
        try:
            async for message in self.ws:
                at = clock()
                i = message.find(MARK)
                if i >= 0:
                    j = i + len(MARK)
                    self.arrivals.append((message[j:message.index('"', j)], at))
                elif '"ping"' in message:
                    await self.ws.send('{"type":"pong"}')
                elif '"next"' not in message:
                    self.error = message[:200]
        except Exception as exc:  # a closed socket ends the reader; reported below
            self.error = f"{type(exc).__name__}: {exc}"

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.reader is not None:
            self.reader.cancel()


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


async def run(args: argparse.Namespace, server: c.Server, keys: dict[str, str]
              ) -> dict[str, Any]:
    import aiohttp

    officer, viewer = keys["officer"], keys["viewer"]
    uri = f"ws://{c.HOST}:{server.port}/graphql"
    results: dict[str, Any] = {}

    # 100 candidates to move, found as a client would.
    targets: list[tuple[str, int]] = []
    after = None
    while len(targets) < args.changes:
        page = c.graphql(server.base, officer, CANDIDATES, {"first": 100, "after": after})
        data = page["data"]["workers"]
        targets += [(e["node"]["id"], e["node"]["version"]) for e in data["edges"]]
        after = data["pageInfo"]["endCursor"]
        if not data["pageInfo"]["hasNextPage"]:
            break
    targets = targets[: args.changes]
    if len(targets) < args.changes:
        raise SystemExit(f"only {len(targets)} CANDIDATE workers to change")

    await asyncio.sleep(1)
    results["load_average_start"] = c.loadavg()
    rss_before = c.rss_kib(server.pid)
    subs = [Subscriber(i, uri, viewer, args.compression) for i in range(args.subscribers)]
    started = time.perf_counter()
    gate = asyncio.Semaphore(args.connect_concurrency)

    async def connect(s: Subscriber) -> None:
        async with gate:
            await s.connect()

    await asyncio.wait_for(asyncio.gather(*(connect(s) for s in subs)), args.timeout)
    results["connect_seconds"] = round(time.perf_counter() - started, 1)
    # Settle: every subscription registered with the feed, allocations done.
    await asyncio.sleep(args.settle)
    rss_after = c.rss_kib(server.pid)
    results["rss_before_mib"] = round(rss_before / 1024, 1)
    results["rss_subscribed_mib"] = round(rss_after / 1024, 1)
    results["kib_per_idle_subscriber"] = round((rss_after - rss_before) / len(subs), 1)
    cpu0 = c.cpu_seconds(server.pid)
    await asyncio.sleep(args.idle_seconds)
    results["idle_server_cpu_percent"] = round(
        (c.cpu_seconds(server.pid) - cpu0) / args.idle_seconds * 100, 1)
    print(f"{len(subs)} subscribers connected in {results['connect_seconds']}s; server RSS "
          f"{results['rss_before_mib']} -> {results['rss_subscribed_mib']} MiB = "
          f"{results['kib_per_idle_subscriber']} KiB per idle subscriber; idle server CPU "
          f"{results['idle_server_cpu_percent']}% of a core", flush=True)

    # The changes, at a steady rate; the send time of each is stamped just before sending.
    sent: dict[str, float] = {}
    round_trips: list[float] = []
    failures: list[str] = []
    client_cpu0 = time.process_time()
    server_cpu0 = c.cpu_seconds(server.pid)
    spy = None
    if args.profile:
        # py-spy samples the server while the changes fan out (bench/profile_api.py).
        spy = await asyncio.create_subprocess_exec(
            str(c.BIN / "py-spy"), "record", "--pid", str(server.pid), "--format", "raw",
            "--rate", "100", "--duration", str(int(len(targets) / args.rate) + 5),
            "--function", "--nonblocking", "--output", str(args.profile),
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {officer}",
                                              "Accept": "application/json"}) as http:
        async def change(wid: str, version: int) -> None:
            sent[wid] = t0 = time.perf_counter()
            async with http.post(server.base + "/graphql", json={
                    "query": CHANGE, "variables": {"id": wid, "version": version}}) as r:
                body = await r.json()
            round_trips.append((time.perf_counter() - t0) * 1000)
            kind = body.get("data", {}).get("changeWorkerStatus", {}).get("__typename")
            if kind != "ChangeWorkerStatusSuccess":
                failures.append(json.dumps(body)[:200])

        tasks = []
        begin = time.perf_counter()
        for i, (wid, version) in enumerate(targets):
            await asyncio.sleep(max(0.0, begin + i / args.rate - time.perf_counter()))
            tasks.append(asyncio.create_task(change(wid, version)))
        await asyncio.gather(*tasks)
        sending = time.perf_counter() - begin
    expected = len(targets) * len(subs)
    deadline = time.perf_counter() + args.timeout
    while time.perf_counter() < deadline:
        if sum(len(s.arrivals) for s in subs) >= expected:
            break
        await asyncio.sleep(0.2)
    if spy is not None:
        await asyncio.wait_for(spy.wait(), 60)
    results["client_cpu_seconds"] = round(time.process_time() - client_cpu0, 1)
    results["server_cpu_seconds_events"] = round(c.cpu_seconds(server.pid) - server_cpu0, 1)
    latencies = [(at - sent[wid]) * 1000 for s in subs for wid, at in s.arrivals
                 if wid in sent]
    per_event_last = {}
    for s in subs:
        for wid, at in s.arrivals:
            if wid in sent:
                per_event_last[wid] = max(per_event_last.get(wid, 0.0), at)
    spreads = [(per_event_last[w] - sent[w]) * 1000 for w in per_event_last]
    errors = [s.error for s in subs if s.error]
    results.update({
        "subscribers": len(subs), "changes": len(targets), "rate_per_s": args.rate,
        "sending_seconds": round(sending, 1), "failed_changes": len(failures),
        "deliveries": len(latencies), "expected_deliveries": expected,
        "latency_p50_ms": round(percentile(latencies, 50), 1),
        "latency_p90_ms": round(percentile(latencies, 90), 1),
        "latency_p99_ms": round(percentile(latencies, 99), 1),
        "latency_max_ms": round(max(latencies, default=float("nan")), 1),
        "last_subscriber_p50_ms": round(statistics.median(spreads), 1) if spreads else None,
        "mutation_round_trip_p50_ms": round(statistics.median(round_trips), 1),
        # Robust on a shared machine, unlike latencies: the server's own CPU time.
        "server_cpu_us_per_delivery": round(
            results["server_cpu_seconds_events"] * 1e6 / max(1, len(latencies)), 1),
        "subscriber_errors": len(errors), "first_error": errors[0] if errors else None,
        "first_failed_change": failures[0] if failures else None,
    })
    await asyncio.gather(*(s.close() for s in subs), return_exceptions=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description="WebSocket fan-out benchmark (bench/README.md)")
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--database-url")
    parser.add_argument("--keys-file", type=Path)
    parser.add_argument("--workers", type=int, default=3000, help="demo size when loading")
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--changes", type=int, default=100)
    parser.add_argument("--rate", type=float, default=10.0, help="changes per second")
    parser.add_argument("--connect-concurrency", type=int, default=50)
    parser.add_argument("--settle", type=float, default=3.0)
    parser.add_argument("--idle-seconds", type=float, default=10.0)
    parser.add_argument("--no-compression", dest="compression", action="store_false",
                        help="do not offer permessage-deflate (browsers do offer it)")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--profile", type=Path,
                        help="py-spy the server while the changes fan out; raw stacks here")
    args = parser.parse_args()

    info = c.print_machine(f"fan-out: {args.subscribers} subscribers, {args.changes} changes "
                           f"at {args.rate:g}/s")
    soft, hard = raise_nofile(args.subscribers * 2 + 512)
    print(f"open files limit: {soft} (hard {hard})", flush=True)
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    with tempfile.TemporaryDirectory(prefix="bench_fanout_") as tmp:
        workdir = Path(tmp)
        url, keys_file, drop = c.fresh_demo(args, workdir, "fanout")
        try:
            keys = c.keys_of(keys_file)
            server = c.portal_server(url, log_path=workdir / "serve.log")
            with server.start():
                results = asyncio.run(run(args, server, keys))
        finally:
            drop()
    results.update(machine=info, backend="postgres" if "postgres" in url else "sqlite",
                   compression_offered=args.compression, load_average_end=c.loadavg())
    print(json.dumps(results, indent=1))
    ok = results["deliveries"] == results["expected_deliveries"]
    print(f"\nfan-out: {results['deliveries']:,}/{results['expected_deliveries']:,} "
          f"deliveries; send-to-delivery p50 {results['latency_p50_ms']} ms, p99 "
          f"{results['latency_p99_ms']} ms (target < 500 ms: "
          f"{'met' if ok and results['latency_p99_ms'] < 500 else 'MISSED'}); "
          f"{results['kib_per_idle_subscriber']} KiB per idle subscriber (target < 50 KB: "
          f"{'met' if results['kib_per_idle_subscriber'] * 1024 < 50_000 else 'MISSED'}); "
          f"server CPU {results['server_cpu_us_per_delivery']} µs per delivery")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")
    if args.profile:
        import profile_api

        profile_api.summarize(args.profile, results["deliveries"], top=20)


if __name__ == "__main__":
    main()
