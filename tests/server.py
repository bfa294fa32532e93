"""A real `portal serve` on 127.0.0.1 for protocol tests, stopped by its own pid."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import TEST_SECRET

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_server(database_url: str, *, extra_env: dict[str, str] | None = None,
                   log_path: Path | None = None) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "PORTAL_DATABASE_URL": database_url,
           "PORTAL_SECRET_KEY": TEST_SECRET, **(extra_env or {})}
    log = open(log_path, "wb") if log_path else subprocess.DEVNULL  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "portal.cli", "serve", "--host", "127.0.0.1", "--port",
         str(port)], env=env, cwd=ROOT, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"portal serve exited with {process.returncode}")
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("portal serve did not answer within 30 s")
            time.sleep(0.1)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if log_path:
            log.close()  # type: ignore[union-attr]


class Api:
    """GraphQL over HTTP against a running server with one API key; fails on any error."""

    def __init__(self, base: str, secret: str) -> None:
        self.base, self.secret = base, secret

    async def run(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        async with httpx.AsyncClient(base_url=self.base, timeout=10) as http:
            response = await http.post("/graphql", json={"query": query,
                                                          "variables": variables or {}},
                                       headers={"authorization": f"Bearer {self.secret}"})
        body = response.json()
        assert "errors" not in body, body
        return body["data"]
