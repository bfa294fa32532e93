"""Long-lived connections end when their credentials do.

A WebSocket or SSE stream authenticated with a key that is then revoked or expires, or with
a session that is logged out or expires, is closed within ``RECHECK_SECONDS``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from models.access import Viewer
from models.accounts import session_alive
from models.api_keys import key_alive
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
    """Rechecks a viewer's credentials in the background; ``alive`` turns False once."""

    def __init__(self, viewer: Viewer, on_expired: Callable[[], Awaitable[None]],
                 interval: float = RECHECK_SECONDS) -> None:
        self.viewer = viewer
        self.on_expired = on_expired
        self.interval = interval
        self.alive = True
        self.connected_at = now()
        self._task = asyncio.create_task(self._run(), name="credential-watch")

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                valid = await credentials_valid(self.viewer, self.connected_at)
            except Exception:  # a database hiccup is not a revocation
                log.warning("could not recheck credentials; will retry")
                continue
            if not valid:
                self.alive = False
                await self.on_expired()
                return

    def stop(self) -> None:
        self._task.cancel()

    async def stopped(self) -> None:
        self.stop()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
