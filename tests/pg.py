"""PostgreSQL helpers for tests: reachability and per-test databases."""

from __future__ import annotations

import asyncio
import os
import socket

import asyncpg

ADMIN_URL = os.environ.get("PORTAL_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")


def _host_port() -> tuple[str, int]:
    rest = ADMIN_URL.split("@", 1)[1]
    hostport = rest.split("/", 1)[0]
    host, _, port = hostport.partition(":")
    return host, int(port or 5432)


def url(database: str) -> str:
    base = ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{database}"


def reachable() -> bool:
    try:
        with socket.create_connection(_host_port(), timeout=1):
            pass
    except OSError:
        return False
    try:
        asyncio.run(_execute("SELECT 1"))
    except Exception:
        return False
    return True


async def _execute(sql: str) -> None:
    conn = await asyncpg.connect(ADMIN_URL)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _create_sql(name: str, template: str | None) -> str:
    suffix = f' TEMPLATE "{template}"' if template else ""
    return f'CREATE DATABASE "{name}"{suffix}'


def _drop_sql(name: str) -> str:
    return f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'


def create_database(name: str, template: str | None = None) -> None:
    """From synchronous fixtures (no running event loop)."""
    asyncio.run(_execute(_create_sql(name, template)))


def drop_database(name: str) -> None:
    asyncio.run(_execute(_drop_sql(name)))


async def create_database_async(name: str, template: str | None = None) -> None:
    """From inside async tests."""
    await _execute(_create_sql(name, template))


async def drop_database_async(name: str) -> None:
    await _execute(_drop_sql(name))
