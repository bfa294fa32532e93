"""Tortoise configuration and lifecycle for the portal's one app, ``portal``."""

from __future__ import annotations

from typing import Any

from tortoise import Tortoise
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.connection import get_connection

MODEL_MODULES: list[str] = [
    "models.partners",
    "models.workers",
    "models.contributions",
    "models.events",
    "models.access",
    "models.idempotency",
    "models.stats",
    "models.rate_limits",
    "models.webhooks",
]
APP = "portal"
MIGRATIONS = "models.migrations"


async def _release_without_session_reset(connection: Any) -> None:
    """What the pool does when a connection comes back, instead of asyncpg's default
    ``SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL``: a round trip
    after every statement outside a transaction (15% of a worker-detail request's CPU in
    bench/RESULTS.md). asyncpg still rolls back an open transaction first. Nothing here
    leaves session state on a pooled connection: the only advisory lock is
    transaction-scoped (models.event_log), LISTEN has its own connection (portal.events),
    and there are no session SETs or cursors (tests/test_db_pool.py keeps it so)."""


def tortoise_config(database_url: str, *, pool_max: int = 10) -> dict[str, Any]:
    connection: Any = database_url
    if database_url.startswith(("postgres://", "asyncpg://", "postgresql://")):
        url = database_url.replace("postgresql://", "postgres://", 1)
        sep = "&" if "?" in url else "?"
        connection = expand_db_url(
            f"{url}{sep}maxsize={pool_max}" if "maxsize=" not in url else url)
        connection["credentials"]["reset"] = _release_without_session_reset
    return {
        "connections": {"default": connection},
        "apps": {
            APP: {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": MIGRATIONS,
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def open_database(database_url: str, *, pool_max: int = 10) -> None:
    await Tortoise.init(
        config=tortoise_config(database_url, pool_max=pool_max), _enable_global_fallback=True
    )


async def close_database() -> None:
    await Tortoise.close_connections()


def dialect() -> str:
    return get_connection("default").capabilities.dialect


# For Tortoise's own CLI (`tortoise -c models.db.TORTOISE_ORM makemigrations`): the
# autodetector compares models with migration files and needs no real database.
TORTOISE_ORM: dict[str, Any] = tortoise_config("sqlite://:memory:")
