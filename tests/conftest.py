"""Fixtures that make each test read like the story it proves.

Backend: ``PORTAL_TEST_BACKEND=sqlite`` (default) or ``postgres``. Every test gets a fresh,
migrated database: on SQLite a copy of a template file migrated once per session; on
PostgreSQL ``CREATE DATABASE … TEMPLATE`` from a template migrated once per session.
PostgreSQL tests skip when no server answers, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from models import identifiers
from models.db import close_database, open_database
from portal.migrations import migrate
from portal.settings import Settings
from tests import pg

BACKEND = os.environ.get("PORTAL_TEST_BACKEND", "sqlite").lower()
IN_CI = os.environ.get("CI", "").lower() == "true"
TEST_SECRET = "test-secret-key-that-is-long-enough-for-production-0123"
ROOT_DIR = Path(__file__).resolve().parent.parent


def settings_for(database_url: str, **overrides: Any) -> Settings:
    return Settings(database_url=database_url, secret_key=TEST_SECRET, **overrides)


def pytest_report_header(config: pytest.Config) -> str:
    return f"partner-portal backend: {BACKEND} (CI={IN_CI})"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"

    async def build() -> None:
        url = f"sqlite://{path}"
        await open_database(url)
        await migrate(url)
        await close_database()

    asyncio.run(build())
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    if not pg.reachable():
        if IN_CI:
            pytest.fail("PostgreSQL is required under CI=true but is not reachable")
        pytest.skip("PostgreSQL not reachable on 127.0.0.1:5432 (runs under CI=true)")
    name = f"pp_tpl_{uuid.uuid4().hex[:10]}"
    pg.create_database(name)

    async def build() -> None:
        url = pg.url(name)
        await open_database(url)
        await migrate(url)
        await close_database()

    asyncio.run(build())
    yield name
    pg.drop_database(name)


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh migrated database for this test, on the backend under test."""
    if BACKEND == "postgres":
        template = request.getfixturevalue("postgres_template")
        name = f"pp_t_{uuid.uuid4().hex[:12]}"
        pg.create_database(name, template=template)
        yield pg.url(name)
        pg.drop_database(name)
    else:
        template = request.getfixturevalue("sqlite_template")
        path = tmp_path / "portal.sqlite3"
        shutil.copy(template, path)
        yield f"sqlite://{path}"


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh migrated PostgreSQL database whatever the backend (PostgreSQL-only tests)."""
    template = request.getfixturevalue("postgres_template")
    name = f"pp_t_{uuid.uuid4().hex[:12]}"
    pg.create_database(name, template=template)
    yield pg.url(name)
    pg.drop_database(name)


@pytest.fixture
async def pg_db(postgres_url: str, request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """A fresh PostgreSQL database opened for this test whatever the backend, for tests
    that need real concurrency; a module sets its pool size with ``PG_POOL = n``."""
    identifiers.configure(settings_for(postgres_url).vault())
    await open_database(postgres_url, pool_max=getattr(request.module, "PG_POOL", 10))
    try:
        yield postgres_url
    finally:
        await close_database()


@pytest.fixture
def guard_lifted() -> Iterator[None]:
    """The SSRF guard lifted: webhook URLs on loopback allowed (the receivers of these tests
    listen there); the production guard comes back after the test."""
    from models import webhook_urls

    webhook_urls.configure(webhook_urls.UrlPolicy(allow_private=True))
    yield
    webhook_urls.configure(webhook_urls.UrlPolicy())


@pytest.fixture
async def receiver() -> AsyncIterator[Any]:
    """A real aiohttp webhook receiver on 127.0.0.1 (tests/webhook_receiver.py)."""
    from tests.webhook_receiver import Receiver

    r = await Receiver().start()
    yield r
    await r.stop()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return settings_for(database_url)


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Settings]:
    """The database open for this test's event loop, and the identifier vault configured."""
    identifiers.configure(settings.vault())
    await open_database(settings.database_url)
    try:
        yield settings
    finally:
        await close_database()


class SqlCounter(logging.Handler):
    """Counts SQL statements: Tortoise logs each one at DEBUG on tortoise.db_client."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.statements.append(record.getMessage())

    def reset(self) -> None:
        self.statements.clear()

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def sql_counter() -> Iterator[SqlCounter]:
    logger = logging.getLogger("tortoise.db_client")
    counter = SqlCounter()
    previous = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(counter)
    try:
        yield counter
    finally:
        logger.removeHandler(counter)
        logger.setLevel(previous)


@pytest.fixture
async def client(db: Settings) -> AsyncIterator[Any]:
    """A GraphQL client speaking to the app in-process over ASGI (no credentials yet)."""
    import httpx

    from portal.app import create_app
    from tests.factories import GraphQLClient

    app = create_app(db)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://portal.test") as http:
        yield GraphQLClient(http)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # PostgreSQL-only tests run in the PostgreSQL pass (scripts/test.sh runs both passes).
    # Tortoise caches compiled SQL per model, so one process never mixes two backends.
    if BACKEND != "postgres":
        skip = pytest.mark.skip(reason="PostgreSQL only: runs with PORTAL_TEST_BACKEND=postgres")
        for item in items:
            if "postgres_only" in item.keywords:
                item.add_marker(skip)
