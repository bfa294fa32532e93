"""Telling "the database is down for a moment" apart from a bug."""

from __future__ import annotations

import asyncpg
from tortoise.exceptions import DBConnectionError, OperationalError

_CONNECTION_WORDS = ("connection", "connect", "terminat", "shutdown", "closed", "refused")


def is_outage(exc: BaseException) -> bool:
    """A lost or refused database connection (PostgreSQL restarting, failover, network)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, (ConnectionError, asyncpg.PostgresConnectionError,
                                asyncpg.InterfaceError, DBConnectionError,
                                asyncpg.CannotConnectNowError)):
            return True
        if isinstance(current, OSError) and current.errno is not None:
            return True
        if isinstance(current, OperationalError) and any(
                w in str(type(current.__cause__).__name__).lower() + str(current).lower()
                for w in _CONNECTION_WORDS):
            return True
        current = current.__cause__ or current.__context__
    return False
