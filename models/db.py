"""Tortoise configuration and lifecycle for the portal's one app, ``portal``."""

from __future__ import annotations

from typing import Any

from tortoise import Tortoise
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


def tortoise_config(database_url: str, *, pool_max: int = 10) -> dict[str, Any]:
    connection: Any = database_url
    if database_url.startswith(("postgres://", "asyncpg://", "postgresql://")):
        url = database_url.replace("postgresql://", "postgres://", 1)
        sep = "&" if "?" in url else "?"
        connection = f"{url}{sep}maxsize={pool_max}" if "maxsize=" not in url else url
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
