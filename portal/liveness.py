"""Long-lived connections end when their credentials do.

A WebSocket or SSE stream authenticated with a key that is then revoked or expires, or with
a session that is logged out or expires, or whose key an operator force-disconnected, is
closed within ``RECHECK_SECONDS``.

One checker per process, not one per connection: every ``RECHECK_SECONDS`` it reads all the
keys that open connections use in one query, and each distinct session once, then closes
the connections whose credentials ended. 1,000 connections on one key used to cost 500
queries per second and an asyncio task each (bench/RESULTS.md, issue 5).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from models.access import ApiKey, Viewer
from models.accounts import session_alive
from models.api_keys import key_alive, key_usable
from models.clock import now

log = logging.getLogger("portal.liveness")

RECHECK_SECONDS = 2.0


async def credentials_valid(viewer: Viewer, connected_at: datetime | None = None) -> bool:
    if viewer.api_key_id is not None:
        return await key_alive(viewer.api_key_id, connected_at)
    if viewer.session_id is not None:
        return await session_alive(viewer.session_id)
    return False


class Watch:
    """One connection's credentials; ``alive`` turns False once, then ``on_expired`` runs.

    Registered with the process's checker; ``stop()`` when the connection ends."""

    __slots__ = ("alive", "connected_at", "on_expired", "viewer", "_checker")

    def __init__(self, viewer: Viewer, on_expired: Callable[[], Awaitable[None]],
                 interval: float = RECHECK_SECONDS) -> None:
        self.viewer = viewer
        self.on_expired = on_expired
        self.alive = True
        self.connected_at = now()
        self._checker = CredentialChecker.for_interval(interval)
        self._checker.add(self)

    def stop(self) -> None:
        self._checker.discard(self)

    async def stopped(self) -> None:
        self.stop()


class CredentialChecker:
    """Rechecks the credentials of every registered Watch of this process."""

    _instances: dict[float, CredentialChecker] = {}

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.watches: set[Watch] = set()
        self.rounds = 0  # completed checks (tests and /metrics-free diagnostics)
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @classmethod
    def for_interval(cls, interval: float = RECHECK_SECONDS) -> CredentialChecker:
        checker = cls._instances.get(interval)
        if checker is None:
            checker = cls._instances[interval] = cls(interval)
        return checker

    def add(self, watch: Watch) -> None:
        self.watches.add(watch)
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done() or self._loop is not loop:
            # One task per process (and per event loop: tests run several loops).
            self._loop = loop
            self._task = loop.create_task(self._run(), name="credential-checker")

    def discard(self, watch: Watch) -> None:
        self.watches.discard(watch)

    async def _run(self) -> None:
        while self.watches:
            await asyncio.sleep(self.interval)
            try:
                await self.check()
            except Exception:  # a database hiccup is not a revocation
                log.warning("could not recheck credentials; will retry")
        self._task = None

    async def check(self) -> None:
        watches = list(self.watches)
        key_ids = {w.viewer.api_key_id for w in watches if w.viewer.api_key_id is not None}
        keys = {k.id: k for k in await ApiKey.filter(id__in=key_ids)} if key_ids else {}
        session_ids = {w.viewer.session_id for w in watches
                       if w.viewer.api_key_id is None and w.viewer.session_id is not None}
        sessions = {s: await session_alive(s) for s in session_ids}
        at = now()
        expired = []
        for watch in watches:
            viewer = watch.viewer
            if viewer.api_key_id is not None:
                valid = key_usable(keys.get(viewer.api_key_id), at, watch.connected_at)
            elif viewer.session_id is not None:
                valid = sessions.get(viewer.session_id, False)
            else:
                valid = False
            if not valid and watch.alive:
                watch.alive = False
                self.watches.discard(watch)
                expired.append(watch)
        self.rounds += 1
        for watch in expired:
            with contextlib.suppress(Exception):  # one failing close must not stop others
                await watch.on_expired()
