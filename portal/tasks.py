"""Background work of a server process: the periodic expiry sweep.

Every process of ``portal serve --processes N`` runs its own sweep; that is safe because
the sweep is idempotent and takes its rows with SKIP LOCKED (models.sweep). The first run
waits a random part of the interval (at most a minute), so processes started together do
not all sweep at the same instant.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable

from models import event_log, worker_changes
from models.sweep import SweepResult

log = logging.getLogger("portal.sweep")
FIRST_RUN_SPREAD_SECONDS = 60.0


class PeriodicSweep:
    """Runs ``sweep`` every ``interval_seconds`` until stopped; 0 means never."""

    def __init__(
        self,
        interval_seconds: float,
        sweep: Callable[[], Awaitable[SweepResult]] = worker_changes.expire_lapsed,
        first_delay: float | None = None,
    ) -> None:
        self.interval = interval_seconds
        self.sweep = sweep
        self.first_delay = (
            random.uniform(0, min(interval_seconds, FIRST_RUN_SPREAD_SECONDS))
            if first_delay is None else first_delay
        )
        self.runs = 0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self.interval > 0 and self._task is None:
            self._task = asyncio.create_task(self._loop(), name="portal-expiry-sweep")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def run_once(self) -> None:
        try:
            result = await self.sweep()
        except Exception as exc:
            # The type only: driver messages may quote parameter values.
            log.error("expiry sweep failed (%s); next try in %s s", type(exc).__name__,
                      self.interval)
        else:
            if result.expired:
                log.info("expiry sweep: %d membership(s) expired", result.expired)
                event_log.committed()  # this process's subscribers hear of it at once
        finally:
            self.runs += 1

    async def _loop(self) -> None:
        await asyncio.sleep(self.first_delay)
        while True:
            await self.run_once()
            await asyncio.sleep(self.interval)
