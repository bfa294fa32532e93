"""Per-key and per-address request limits, holding across processes on PostgreSQL.

Fixed one-minute windows. Each process counts locally and, on PostgreSQL, adds its counts
to shared rows every ``SYNC_SECONDS`` and reads back the totals of all processes, so a
key spread over several processes or hosts is held to one limit (overshoot is bounded by
what the other processes admit within one sync interval). The request path never waits
for the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import defaultdict

from starlette.responses import JSONResponse

from models.rate_limits import add_counts, forget_before

log = logging.getLogger("portal.rate_limit")
WINDOW_SECONDS = 60
SYNC_SECONDS = 0.5


class RateLimiter:
    def __init__(self, *, per_key: int, per_address: int, shared: bool) -> None:
        self.per_key = per_key
        self.per_address = per_address
        self.shared = shared
        self._window = self._current_window()
        self._local: dict[str, int] = defaultdict(int)
        self._unsynced: dict[str, int] = defaultdict(int)
        self._others: dict[str, int] = defaultdict(int)  # other processes' counts
        self._task: asyncio.Task[None] | None = None

    @staticmethod
    def _current_window() -> int:
        return int(time.time()) // WINDOW_SECONDS * WINDOW_SECONDS

    def _roll(self) -> None:
        window = self._current_window()
        if window != self._window:
            self._window = window
            self._local.clear()
            self._unsynced.clear()
            self._others.clear()

    def hit(self, bucket: str, limit: int) -> int | None:
        """Count a request; the seconds to wait when the bucket is over its limit."""
        if limit <= 0:
            return None
        self._roll()
        if self._local[bucket] + self._others[bucket] >= limit:
            return max(1, self._window + WINDOW_SECONDS - int(time.time()))
        self._local[bucket] += 1
        self._unsynced[bucket] += 1
        return None

    def refuse(self, bucket_kind: str, limit: int, retry_after: int) -> JSONResponse:
        who = "this API key" if bucket_kind == "perKey" else "this address"
        return JSONResponse(
            {"errors": [{"message": f"More than {limit} requests a minute from {who}; retry "
                         f"in {retry_after} s.",
                         "extensions": {"code": "RATE_LIMITED", "limit": bucket_kind,
                                        "max": limit, "retryAfter": retry_after}}]},
            status_code=429, headers={"Retry-After": str(retry_after)})

    # -- sharing across processes ---------------------------------------------------------
    def start(self) -> None:
        if self.shared:
            self._task = asyncio.create_task(self._sync_forever(), name="rate-limit-sync")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def sync(self) -> None:
        from tortoise.connection import get_connection

        self._roll()
        # Every bucket active here this window is refreshed, with or without new counts,
        # so a process learns what the others admitted even while its own traffic pauses.
        window = self._window
        deltas = {bucket: self._unsynced.get(bucket, 0) for bucket in self._local}
        self._unsynced.clear()
        if not deltas:
            return
        try:
            totals = await add_counts(get_connection("default"), window, deltas)
        except Exception:
            # Counting stays local until the database answers again.
            for bucket, delta in deltas.items():
                self._unsynced[bucket] += delta
            log.warning("could not share rate-limit counts; limiting per process meanwhile")
            return
        if window == self._window:
            for bucket, total in totals.items():
                self._others[bucket] = max(0, total - self._local[bucket])

    async def _sync_forever(self) -> None:
        from tortoise.connection import get_connection

        last_cleanup = 0.0
        while True:
            await asyncio.sleep(SYNC_SECONDS)
            await self.sync()
            if time.monotonic() - last_cleanup > WINDOW_SECONDS:
                last_cleanup = time.monotonic()
                with contextlib.suppress(Exception):
                    await forget_before(get_connection("default"),
                                        self._window - 2 * WINDOW_SECONDS)
