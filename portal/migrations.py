"""Applying the schema migrations (Tortoise ORM's own migration framework)."""

from __future__ import annotations

from tortoise.migrations.api import migrate as tortoise_migrate

from models.db import tortoise_config


async def migrate(database_url: str) -> int:
    """Apply pending migrations; returns how many were applied."""
    applied: list[str] = []

    def progress(event: str, app_label: str, name: str) -> None:
        if event == "apply_done":
            applied.append(f"{app_label}.{name}")

    await tortoise_migrate(config=tortoise_config(database_url), progress=progress)
    return len(applied)
