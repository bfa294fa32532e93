"""Benchmark (c): webhook fan-out — N events to M endpoints; deliveries per second and lag.

    python bench/webhooks.py --backend sqlite --events 10000 --endpoints 10
    python bench/webhooks.py --backend postgres --events 10000 --endpoints 10

Events are appended to the log in batches (as an import would) for ``--workers`` workers,
while one dispatcher (this process, the production code path: portal.webhooks.Dispatcher)
delivers them to M endpoints served by an aiohttp receiver in a child process on
127.0.0.1 that answers 200 at once. Reports deliveries/s, time to drain, and the lag
(events not yet delivered, summed over endpoints) sampled every half second.

SQLite: a file in a temporary directory. PostgreSQL: a database ``bench_wh_<random>`` on
the server of BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test), dropped
afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import socket
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import common as c  # noqa: E402
from tortoise.transactions import in_transaction  # noqa: E402

from models import event_log, identifiers, webhook_urls  # noqa: E402
from models.access import ROLE_SCOPES, Viewer  # noqa: E402
from models.clock import now  # noqa: E402
from models.db import close_database, open_database  # noqa: E402
from models.enums import PartnerKind, Role, WorkerEventType  # noqa: E402
from models.partner_admin import create_partner  # noqa: E402
from models.webhook_endpoints import create_endpoint  # noqa: E402
from models.webhooks import UNDELIVERED, DeliveryStatus, WebhookDelivery  # noqa: E402
from models.worker_changes import register_worker  # noqa: E402
from portal.migrations import migrate  # noqa: E402
from portal.settings import Settings  # noqa: E402
from portal.webhook_settings import WebhookSettings  # noqa: E402
from portal.webhooks import Dispatcher  # noqa: E402
from tests.factories import worker_input  # noqa: E402

SECRET = "bench-secret-key-that-is-long-enough-for-production-0123"  # noqa: S105


def _receiver(port: int, ready: Any) -> None:
    from aiohttp import web

    async def handle(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/{tail:.*}", handle)

    async def main() -> None:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port, backlog=1024).start()
        ready.set()
        await asyncio.Event().wait()

    asyncio.run(main())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])



async def _run(url: str, events: int, endpoints: int, workers: int,
               concurrency: int) -> dict[str, Any]:
    identifiers.configure(Settings(database_url=url, secret_key=SECRET).vault())
    webhook_urls.configure(webhook_urls.UrlPolicy(allow_private=True))
    await open_database(url, pool_max=20)
    port = _free_port()
    ready = multiprocessing.Event()
    receiver = multiprocessing.Process(target=_receiver, args=(port, ready), daemon=True)
    receiver.start()
    try:
        await migrate(url)
        ready.wait(10)
        partner = await create_partner(code="bench", name="Bench", kind=PartnerKind.AGENCY,
                                       country="HK")
        officer = Viewer(partner_id=partner.id, partner_kind=partner.kind,
                         role=Role.PARTNER_ADMIN, scopes=ROLE_SCOPES[Role.PARTNER_ADMIN],
                         actor="bench")
        worker_ids = [(await register_worker(officer, worker_input())).id
                      for _ in range(workers)]
        for n in range(endpoints):
            await create_endpoint(officer, f"http://127.0.0.1:{port}/endpoint/{n}")
        config = WebhookSettings(allow_private=True, concurrency=concurrency, poll_seconds=0.05,
                                 circuit_threshold=10_000, disable_after=1_000_000)
        dispatcher = Dispatcher(config)
        expected = events * endpoints
        lags: list[int] = []
        started = time.perf_counter()
        await dispatcher.start()
        batch = 1000
        for offset in range(0, events, batch):
            async with in_transaction() as conn:
                await event_log.append_many(conn, [
                    event_log.NewEvent(partner_id=partner.id,
                                       worker_id=worker_ids[(offset + i) % workers],
                                       type=WorkerEventType.UPDATED, occurred_at=now(),
                                       actor="bench", changes={"note": {"to": offset + i}})
                    for i in range(min(batch, events - offset))])
            event_log.committed()
        appended = time.perf_counter() - started
        while True:
            done = await WebhookDelivery.filter(status=DeliveryStatus.SUCCEEDED).count()
            queued = await WebhookDelivery.filter(status__in=list(UNDELIVERED)).count()
            lags.append(expected - done)
            if done >= expected:
                break
            if time.perf_counter() - started > 3600:
                raise RuntimeError(f"not drained within an hour ({done}/{expected}, "
                                   f"{queued} queued)")
            await asyncio.sleep(0.5)
        elapsed = time.perf_counter() - started
        await dispatcher.stop()
        return {"events": events, "endpoints": endpoints, "workers": workers,
                "deliveries": expected, "seconds": round(elapsed, 1),
                "appended_in": round(appended, 2),
                "deliveries_per_s": round(expected / elapsed),
                "peak_lag": max(lags), "lag_samples": len(lags)}
    finally:
        receiver.kill()
        await close_database()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--endpoints", type=int, default=10)
    parser.add_argument("--workers", type=int, default=200,
                        help="workers the events belong to (ordering is per worker)")
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()
    if args.backend == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            result = asyncio.run(_run(f"sqlite://{tmp}/bench.sqlite3", args.events,
                                      args.endpoints, args.workers, args.concurrency))
    else:
        name = f"bench_wh_{uuid.uuid4().hex[:8]}"
        c.pg_admin(f'CREATE DATABASE "{name}"')
        try:
            result = asyncio.run(_run(c.pg_url(name), args.events, args.endpoints,
                                      args.workers, args.concurrency))
        finally:
            c.pg_drop(name)
    print(" ".join(f"{k}={v}" for k, v in {"backend": args.backend, **result}.items()))


if __name__ == "__main__":
    main()
