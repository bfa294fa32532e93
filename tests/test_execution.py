"""schema.execution's short path for plain leaves answers exactly as graphql-core does:
same values, same key order, same errors at the same paths, same null propagation."""

from __future__ import annotations

import enum
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any

import pytest
import strawberry
from strawberry.schema.config import StrawberryConfig

from schema.execution import PortalExecutionContext
from schema.rows import from_row, resolve_basic_field


class Colour(enum.Enum):
    RED = "RED"
    BLUE = "BLUE"


@dataclass
class Row:
    name: Any
    nickname: Any
    colour: Any
    size: Any


@strawberry.type
class Thing:
    row: strawberry.Private[Row]
    name: str = from_row("Never null.")
    nickname: str | None = from_row("May be null.")
    colour: Colour = from_row("An enum.")
    size: int = from_row("An Int.")

    @strawberry.field
    def shout(self) -> str:
        return str(self.row.name).upper()

    @strawberry.field
    async def later(self) -> str:
        return f"later {self.row.name}"


ROWS = [
    Row("a", None, Colour.RED, 1),
    Row(None, "b", Colour.BLUE, 2),        # a null in a non-null leaf
    Row("c", "c", "PURPLE", 3),            # a value the enum cannot coerce
    Row("d", "d", Colour.BLUE, 2**40),     # out of Int's range
]


@strawberry.type
class Query:
    @strawberry.field
    def things(self) -> list[Thing | None]:
        return [Thing(row=r) for r in ROWS]

    @strawberry.field
    def strict(self) -> list[Thing]:
        return [Thing(row=r) for r in ROWS]


def _schemas() -> tuple[strawberry.Schema, strawberry.Schema]:
    config = StrawberryConfig(default_resolver=resolve_basic_field)
    return (strawberry.Schema(query=Query, config=config,
                              execution_context_class=PortalExecutionContext),
            strawberry.Schema(query=Query, config=config))


DOCUMENTS = [
    "{ things { name nickname colour size } }",
    "{ things { size shout alias: name __typename later nickname } }",
    "{ strict { name } }",
    "{ things { ... on Thing { colour } ...F } } fragment F on Thing { name nickname }",
    "query($s: Boolean!) { things { name @skip(if: $s) size @include(if: $s) } }",
]


@pytest.mark.parametrize("document", DOCUMENTS)
async def test_the_short_path_answers_like_graphql_core(document: str) -> None:
    fast, reference = _schemas()
    variables = {"s": True}
    got = await fast.execute(document, variable_values=variables)
    expected = await reference.execute(document, variable_values=variables)
    assert got.data == expected.data
    assert list(_keys(got.data)) == list(_keys(expected.data))
    assert [(e.message, e.path) for e in got.errors or []] == [
        (e.message, e.path) for e in expected.errors or []]


def _keys(value: Any) -> Any:
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item)


async def test_bad_leaves_are_located_errors_that_null_their_parent() -> None:
    fast, _ = _schemas()
    result = await fast.execute("{ things { name colour size } }")
    assert result.data == {"things": [{"name": "a", "colour": "RED", "size": 1},
                                      None, None, None]}
    assert sorted(tuple(e.path) for e in result.errors or []) == [
        ("things", 1, "name"), ("things", 2, "colour"), ("things", 3, "size")]


@strawberry.type
class Tick:
    n: int
    thing: Thing


@strawberry.type
class Ticks:
    @strawberry.subscription
    async def ticks(self, count: int) -> AsyncGenerator[Tick, None]:
        for n in range(count):
            yield Tick(n=n, thing=Thing(row=ROWS[0]))



def _alive(type_name: str) -> int:
    import gc

    gc.collect()
    return sum(1 for o in gc.get_objects() if type(o).__name__ == type_name)


async def test_a_long_subscription_keeps_no_state_per_event() -> None:
    # graphql-core 3.3 shares one subfield memo between a subscription's events; each
    # event adds to it. PortalExecutionContext gives each event its own.
    fast = strawberry.Schema(query=Query, subscription=Ticks,
                             config=StrawberryConfig(default_resolver=resolve_basic_field),
                             execution_context_class=PortalExecutionContext)
    source = await fast.subscribe("subscription { ticks(count: 400) { n thing { name } } }")
    seen = []
    async for result in source:  # type: ignore[union-attr]
        assert not result.errors
        seen.append(result.data["ticks"]["n"])
        if len(seen) == 100:
            at_100 = _alive("CollectedFields")
        if len(seen) == 400:
            at_400 = _alive("CollectedFields")
    assert seen == list(range(400))
    assert at_400 <= at_100 + 5
