"""Relay connections with keyset cursors on (sort key, id).

A cursor holds the sort key and id of the row it points at, so the next page starts
strictly after that pair: a traversal never repeats or skips a row whose sort key does not
change meanwhile, whatever is inserted, and page 5,000 costs what page 1 costs (an index
range scan, no OFFSET).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

import strawberry
from tortoise.expressions import Q, RawSQL
from tortoise.queryset import QuerySet

from schema.context import Limits
from schema.errors import QueryInputError

T = TypeVar("T")
M = TypeVar("M")


@strawberry.type(description="Where a page sits in the whole list.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More rows follow this page.")
    has_previous_page: bool = strawberry.field(description="Rows come before this page.")
    start_cursor: str | None = strawberry.field(description="Cursor of the first edge.")
    end_cursor: str | None = strawberry.field(description="Cursor of the last edge.")


@strawberry.type(description="One row of a page and the cursor to resume after it.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(description="Pass as `after` (or `before`) to resume here.")
    node: T = strawberry.field(description="The row.")


@dataclass(frozen=True, slots=True)
class SortKey:
    """A column to order by, and how to read its value from a row for the cursor."""

    name: str  # stable name written into cursors
    column: str | None  # None: order by id alone
    kind: str = "str"  # str | datetime | date
    nullable: bool = False


ID_ONLY = SortKey("id", None, "int")


def _dump(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value


def _load(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "datetime":
        return datetime.fromisoformat(value)
    if kind == "date":
        return date.fromisoformat(value)
    if kind == "int":
        return int(value)
    if not isinstance(value, str):
        raise ValueError("bad cursor value")
    return value


def encode_cursor(key: SortKey, row: Any) -> str:
    return encode_cursor_values(key, getattr(row, key.column) if key.column else None, row.id)


def encode_cursor_values(key: SortKey, value: Any, pk: int) -> str:
    payload = json.dumps([key.name, _dump(value), pk], separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(key: SortKey, cursor: str, field: str) -> tuple[Any, int]:
    bad = QueryInputError(
        field, "cursor", f"{field} is not a cursor of this list in this order; start again "
        "without it."
    )
    if not isinstance(cursor, str) or len(cursor) > 500:
        raise bad
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        name, value, pk = json.loads(raw)
        if name != key.name or not isinstance(pk, int) or isinstance(pk, bool):
            raise ValueError
        return _load(key.kind, value), pk
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise bad from None


def _after_q(key: SortKey, value: Any, pk: int, descending: bool) -> Q:
    """Rows strictly after (value, pk) in the given order. NULL sort keys sort last."""
    op = "lt" if descending else "gt"
    id_after = Q(**{f"id__{op}": pk})
    if key.column is None:
        return id_after
    col = key.column
    if value is None:
        # Only NULLs come after a NULL (they are last), ordered by id.
        return Q(**{f"{col}__isnull": True}) & id_after
    after = Q(**{f"{col}__{op}": value}) | (Q(**{col: value}) & id_after)
    if key.nullable:
        return after | Q(**{f"{col}__isnull": True})
    # The redundant bound lets the index range-scan from the cursor: without it neither
    # PostgreSQL nor SQLite can start inside an OR, and page 2,000 scans from the top.
    return Q(**{f"{col}__{op}e": value}) & after


def _before_q(key: SortKey, value: Any, pk: int, descending: bool) -> Q:
    """Rows strictly before (value, pk) in the given order (NULLs last)."""
    op = "gt" if descending else "lt"
    id_before = Q(**{f"id__{op}": pk})
    if key.column is None:
        return id_before
    col = key.column
    if value is None:
        return Q(**{f"{col}__isnull": False}) | (Q(**{f"{col}__isnull": True}) & id_before)
    before = Q(**{f"{col}__{op}": value}) | (Q(**{col: value}) & id_before)
    return Q(**{f"{col}__{op}e": value}) & before


def page_size(limits: Limits, first: int | None, last: int | None) -> tuple[int, bool]:
    """(size, backwards). Refuses sizes above the hard maximum with a clear error."""
    if first is not None and last is not None:
        raise QueryInputError("first", "first_or_last", "Give first or last, not both.")
    size = first if first is not None else last
    name = "first" if first is not None else "last"
    if size is None:
        return limits.default_page_size, False
    if size < 0:
        raise QueryInputError(name, "min", f"{name} cannot be negative.")
    if size > limits.max_page_size:
        raise QueryInputError(
            name, "max_page_size",
            f"{name} is at most {limits.max_page_size}; page through larger lists with "
            "cursors.",
        )
    return size, last is not None


@dataclass
class Page(Generic[M]):
    rows: list[M]
    cursors: list[str]
    has_next: bool
    has_previous: bool

    def page_info(self) -> PageInfo:
        return PageInfo(
            has_next_page=self.has_next,
            has_previous_page=self.has_previous,
            start_cursor=self.cursors[0] if self.cursors else None,
            end_cursor=self.cursors[-1] if self.cursors else None,
        )


async def keyset_page(
    qs: QuerySet[M],
    key: SortKey,
    *,
    descending: bool,
    limits: Limits,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> Page[M]:
    size, backwards = page_size(limits, first, last)
    if after is not None:
        value, pk = decode_cursor(key, after, "after")
        qs = qs.filter(_after_q(key, value, pk, descending))
    if before is not None:
        value, pk = decode_cursor(key, before, "before")
        qs = qs.filter(_before_q(key, value, pk, descending))
    # Walking backwards reads the reversed order and flips the page afterwards.
    desc = descending != backwards
    ordering = _ordering(key, desc)
    if key.nullable and key.column:
        # NULL sort keys come last in the forward order on every backend (PostgreSQL and
        # SQLite disagree by default), matching the predicates above.
        qs = qs.annotate(
            sort_nulls=RawSQL(f'CASE WHEN "{key.column}" IS NULL THEN 1 ELSE 0 END')
        )
        ordering.insert(0, "-sort_nulls" if backwards else "sort_nulls")
    rows = list(await qs.order_by(*ordering).limit(size + 1)) if size else []
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    cursors = [encode_cursor(key, r) for r in rows]
    if backwards:
        return Page(rows, cursors, has_next=before is not None, has_previous=more)
    return Page(rows, cursors, has_next=more, has_previous=after is not None)


def _ordering(key: SortKey, descending: bool) -> list[str]:
    sign = "-" if descending else ""
    if key.column is None:
        return [f"{sign}id"]
    return [f"{sign}{key.column}", f"{sign}id"]


async def count_if_selected(
    selected: bool, counter: Callable[[], Awaitable[int]]
) -> int | None:
    return await counter() if selected else None


def selected_fields(info: Any) -> Sequence[str]:
    return [s.name for s in info.selected_fields[0].selections if hasattr(s, "name")]
