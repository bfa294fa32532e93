"""The PORTAL_WEBHOOK_* settings (read by portal.settings, used by portal.webhooks).

Kept apart from portal.settings so the dispatcher's knobs sit in one readable place.
Errors are ValueError with the variable's name; portal.settings reports them as
SettingsError like every other setting.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from models.webhook_queue import BreakerPolicy

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")


@dataclass(frozen=True)
class WebhookSettings:
    # Run the dispatcher in this process (several processes may on PostgreSQL; on SQLite
    # a file lock keeps it to one whatever this says).
    enabled: bool = True
    # Lift the SSRF guard: allow loopback and private addresses (tests, private networks).
    allow_private: bool = False
    timeout_seconds: float = 10.0
    # Attempts per delivery before it goes to the dead-letter queue.
    max_attempts: int = 12
    # Exponential backoff with full jitter: a random wait in [0, min(max, base * 2^n)].
    backoff_base_seconds: float = 5.0
    backoff_max_seconds: float = 3600.0
    # Circuit breaker: failures in a row before an endpoint pauses, and for how long.
    circuit_threshold: int = 5
    circuit_cooldown_seconds: float = 30.0
    circuit_cooldown_max_seconds: float = 1800.0
    # Failures in a row after which an endpoint is switched off.
    disable_after: int = 100
    # Deliveries in flight at once per process.
    concurrency: int = 10
    # How often the log and the queue are looked at when nothing wakes the dispatcher.
    poll_seconds: float = 1.0
    # On shutdown, how long in-flight deliveries may finish before their leases go back.
    shutdown_grace_seconds: float = 10.0

    @property
    def breaker(self) -> BreakerPolicy:
        return BreakerPolicy(
            threshold=self.circuit_threshold,
            cooldown=self.circuit_cooldown_seconds,
            cooldown_max=self.circuit_cooldown_max_seconds,
            disable_after=self.disable_after,
        )

    def problem(self) -> str | None:
        """The first invalid setting, named, or None."""
        positive = {
            "PORTAL_WEBHOOK_TIMEOUT_SECONDS": self.timeout_seconds,
            "PORTAL_WEBHOOK_MAX_ATTEMPTS": self.max_attempts,
            "PORTAL_WEBHOOK_BACKOFF_MAX_SECONDS": self.backoff_max_seconds,
            "PORTAL_WEBHOOK_CIRCUIT_THRESHOLD": self.circuit_threshold,
            "PORTAL_WEBHOOK_DISABLE_AFTER": self.disable_after,
            "PORTAL_WEBHOOK_CONCURRENCY": self.concurrency,
            "PORTAL_WEBHOOK_POLL_SECONDS": self.poll_seconds,
        }
        for name, value in positive.items():
            if value <= 0:
                return f"{name} must be more than 0"
        not_negative = {
            "PORTAL_WEBHOOK_BACKOFF_BASE_SECONDS": self.backoff_base_seconds,
            "PORTAL_WEBHOOK_CIRCUIT_COOLDOWN_SECONDS": self.circuit_cooldown_seconds,
            "PORTAL_WEBHOOK_CIRCUIT_COOLDOWN_MAX_SECONDS": self.circuit_cooldown_max_seconds,
            "PORTAL_WEBHOOK_SHUTDOWN_GRACE_SECONDS": self.shutdown_grace_seconds,
        }
        for name, value in not_negative.items():
            if value < 0:
                return f"{name} must be 0 or more"
        return None


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False if value else default
    raise ValueError(f"{name} must be true or false")


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number") from None
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number")
    return value


def _whole(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number") from None


def from_env(env: Mapping[str, str]) -> WebhookSettings:
    d = WebhookSettings()
    return WebhookSettings(
        enabled=_bool(env, "PORTAL_WEBHOOK_ENABLED", d.enabled),
        allow_private=_bool(env, "PORTAL_WEBHOOK_ALLOW_PRIVATE", d.allow_private),
        timeout_seconds=_number(env, "PORTAL_WEBHOOK_TIMEOUT_SECONDS", d.timeout_seconds),
        max_attempts=_whole(env, "PORTAL_WEBHOOK_MAX_ATTEMPTS", d.max_attempts),
        backoff_base_seconds=_number(env, "PORTAL_WEBHOOK_BACKOFF_BASE_SECONDS",
                                     d.backoff_base_seconds),
        backoff_max_seconds=_number(env, "PORTAL_WEBHOOK_BACKOFF_MAX_SECONDS",
                                    d.backoff_max_seconds),
        circuit_threshold=_whole(env, "PORTAL_WEBHOOK_CIRCUIT_THRESHOLD", d.circuit_threshold),
        circuit_cooldown_seconds=_number(env, "PORTAL_WEBHOOK_CIRCUIT_COOLDOWN_SECONDS",
                                         d.circuit_cooldown_seconds),
        circuit_cooldown_max_seconds=_number(env, "PORTAL_WEBHOOK_CIRCUIT_COOLDOWN_MAX_SECONDS",
                                             d.circuit_cooldown_max_seconds),
        disable_after=_whole(env, "PORTAL_WEBHOOK_DISABLE_AFTER", d.disable_after),
        concurrency=_whole(env, "PORTAL_WEBHOOK_CONCURRENCY", d.concurrency),
        poll_seconds=_number(env, "PORTAL_WEBHOOK_POLL_SECONDS", d.poll_seconds),
        shutdown_grace_seconds=_number(env, "PORTAL_WEBHOOK_SHUTDOWN_GRACE_SECONDS",
                                       d.shutdown_grace_seconds),
    )
