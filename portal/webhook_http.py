"""One webhook attempt over HTTP: the payload, its signature, the guarded connection, and
what the answer means (success, retry when, or give up).

Signature: ``X-Portal-Signature: v1=<hex HMAC-SHA256(secret, f"{timestamp}.{body}")>``;
while a rotated secret is still in its overlap the header carries one ``v1=`` per secret,
newest first, and receivers accept the request when any of them matches
(frontend-contract/webhooks/verify.py and verify.js).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.helpers import is_ip_address
from aiohttp.resolver import DefaultResolver

from models.events import WorkerEvent
from models.webhook_urls import address_allowed, parse
from models.webhooks import WebhookDelivery
from schema import ids
from schema.events.types import event_cursor

PAYLOAD_VERSION = 1
USER_AGENT = "PartnerPortal-Webhooks/1"
SIGNATURE_HEADER = "X-Portal-Signature"
EVENT_ID_HEADER = "X-Portal-Event-Id"
DELIVERY_ID_HEADER = "X-Portal-Delivery-Id"
TIMESTAMP_HEADER = "X-Portal-Timestamp"
ATTEMPT_HEADER = "X-Portal-Attempt"
# Longest Retry-After honoured; a receiver asking for more is retried after a day.
RETRY_AFTER_MAX_SECONDS = 86_400.0
# Response bodies are never stored (they may hold anything); read a little so the
# connection can be reused, never more.
RESPONSE_READ_LIMIT = 64 * 1024
MAX_ERROR = 300


class BlockedAddress(OSError):
    """The SSRF guard refused every address of the host."""


class GuardedResolver(AbstractResolver):
    """Resolves like aiohttp does, then drops the addresses the SSRF guard refuses: the
    connection is made only to addresses that passed, whatever the name resolves to by
    the time of the delivery (DNS rebinding)."""

    def __init__(self) -> None:
        self._inner = DefaultResolver()

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        allowed = [r for r in results if address_allowed(r["host"])]
        if not allowed:
            raise BlockedAddress(f"{host} resolves only to non-public addresses")
        return allowed

    async def close(self) -> None:
        await self._inner.close()


def new_session(*, allow_private: bool, concurrency: int) -> aiohttp.ClientSession:
    """The dispatcher's HTTP client: guarded unless private addresses are allowed, no
    proxies from the environment, no cookies kept between receivers."""
    connector = aiohttp.TCPConnector(
        limit=max(concurrency, 1),
        resolver=None if allow_private else GuardedResolver(),
        ttl_dns_cache=30,
    )
    return aiohttp.ClientSession(
        connector=connector, trust_env=False, cookie_jar=aiohttp.DummyCookieJar(),
        headers={"User-Agent": USER_AGENT},
    )


# --- payload and signature ---------------------------------------------------------------


def payload(event: WorkerEvent, partner_code: str) -> bytes:
    """The event as integrators receive it. The same bytes on every attempt: ``id`` is
    stable, so receivers deduplicate on it. Identifiers in ``changes`` are masked by the
    log itself (models.worker_changes)."""
    body: dict[str, Any] = {
        "version": PAYLOAD_VERSION,
        "id": ids.encode("WorkerEvent", event.id),
        "cursor": event_cursor(event.id),
        "type": event.type.value,
        "occurredAt": event.occurred_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "workerId": ids.encode("Worker", event.worker_id),
        "partner": partner_code,
        "actor": event.actor,
        "reason": event.reason,
        "changes": event.changes or {},
    }
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def sign(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secrets: Sequence[str], timestamp: int, body: bytes) -> str:
    """``v1=<hex>`` per secret, newest first."""
    return ",".join(f"v1={sign(s, timestamp, body)}" for s in secrets)


def headers(delivery: WebhookDelivery, event_id: int, secrets: Sequence[str], body: bytes,
            attempt: int, timestamp: int | None = None) -> dict[str, str]:
    at = int(time.time()) if timestamp is None else timestamp
    return {
        "Content-Type": "application/json",
        EVENT_ID_HEADER: ids.encode("WorkerEvent", event_id),
        DELIVERY_ID_HEADER: ids.encode("WebhookDelivery", delivery.id),
        TIMESTAMP_HEADER: str(at),
        ATTEMPT_HEADER: str(attempt),
        SIGNATURE_HEADER: signature_header(secrets, at, body),
    }


# --- the attempt -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Answer:
    """What the receiver (or the network) said."""

    status_code: int | None
    latency_ms: int | None
    error: str | None
    retryable: bool
    retry_after: float | None = None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def retry_after_seconds(value: str | None, at: datetime | None = None) -> float | None:
    """Retry-After as seconds from now: delta-seconds or an HTTP date; None if absent or
    unreadable."""
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return min(float(text), RETRY_AFTER_MAX_SECONDS)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    delta = (when - (at or datetime.now(UTC))).total_seconds()
    return min(max(delta, 0.0), RETRY_AFTER_MAX_SECONDS)


def classify(status: int, retry_after: str | None) -> Answer:
    """2xx succeeds; 408 and 429 are retried, other 4xx are final (the receiver refused
    this request and will refuse it again); 3xx and 5xx are retried. Retry-After counts
    on 429 and 503."""
    if 200 <= status < 300:
        return Answer(status, None, None, retryable=False)
    wait = retry_after_seconds(retry_after) if status in (429, 503) else None
    retryable = not (400 <= status < 500) or status in (408, 429)
    return Answer(status, None, f"HTTP {status}", retryable=retryable, retry_after=wait)


def backoff_seconds(attempt: int, base: float, cap: float, rng: random.Random) -> float:
    """Exponential backoff with full jitter: uniform in [0, min(cap, base * 2^(n-1))],
    so receivers recovering from an outage are not hit by every sender at once."""
    ceiling = min(cap, base * 2 ** max(0, min(attempt, 40) - 1))
    return rng.uniform(0, ceiling)


def _describe(exc: BaseException, timeout: float) -> tuple[str, bool]:
    """A short, PII-free error text and whether it is worth retrying."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(chain) < 5:
        chain.append(current)
        current = current.__cause__ or current.__context__
    if any(isinstance(e, BlockedAddress) for e in chain) or isinstance(
            getattr(exc, "os_error", None), BlockedAddress):
        return ("refused by the SSRF guard: the host resolves to a non-public address",
                False)
    if isinstance(exc, TimeoutError | aiohttp.ServerTimeoutError):
        return f"timeout after {timeout:g} s", True
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return "DNS lookup failed", True
    if isinstance(exc, aiohttp.ClientConnectorCertificateError | aiohttp.ClientSSLError):
        return "TLS handshake failed", True
    if isinstance(exc, aiohttp.ClientConnectorError):
        return "connection failed", True
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return "server disconnected", True
    if isinstance(exc, aiohttp.ClientError):
        return f"HTTP client error ({type(exc).__name__})", True
    return f"unexpected error ({type(exc).__name__})", True


async def send(session: aiohttp.ClientSession, url: str, body: bytes, hdrs: dict[str, str],
               *, timeout_seconds: float, allow_private: bool) -> Answer:
    """POST once. Redirects are not followed: a redirect could lead past the SSRF guard,
    and receivers are expected to answer at the URL they registered."""
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    if not allow_private:
        # aiohttp skips the resolver for IP literals, so those are judged here.
        # Its own test of "is a literal" is used, so nothing it skips goes unjudged.
        host = parse(url).host
        if is_ip_address(host) and not address_allowed(host):
            return Answer(None, 0, "refused by the SSRF guard: the address is not public",
                          retryable=False)
    try:
        async with session.post(url, data=body, headers=hdrs, allow_redirects=False,
                                timeout=aiohttp.ClientTimeout(total=timeout_seconds)) as response:
            await response.content.read(RESPONSE_READ_LIMIT)
            answer = classify(response.status, response.headers.get("Retry-After"))
            return Answer(answer.status_code, elapsed(), answer.error, answer.retryable,
                          answer.retry_after)
    except Exception as exc:  # every failure is an outcome to record, never a crash
        error, retryable = _describe(exc, timeout_seconds)
        return Answer(None, elapsed(), error[:MAX_ERROR], retryable)
