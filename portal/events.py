"""Where events leave the system: the per-process event feed and its brokers.

The durable log (models.event_log) is the truth. A broker only says "look again": the
in-process broker wakes on commits in this process and polls the log's head (so writes by
other processes — the CLI on SQLite — arrive too); the PostgreSQL broker LISTENs for the
NOTIFY every event-writing transaction sends at commit, reconnects when the connection
drops, and polls slowly as a safety net. On each wake-up the feed reads the new events once
(for every subscriber of the process) and hands each to the subscribers allowed to see it.
A subscriber here is either one unshared subscription or one *group* of identical live
subscriptions (portal.fanout), whose single execution is then sent to all its sockets.

A subscriber that resumes (``after``) registers for live events first, then reads the log
up to the feed's head, then drains what arrived meanwhile, skipping what it already
delivered: no gap, no duplicate, commit order throughout (ids are monotonic in commit
order, see models.event_log).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field

import asyncpg
from tortoise.expressions import Q

from models import event_log
from models.access import Viewer
from models.enums import WorkerEventType
from models.events import WorkerEvent
from models.tenancy import event_visible_live, visible_events
from schema.errors import SlowConsumerError
from schema.events.types import event_cursor

log = logging.getLogger("portal.events")

READ_BATCH = 500
DEFAULT_QUEUE_BOUND = 1000


@dataclass(eq=False)
class Subscription:
    viewer: Viewer
    types: frozenset[WorkerEventType] | None
    worker_id: int | None
    bound: int
    queue: asyncio.Queue[WorkerEvent] = field(init=False)
    overflowed: bool = False

    def __post_init__(self) -> None:
        self.queue = asyncio.Queue(maxsize=self.bound)

    def wants(self, event: WorkerEvent) -> bool:
        if self.types is not None and event.type not in self.types:
            return False
        if self.worker_id is not None and event.worker_id != self.worker_id:
            return False
        return event_visible_live(self.viewer, event.partner_id)

    def offer(self, event: WorkerEvent) -> None:
        if self.overflowed or not self.wants(event):
            return
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            # Dropping silently would be a gap; the consumer is told and resumes instead.
            self.overflowed = True


def scoped_log(viewer: Viewer, types: Iterable[WorkerEventType] | None,
               worker_id: int | None) -> object:
    """The events a subscriber may read from the log (catch-up), through the choke point."""
    qs = visible_events(viewer)
    if types is not None:
        qs = qs.filter(type__in=list(types))
    if worker_id is not None:
        qs = qs.filter(worker_id=worker_id)
    return qs


class EventFeed:
    def __init__(self, *, poll_interval: float, queue_bound: int = DEFAULT_QUEUE_BOUND) -> None:
        self.head = 0
        self.poll_interval = poll_interval
        self.queue_bound = queue_bound
        self._subscriptions: set[Subscription] = set()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._extra_tasks: list[asyncio.Task[None]] = []

    # -- lifecycle ----------------------------------------------------------------------
    async def start(self) -> None:
        self.head = await _max_event_id()
        event_log.add_commit_listener(self.wake)
        self._task = asyncio.create_task(self._run(), name="event-feed")

    async def stop(self) -> None:
        event_log.remove_commit_listener(self.wake)
        for task in [self._task, *self._extra_tasks]:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    def wake(self) -> None:
        self._wake.set()

    @property
    def subscriber_count(self) -> int:
        return len(self._subscriptions)

    async def _run(self) -> None:
        while True:
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow the
            # cancellation that stop() sends when a wake-up lands at the same moment.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.poll_interval):
                    await self._wake.wait()
            self._wake.clear()
            try:
                await self._read_new()
            except Exception:  # the database may be restarting; try again next round
                log.warning("event feed could not read the log; retrying", exc_info=False)
                await asyncio.sleep(min(self.poll_interval, 1.0))

    async def _read_new(self) -> None:
        while True:
            batch = list(await WorkerEvent.filter(id__gt=self.head).order_by("id")
                         .limit(READ_BATCH))
            if not batch:
                return
            for event in batch:
                for subscription in list(self._subscriptions):
                    subscription.offer(event)
            self.head = batch[-1].id
            if len(batch) < READ_BATCH:
                return

    # -- subscribing --------------------------------------------------------------------
    async def stream(
        self,
        viewer: Viewer,
        *,
        after: int | None,
        types: Iterable[WorkerEventType] | None = None,
        worker_id: int | None = None,
        alive: Callable[[], bool] = lambda: True,
    ) -> AsyncIterator[WorkerEvent]:
        """Every later event the viewer may see, in commit order; live from now without
        ``after``."""
        wanted = frozenset(types) if types is not None else None
        subscription = Subscription(viewer, wanted, worker_id, self.queue_bound)
        self._subscriptions.add(subscription)
        try:
            registered_at = self.head
            cursor = registered_at if after is None else after
            # Catch-up from the log, up to where live delivery begins.
            while cursor < registered_at:
                qs = scoped_log(viewer, wanted, worker_id)
                batch = list(await qs.filter(Q(id__gt=cursor) & Q(id__lte=registered_at))
                             .order_by("id").limit(READ_BATCH))
                if not batch:
                    break
                for event in batch:
                    cursor = event.id
                    yield event
            while alive():
                if subscription.overflowed and subscription.queue.empty():
                    raise SlowConsumerError(event_cursor(cursor) if cursor else None,
                                            self.queue_bound)
                event = await subscription.queue.get()
                if event.id <= cursor:
                    continue
                cursor = event.id
                yield event
        finally:
            self._subscriptions.discard(subscription)


async def _max_event_id() -> int:
    row = await WorkerEvent.all().order_by("-id").first().values_list("id", flat=True)
    return int(row or 0)


class PostgresListener:
    """LISTEN on the events channel with its own connection; reconnects by itself."""

    def __init__(self, dsn: str, feed: EventFeed, *, retry_seconds: float = 1.0) -> None:
        self.dsn = dsn
        self.feed = feed
        self.retry_seconds = retry_seconds
        self.connected = asyncio.Event()
        self._conn: asyncpg.Connection | None = None

    async def run(self) -> None:
        while True:
            try:
                self._conn = await asyncpg.connect(self.dsn, timeout=5)
                terminated = asyncio.Event()
                self._conn.add_termination_listener(
                    lambda _conn, done=terminated: done.set())
                await self._conn.add_listener(event_log.CHANNEL, self._notified)
                self.connected.set()
                # Anything committed while we were not listening is read now.
                self.feed.wake()
                while not terminated.is_set():
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(terminated.wait(), self.retry_seconds * 5)
                    if not terminated.is_set():
                        # A silently dead connection (no FIN) shows up here.
                        await self._conn.fetchval("SELECT 1", timeout=5)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("event listener connection lost; reconnecting")
            finally:
                self.connected.clear()
                if self._conn is not None and not self._conn.is_closed():
                    with contextlib.suppress(Exception):
                        await self._conn.close()
            await asyncio.sleep(self.retry_seconds)

    def _notified(self, *_: object) -> None:
        self.feed.wake()

    async def drop_connection_for_tests(self) -> None:
        if self._conn is not None:
            self._conn.terminate()


def asyncpg_dsn(database_url: str) -> str:
    """The Tortoise URL as asyncpg wants it (no pool options)."""
    dsn = database_url.replace("asyncpg://", "postgres://", 1)
    base, _, query = dsn.partition("?")
    kept = [p for p in query.split("&") if p and not p.startswith(("maxsize=", "minsize="))]
    return base + ("?" + "&".join(kept) if kept else "")


async def start_feed(database_url: str, *, queue_bound: int = DEFAULT_QUEUE_BOUND
                     ) -> tuple[EventFeed, PostgresListener | None]:
    postgres = database_url.startswith(("postgres://", "postgresql://", "asyncpg://"))
    # PostgreSQL: NOTIFY wakes us; the poll is only a safety net. SQLite: the poll is how
    # other processes' writes arrive.
    feed = EventFeed(poll_interval=2.0 if postgres else 0.2, queue_bound=queue_bound)
    await feed.start()
    listener = None
    if postgres:
        listener = PostgresListener(asyncpg_dsn(database_url), feed)
        feed._extra_tasks.append(asyncio.create_task(listener.run(), name="event-listener"))
    return feed, listener
