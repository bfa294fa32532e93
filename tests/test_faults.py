"""Faults that must lose nothing: a PostgreSQL restart under write load, a client that
stops reading its WebSocket, SIGTERM with open subscriptions."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest
import websockets

from models import identifiers
from models.db import close_database, open_database
from models.events import WorkerEvent
from models.workers import Worker
from portal.migrations import migrate
from tests import factories as f
from tests.conftest import IN_CI, ROOT_DIR, TEST_SECRET, settings_for
from tests.private_pg import PrivateCluster, binaries
from tests.server import free_port, running_server

pytestmark = pytest.mark.slow
REGISTER = """mutation($i: RegisterWorkerInput!) { registerWorker(input: $i) {
  __typename ... on RegisterWorkerSuccess { worker { id } } } }"""


@pytest.fixture
def private_cluster(tmp_path_factory):
    if binaries() is None:
        if IN_CI:
            pytest.fail("PostgreSQL server binaries are required under CI=true")
        pytest.skip("PostgreSQL server binaries not installed")
    # Not under pytest's tmp dir: that one is private to root, and PostgreSQL runs as the
    # postgres user.
    cluster = PrivateCluster(Path(tempfile.mkdtemp(prefix="portal-pg-")))
    cluster.init()
    yield cluster
    cluster.destroy()


@pytest.mark.postgres_only
async def test_a_postgres_restart_under_write_load_loses_no_acknowledged_write(
        private_cluster, tmp_path):
    url = private_cluster.url
    identifiers.configure(settings_for(url).vault())
    await open_database(url)
    await migrate(url)
    partner = await f.partner()
    secret = await f.key(partner)
    await close_database()

    acknowledged: list[str] = []
    failures = 0
    with running_server(url, log_path=tmp_path / "server.log",
                        extra_env={"PORTAL_RATE_LIMIT_PER_KEY": "0",
                                   "PORTAL_RATE_LIMIT_PER_ADDRESS": "0"}) as base:
        async with httpx.AsyncClient(base_url=base, timeout=10) as http:
            stop = asyncio.Event()

            async def writer() -> None:
                nonlocal failures
                while not stop.is_set():
                    try:
                        response = await http.post("/graphql", json={
                            "query": REGISTER, "variables": {"i": f.worker_input()}},
                            headers={"authorization": f"Bearer {secret}"})
                        assert response.status_code < 500 or response.status_code == 503, (
                            response.status_code, response.text)
                        body = response.json()
                        worker = ((body.get("data") or {}).get("registerWorker") or {}).get(
                            "worker")
                        if response.status_code == 200 and worker:
                            acknowledged.append(worker["id"])
                        else:
                            failures += 1
                    except httpx.HTTPError:
                        failures += 1
                    await asyncio.sleep(0.01)

            writers = [asyncio.create_task(writer()) for _ in range(3)]
            await asyncio.sleep(1.5)
            before_restart = len(acknowledged)
            await asyncio.to_thread(private_cluster.restart, 1.0)
            # The server recovers by itself: writes are acknowledged again.
            deadline = time.monotonic() + 20
            while len(acknowledged) < before_restart + 20 and time.monotonic() < deadline:  # noqa: ASYNC110
                await asyncio.sleep(0.2)
            stop.set()
            await asyncio.gather(*writers)
        assert len(acknowledged) >= before_restart + 20, "server did not recover"

    await open_database(url)
    try:
        from schema.ids import decode_as

        ids = [decode_as("Worker", a) for a in acknowledged]
        assert await Worker.filter(id__in=ids).count() == len(set(ids))
        events = await WorkerEvent.filter(type="REGISTERED").values_list("worker_id", flat=True)
        assert sorted(events) == sorted(await Worker.all().values_list("id", flat=True))
        assert len(events) == len(set(events))  # exactly one event per registration
    finally:
        await close_database()


async def test_a_client_that_stops_reading_is_cut_off_and_others_are_unaffected(
        db, database_url, tmp_path):
    p = await f.partner()
    secret = await f.key(p)
    officer = await f.key(p, name="writer")
    with running_server(database_url, log_path=tmp_path / "server.log",
                        extra_env={"PORTAL_RATE_LIMIT_PER_KEY": "0",
                                   "PORTAL_RATE_LIMIT_PER_ADDRESS": "0"}) as base:
        ws_url = base.replace("http://", "ws://") + "/graphql"
        subscribe = json.dumps({"type": "subscribe", "id": "s", "payload": {
            "query": "subscription { workerEvents { cursor type worker { fullName nik "
                     "passportNumber heirs { fullName } } } }"}})
        init = json.dumps({"type": "connection_init",
                           "payload": {"authorization": f"Bearer {secret}"}})
        async with websockets.connect(ws_url, subprotocols=["graphql-transport-ws"],
                                      max_size=2**20, max_queue=1) as stuck, \
                websockets.connect(ws_url, subprotocols=["graphql-transport-ws"]) as healthy:
            for ws in (stuck, healthy):
                await ws.send(init)
                await ws.recv()
                await ws.send(subscribe)
            await asyncio.sleep(0.3)
            async with httpx.AsyncClient(base_url=base, timeout=10) as http:
                for _ in range(60):
                    await http.post("/graphql", json={"query": REGISTER, "variables": {
                        "i": f.worker_input()}}, headers={"authorization": f"Bearer {officer}"})
            received = 0
            with pytest.raises(TimeoutError):
                while True:
                    await asyncio.wait_for(healthy.recv(), 3)
                    received += 1
            assert received == 60  # the healthy client got everything, in time
        log = (tmp_path / "server.log").read_text()
        assert "Traceback" not in log


async def test_sigterm_closes_websockets_with_1012_and_finishes_in_flight_requests(
        db, database_url, tmp_path):
    p = await f.partner()
    secret = await f.key(p)
    port = free_port()
    env = {**os.environ, "PORTAL_DATABASE_URL": database_url, "PORTAL_SECRET_KEY": TEST_SECRET}
    log_path = tmp_path / "server.log"
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "portal.cli", "serve", "--port", str(port), env=env,
        cwd=ROOT_DIR, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient() as http:
            for _ in range(100):
                try:
                    if (await http.get(f"{base}/healthz", timeout=0.5)).status_code == 200:
                        break
                except httpx.HTTPError:
                    await asyncio.sleep(0.1)
        async with websockets.connect(base.replace("http", "ws") + "/graphql",
                                      subprotocols=["graphql-transport-ws"]) as ws:
            await ws.send(json.dumps({"type": "connection_init",
                                      "payload": {"authorization": f"Bearer {secret}"}}))
            await ws.recv()
            await ws.send(json.dumps({"type": "subscribe", "id": "1", "payload": {
                "query": "subscription { workerEvents { cursor } }"}}))
            await asyncio.sleep(0.3)
            process.send_signal(signal.SIGTERM)
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), 15)
        assert closed.value.rcvd is not None and closed.value.rcvd.code in (1001, 1012)
        # Uvicorn re-raises the signal after its graceful shutdown, hence -SIGTERM.
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
        assert process.returncode in (0, -signal.SIGTERM)
        text = stderr.decode()
        log_path.write_text(text)
        assert "Application shutdown complete" in text and "Traceback" not in text
    finally:
        if process.returncode is None:
            process.kill()


IMPORT = """mutation($rows: [RegisterWorkerInput!]!, $key: String) {
  importWorkers(rows: $rows, idempotencyKey: $key) {
    __typename ... on ImportWorkersSuccess { created failed written } } }"""


async def test_sigkill_during_a_bulk_import_then_retry_with_the_same_key_has_no_gap_or_duplicate(
        db, database_url, tmp_path):
    p = await f.partner()
    secret = await f.key(p)
    rows = [f.worker_input() for _ in range(3000)]
    body = {"query": IMPORT, "variables": {"rows": rows, "key": "agency-batch-2026-11"}}
    headers = {"authorization": f"Bearer {secret}"}
    env = {"PORTAL_RATE_LIMIT_PER_KEY": "0", "PORTAL_RATE_LIMIT_PER_ADDRESS": "0"}
    port = free_port()
    full_env = {**os.environ, "PORTAL_DATABASE_URL": database_url,
                "PORTAL_SECRET_KEY": TEST_SECRET, **env}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "portal.cli", "serve", "--port", str(port), env=full_env,
        cwd=ROOT_DIR, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            for _ in range(100):
                try:
                    if (await http.get("/healthz", timeout=0.5)).status_code == 200:
                        break
                except httpx.HTTPError:
                    await asyncio.sleep(0.1)
            pending = asyncio.ensure_future(http.post("/graphql", json=body, headers=headers))
            await asyncio.sleep(0.8)  # mid-import (or just after it committed)
            process.kill()
            await process.wait()
            # Killed mid-import, or just after the import committed: both must end well.
            with contextlib.suppress(httpx.HTTPError):
                await pending
    finally:
        if process.returncode is None:
            process.kill()
    with running_server(database_url, log_path=tmp_path / "second.log", extra_env=env) as b:
        async with httpx.AsyncClient(base_url=b, timeout=120) as http:
            retried = (await http.post("/graphql", json=body, headers=headers)).json()
            again = (await http.post("/graphql", json=body, headers=headers)).json()
    result = retried["data"]["importWorkers"]
    assert result["__typename"] == "ImportWorkersSuccess" and result["created"] == 3000
    assert again["data"]["importWorkers"] == result  # the stored result, not a second run
    assert await Worker.filter(partner_id=p.id).count() == 3000
    registered = await WorkerEvent.filter(type="REGISTERED").values_list("worker_id", flat=True)
    assert len(registered) == len(set(registered)) == 3000
