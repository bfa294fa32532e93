"""How plain fields are read: types that wrap a database row read them from the row.

Most object types hold one Tortoise row in a Private ``row`` attribute. Their plain
fields (``fullName``, ``startsOn``, …) are declared without a resolver, so Strawberry
treats them as basic fields and resolves them through this function: one attribute read,
where a resolver method would cost an Info object, argument conversion and the extension
chain per field — 1,400 times for a page of 50 workers (bench/RESULTS.md). A Node's
``id`` is read the same way, encoded as its global id. Fields that compute something
else (masked identifiers, relations) keep their resolvers.

The rule this relies on — a row-backed type's basic fields are attributes of its row —
is checked for every type by tests/test_schema_rows.py.
"""

from __future__ import annotations

from typing import Any

import strawberry

from schema import ids
from schema.node import Node


def resolve_basic_field(source: Any, name: str) -> Any:
    row = getattr(source, "row", None)
    if row is None:
        return getattr(source, name)
    if name == "id" and isinstance(source, Node):
        # A node's global id: its GraphQL type name and its row's primary key (schema.ids).
        return ids.encode(type(source).__strawberry_definition__.name, row.id)
    return getattr(row, name)


def from_row(description: str) -> Any:
    """A plain field of a row-backed type, read from the row's attribute of the same name.
    Strawberry makes every basic field an ``__init__`` argument; the default lets the
    object be built from its row alone (the attribute on the object itself stays None and
    is never what a client sees)."""
    return strawberry.field(description=description, default=None)
