"""Migrations and models never drift apart."""

from __future__ import annotations

from typing import Any

from tortoise import Tortoise
from tortoise.connection import get_connection
from tortoise.context import TortoiseContext
from tortoise.migrations.autodetector import MigrationAutodetector

from models.db import close_database, open_database, tortoise_config
from portal.migrations import migrate
from tests import pg
from tests.conftest import BACKEND


async def _physical_schema() -> dict[str, Any]:
    """Tables -> (columns with type and nullability, index column lists), backend-neutral."""
    conn = get_connection("default")
    schema: dict[str, Any] = {}
    if conn.capabilities.dialect == "sqlite":
        tables = await conn.execute_query_dict(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            " AND name NOT LIKE 'tortoise_%'"
        )
        for t in (r["name"] for r in tables):
            cols = await conn.execute_query_dict(f'PRAGMA table_info("{t}")')
            idx = await conn.execute_query_dict(f'PRAGMA index_list("{t}")')
            indexes = set()
            for i in idx:
                icols = await conn.execute_query_dict(f'PRAGMA index_info("{i["name"]}")')
                indexes.add((bool(i["unique"]), tuple(c["name"] for c in icols)))
            schema[t] = (
                {(c["name"], c["type"].upper(), bool(c["notnull"])) for c in cols},
                indexes,
            )
        return schema
    cols = await conn.execute_query_dict(
        "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns"
        " WHERE table_schema='public' AND table_name NOT LIKE 'tortoise_%'"
    )
    for c in cols:
        schema.setdefault(c["table_name"], (set(), set()))[0].add(
            (c["column_name"], c["data_type"], c["is_nullable"] == "NO")
        )
    idx = await conn.execute_query_dict(
        "SELECT t.relname AS tbl, i.indisunique AS uniq,"
        " array_agg(a.attname ORDER BY k.ord) AS cols"
        " FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid"
        " JOIN pg_namespace n ON n.oid = t.relnamespace"
        " CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)"
        " JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum"
        " WHERE n.nspname = 'public' AND t.relname NOT LIKE 'tortoise_%'"
        " GROUP BY i.indexrelid, t.relname, i.indisunique"
    )
    for i in idx:
        schema[i["tbl"]][1].add((bool(i["uniq"]), tuple(i["cols"])))
    return schema


async def test_models_have_no_changes_missing_from_the_migration_files(db):
    config = tortoise_config("sqlite://:memory:")
    async with TortoiseContext() as ctx:
        await ctx.init(config=config)
        writers = await MigrationAutodetector(ctx.apps, config["apps"]).changes()
    assert writers == [], "models changed without a migration: run tortoise makemigrations"


async def test_migrated_database_matches_the_schema_the_models_generate(database_url, tmp_path):
    await open_database(database_url)
    migrated = await _physical_schema()
    await close_database()

    if BACKEND == "postgres":
        name = f"pp_gen_{tmp_path.name[-8:].lower()}".replace("-", "_")
        await pg.create_database_async(name)
        url = pg.url(name)
    else:
        url = f"sqlite://{tmp_path / 'generated.sqlite3'}"
    try:
        await open_database(url)
        await Tortoise.generate_schemas()
        generated = await _physical_schema()
        await close_database()
    finally:
        if BACKEND == "postgres":
            await pg.drop_database_async(name)

    assert migrated.keys() == generated.keys()
    for table in generated:
        assert migrated[table][0] == generated[table][0], f"columns of {table} differ"
        assert migrated[table][1] == generated[table][1], f"indexes of {table} differ"


async def test_migrate_twice_applies_nothing_the_second_time(database_url):
    await open_database(database_url)
    try:
        assert await migrate(database_url) == 0
    finally:
        await close_database()
