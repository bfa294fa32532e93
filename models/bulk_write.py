"""Many rows of one table written at once, without a model object per row.

The ORM's ``bulk_create`` builds and validates a model instance per row, which was most of
an import's time (bench/RESULTS.md). Here each value is converted by its field exactly as
the ORM would (``to_db_value``), then written with PostgreSQL's COPY — one round trip for
thousands of rows — or SQLite's ``executemany``. Ids are assigned by the database;
callers that need them read them back (models.bulk_import).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import asyncpg
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.models import Model

SQLITE_BATCH = 1_000


async def insert_rows(
    conn: BaseDBAsyncClient,
    model: type[Model],
    rows: Sequence[Mapping[str, Any]],
    progress: Callable[[int], None] | None = None,
) -> None:
    """Insert ``rows`` (field name -> Python value; a missing field is NULL) into
    ``model``'s table inside the caller's transaction ``conn``."""
    if not rows:
        return
    meta = model._meta
    fields = [(name, meta.fields_map[name], column)
              for name, column in meta.fields_db_projection.items() if name != "id"]
    converters = [(name, field.to_db_value) for name, field, _ in fields]
    records = [tuple([convert(row.get(name), model) for name, convert in converters])
               for row in rows]
    columns = [column for _, _, column in fields]
    if conn.capabilities.dialect == "postgres":
        raw = conn._connection  # type: ignore[attr-defined]  # the transaction's asyncpg connection
        try:
            await raw.copy_records_to_table(meta.db_table, records=records, columns=columns)
        except asyncpg.IntegrityConstraintViolationError as exc:
            # What the ORM raises for the same violation, so callers handle one exception.
            raise IntegrityError(exc) from exc
        if progress:
            progress(len(rows))
        return
    names = ", ".join(f'"{c}"' for c in columns)
    sql = f'INSERT INTO "{meta.db_table}" ({names}) VALUES ({", ".join("?" * len(columns))})'
    for start in range(0, len(records), SQLITE_BATCH):
        await conn.execute_many(sql, records[start:start + SQLITE_BATCH])
        if progress:
            progress(min(start + SQLITE_BATCH, len(records)))
