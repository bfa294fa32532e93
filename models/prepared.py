"""Batched reads whose SQL the ORM builds once per shape, not once per request.

The per-request DataLoaders (schema.loaders) run the same few queries all day: "the
coverages of these 50 workers, as this viewer may see them". Tortoise rebuilds each one
from its query objects every time — filters resolved, SQL text assembled — which cost
more than running it (bench/RESULTS.md: a worker detail spent a third of its CPU there).

Here the queryset is still built by the ORM, through the tenancy choke point
(models.tenancy), but only once per *shape*: a caller's key (the loader and the viewer,
whose every compared field takes part) and the number of variable values. That first
build uses stand-in values for the variables (ids, cursors), which show where each
variable sits among the statement's parameters; later calls reuse the SQL text and
constants and put their own values in those places. Everything else about the statement
— tables, joins, the viewer's scope, ordering — is exactly what the ORM built.
``tests/test_prepared.py`` checks the reused statement equals a fresh build.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from tortoise.models import Model
from tortoise.queryset import QuerySet

M = TypeVar("M", bound=Model)

MAX_PLANS = 4096
# Stand-in values: negative, far from any id, cursor or constant the queries carry; for
# strings, text no caller sends (it starts and ends with NUL).
_STAND_IN = -(2**62)


@dataclass(frozen=True, slots=True)
class Plan:
    model: type[Model]
    sql: str
    constants: tuple[Any, ...]
    slots: tuple[int, ...]  # the parameter position of each variable, in order

    def values(self, variables: Sequence[Any]) -> list[Any]:
        values = list(self.constants)
        for slot, value in zip(self.slots, variables, strict=True):
            values[slot] = value
        return values


_plans: OrderedDict[Hashable, Plan | None] = OrderedDict()


def built(qs: QuerySet[Any]) -> tuple[str, list[Any]]:
    """The SQL and parameters the ORM would send for ``qs``."""
    qs._choose_db_if_not_chosen()
    qs._make_query()
    sql, values = qs.query.get_parameterized_sql()
    return sql, list(values)


def _stand_in(i: int, like: object) -> Any:
    if isinstance(like, str):
        return f"\x00stand-in {i}\x00"
    return _STAND_IN + i


def plan(build: Callable[[Sequence[Any]], QuerySet[M]], like: Sequence[Any]) -> Plan | None:
    """The statement of ``build`` for values shaped like ``like`` (ints or strings)."""
    stand_ins = [_stand_in(i, value) for i, value in enumerate(like)]
    qs = build(stand_ins)
    if qs._select_related or qs._prefetch_map or qs._annotations or qs._single:
        return None  # shapes the plain row builder below does not reproduce
    sql, values = built(qs)
    slots = []
    for stand_in in stand_ins:
        where = [i for i, v in enumerate(values) if v == stand_in]
        if len(where) != 1:
            return None  # a variable used twice, or folded away: let the ORM run it
        slots.append(where[0])
    return Plan(qs.model, sql, tuple(values), tuple(slots))


async def fetch(key: Hashable, build: Callable[[Sequence[Any]], QuerySet[M]],
                variables: Sequence[Any]) -> list[M]:
    """The rows of ``build(variables)``, with the statement built once per key and
    number of variables (ints or strings; the key must imply which)."""
    shape = (key, len(variables))
    try:
        found = _plans[shape]
        _plans.move_to_end(shape)
    except KeyError:
        found = _plans[shape] = plan(build, variables)
        if len(_plans) > MAX_PLANS:
            _plans.popitem(last=False)
    if found is None:
        return list(await build(variables))
    model = found.model
    # The connection of the current transaction, if any, as the ORM would choose it.
    _, rows = await model._meta.db.execute_query(found.sql, found.values(variables))
    return [model._init_from_db(**row) for row in rows]  # type: ignore[misc]
