"""The webhook dispatcher: turns the event log into signed HTTP deliveries.

Each pass (1) enqueues, for every active endpoint, the events after its cursor
(models.webhook_queue, through the tenancy choke point), then (2) claims due deliveries
under a lease — in order per worker — and (3) POSTs them with aiohttp
(portal.webhook_http), recording every attempt and deciding what comes next: success,
a retry after exponential backoff with full jitter (or the receiver's Retry-After), or the
dead-letter queue. A circuit breaker pauses an endpoint after a run of failures and a
longer run switches it off. Everything lives in the database, so a restart, a crash or a
second process resumes where the work stopped: every event reaches every endpoint at least
once, with the same event id each time.

Started from the app lifespan (``start``/``stop``); tests drive ``enqueue``,
``deliver_due`` and ``step`` directly.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import random
import socket
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO

import aiohttp

from models import event_log, webhook_queue, webhook_urls
from models.clock import now
from models.identifiers import VaultError
from models.webhook_endpoints import open_secret
from models.webhook_queue import Claimed, EndpointHealth, Outcome
from models.webhooks import WebhookEndpoint
from portal.settings import Settings
from portal.webhook_http import Answer, backoff_seconds, headers, new_session, payload, send
from portal.webhook_settings import WebhookSettings

log = logging.getLogger("portal.webhooks")

# A lease outlives the longest attempt by this much, so a slow but live delivery is never
# taken over by another dispatcher while it is still being sent.
LEASE_MARGIN = timedelta(seconds=60)


class _SqliteLock:
    """One dispatcher per SQLite database: SQLite has one writer and no SKIP LOCKED, and
    ``portal serve --processes N`` starts N app processes. An exclusive lock on a file
    next to the database picks one; the others keep trying, so one takes over when the
    holder stops."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[bytes] | None = None

    def acquire(self) -> bool:
        if self._file is not None:
            return True
        handle = open(self.path, "ab")  # noqa: SIM115 (held open as long as the lock)
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._file = handle
        return True

    def release(self) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None


def _sqlite_lock(database_url: str) -> _SqliteLock | None:
    if not database_url.startswith("sqlite://"):
        return None
    path = database_url[len("sqlite://"):].split("?", 1)[0]
    if not path or path == ":memory:":
        return None
    return _SqliteLock(Path(f"{path}.webhooks.lock"))


class Dispatcher:
    def __init__(self, config: WebhookSettings, *, database_url: str = "",
                 instance: str | None = None, rng: random.Random | None = None) -> None:
        self.config = config
        self.instance = instance or (
            f"{socket.gethostname()[:24]}:{os.getpid()}:{uuid.uuid4().hex[:8]}")
        self.lease = timedelta(seconds=config.timeout_seconds) + LEASE_MARGIN
        self._rng = rng or random.SystemRandom()
        self._session: aiohttp.ClientSession | None = None
        self._lock = _sqlite_lock(database_url)
        self._inflight: dict[int, asyncio.Task[None]] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._queued_since_analyze = 0

    # -- lifecycle ----------------------------------------------------------------------
    async def open(self) -> None:
        if self._session is None:
            self._session = new_session(allow_private=self.config.allow_private,
                                        concurrency=self.config.concurrency)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> Dispatcher:
        await self.open()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.stop()

    async def start(self) -> None:
        """Run in the background until ``stop``."""
        await self.open()
        if self._lock is None or self._lock.acquire():
            try:
                scheduled = await webhook_queue.reschedule_all()
                if scheduled:
                    log.info("webhook dispatcher started; rescheduled %d queue heads",
                             scheduled)
            except Exception:  # the first pass of the loop will try the database again
                log.warning("webhook dispatcher could not check its queues at start",
                            exc_info=True)
        event_log.add_commit_listener(self.wake)
        self._task = asyncio.create_task(self._run(), name="webhook-dispatcher")

    def wake(self) -> None:
        self._wake.set()

    async def stop(self) -> None:
        """Stop claiming; let in-flight deliveries finish within the grace period; give
        back the leases of those that did not, so another pass retries them."""
        self._stopping = True
        event_log.remove_commit_listener(self.wake)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None
        tasks = list(self._inflight.values())
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=self.config.shutdown_grace_seconds)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        with contextlib.suppress(Exception):  # the database may already be gone
            released = await webhook_queue.release(self.instance)
            if released:
                log.info("webhook dispatcher stopped; released %d in-flight deliveries",
                         released)
        await self.close()
        if self._lock is not None:
            self._lock.release()

    # -- the steps ----------------------------------------------------------------------
    async def enqueue(self) -> int:
        """(1) Turn new events into deliveries for every active endpoint."""
        queued = await webhook_queue.enqueue_all()
        self._queued_since_analyze += queued
        if self._queued_since_analyze >= webhook_queue.ANALYZE_AFTER:
            self._queued_since_analyze = 0
            await webhook_queue.refresh_statistics()
        return queued

    async def deliver_due(self) -> int:
        """(2)+(3) Claim what is due now and send it, waiting for every attempt."""
        claimed = await self._claim(self.config.concurrency)
        await asyncio.gather(*(self._attempt(c) for c in claimed))
        return len(claimed)

    async def step(self) -> int:
        """One pass of both steps; returns the number of attempts made."""
        await self.enqueue()
        return await self.deliver_due()

    # -- internals ----------------------------------------------------------------------
    async def _run(self) -> None:
        while not self._stopping:
            try:
                if self._lock is None or self._lock.acquire():
                    await self.enqueue()
                    free = self.config.concurrency - len(self._inflight)
                    for claimed in await self._claim(free):
                        self._spawn(claimed)
            except asyncio.CancelledError:
                raise
            except Exception:  # the database may be restarting; the next pass retries
                log.warning("webhook dispatcher pass failed; retrying", exc_info=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.config.poll_seconds)
            self._wake.clear()

    def _spawn(self, claimed: Claimed) -> None:
        delivery_id = claimed.delivery.id
        task = asyncio.create_task(self._attempt(claimed), name=f"webhook-{delivery_id}")
        self._inflight[delivery_id] = task

        def done(_: asyncio.Task[None]) -> None:
            self._inflight.pop(delivery_id, None)
            self._wake.set()  # a slot is free, and the worker's next event may be due

        task.add_done_callback(done)

    async def _claim(self, limit: int) -> list[Claimed]:
        if limit <= 0 or self._stopping:
            return []
        threshold = self.config.circuit_threshold
        ids = await webhook_queue.claim(self.instance, limit, self.lease, threshold)
        if not ids:
            return []
        keep: list[Claimed] = []
        extra: list[int] = []
        probing: set[int] = set()
        for claimed in await webhook_queue.load_claimed(ids):
            endpoint = claimed.endpoint
            if endpoint.consecutive_failures >= threshold:
                # Half-open: one probe decides whether the endpoint is back.
                if endpoint.id in probing:
                    extra.append(claimed.delivery.id)
                    continue
                probing.add(endpoint.id)
            keep.append(claimed)
        if extra:
            await webhook_queue.release(self.instance, extra)
        return keep

    def _secrets(self, endpoint: WebhookEndpoint, at: datetime) -> list[str]:
        secrets = [open_secret(endpoint.secret_sealed)]
        if (endpoint.previous_secret_sealed and endpoint.previous_secret_until is not None
                and endpoint.previous_secret_until > at):
            secrets.append(open_secret(endpoint.previous_secret_sealed))
        return secrets

    def _decide(self, answer: Answer, attempt: int, at: datetime) -> Outcome:
        if answer.succeeded:
            return Outcome(at, answer.status_code, answer.latency_ms, None, True, None)
        retry_at = None
        if answer.retryable and attempt < self.config.max_attempts:
            wait = answer.retry_after
            if wait is None:
                wait = backoff_seconds(attempt, self.config.backoff_base_seconds,
                                       self.config.backoff_max_seconds, self._rng)
            retry_at = now() + timedelta(seconds=wait)
        return Outcome(at, answer.status_code, answer.latency_ms, answer.error, False, retry_at)

    async def _attempt(self, claimed: Claimed) -> None:
        delivery, endpoint = claimed.delivery, claimed.endpoint
        attempt = delivery.attempts + 1
        at = now()
        try:
            if claimed.event is None:
                answer = Answer(None, None, "the event is no longer visible to this endpoint",
                                retryable=False)
            else:
                try:
                    secrets = self._secrets(endpoint, at)
                except VaultError:
                    # The data key that sealed the secret is not configured here; another
                    # process (or this one after a fix) may sign it later.
                    answer = Answer(None, None, "signing secret unavailable (data key)",
                                    retryable=True)
                else:
                    body = payload(claimed.event, claimed.partner.code)
                    hdrs = headers(delivery, claimed.event.id, secrets, body, attempt)
                    if self._session is None:
                        await self.open()
                    assert self._session is not None
                    answer = await send(self._session, endpoint.url, body, hdrs,
                                        timeout_seconds=self.config.timeout_seconds,
                                        allow_private=self.config.allow_private)
            outcome = self._decide(answer, attempt, at)
            health = await webhook_queue.finish(self.instance, claimed, outcome,
                                                self.config.breaker)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("webhook delivery=%s could not be recorded; its lease will lapse",
                          delivery.id)
            return
        self._log(claimed, attempt, outcome, health)

    def _log(self, claimed: Claimed, attempt: int, outcome: Outcome,
             health: EndpointHealth | None) -> None:
        # key=value lines: greppable at 3 a.m.; never the URL (it may hold a token) nor any
        # secret, never the payload.
        delivery, endpoint = claimed.delivery, claimed.endpoint
        state = ("succeeded" if outcome.succeeded
                 else "retrying" if outcome.retry_at is not None else "failed")
        level = (logging.DEBUG if outcome.succeeded
                 else logging.INFO if outcome.retry_at is not None else logging.WARNING)
        log.log(level, "webhook_attempt delivery=%s endpoint=%s event=%s attempt=%s "
                "outcome=%s status=%s latency_ms=%s error=%r", delivery.id, endpoint.id,
                delivery.event_id, attempt, state, outcome.status_code, outcome.latency_ms,
                outcome.error)
        if health is None:
            log.info("webhook_lease_lost delivery=%s endpoint=%s", delivery.id, endpoint.id)
            return
        if health.disabled:
            log.error("webhook_endpoint_disabled endpoint=%s partner=%s "
                      "consecutive_failures=%s last_error=%r", endpoint.id,
                      claimed.partner.code, health.consecutive_failures, outcome.error)
        elif health.circuit_opened_until is not None:
            log.warning("webhook_circuit_open endpoint=%s partner=%s consecutive_failures=%s "
                        "until=%s", endpoint.id, claimed.partner.code,
                        health.consecutive_failures, health.circuit_opened_until.isoformat())


async def start(settings: Settings) -> Dispatcher | None:
    """Configure the SSRF guard and start this process's dispatcher (app lifespan)."""
    config = settings.webhooks
    webhook_urls.configure(webhook_urls.UrlPolicy(allow_private=config.allow_private))
    if config.allow_private and settings.production:
        log.warning("PORTAL_WEBHOOK_ALLOW_PRIVATE is on in production: webhook URLs may "
                    "reach private and loopback addresses")
    if not config.enabled:
        return None
    dispatcher = Dispatcher(config, database_url=settings.database_url)
    await dispatcher.start()
    return dispatcher


async def stop(dispatcher: Dispatcher | None) -> None:
    if dispatcher is not None:
        await dispatcher.stop()
