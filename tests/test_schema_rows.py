"""Row-backed types read their basic fields from the row (schema.rows): every such field
must be an attribute of the row's model, or clients would get an error (or, worse, a value
of the same name meaning something else) instead of the field."""

from __future__ import annotations

import typing

import pytest
from tortoise.models import Model

from schema.root import schema


def _row_backed_types() -> list[tuple[str, type, type[Model]]]:
    found = []
    for name, graphql_type in schema.schema_converter.type_map.items():
        definition = graphql_type.definition
        origin = getattr(definition, "origin", None)
        if origin is None or not hasattr(definition, "fields"):
            continue
        hints = typing.get_type_hints(origin, include_extras=True)
        row_hint = hints.get("row")
        if row_hint is None:
            continue
        model = typing.get_args(row_hint)[0]
        if isinstance(model, type) and issubclass(model, Model):
            found.append((name, origin, model))
    return found


ROW_TYPES = _row_backed_types()


def test_the_hot_types_are_row_backed() -> None:
    names = {name for name, _, _ in ROW_TYPES}
    assert {"Worker", "Partner", "Coverage", "Contribution"} <= names


@pytest.mark.parametrize(("name", "origin", "model"), ROW_TYPES, ids=[t[0] for t in ROW_TYPES])
def test_every_basic_field_of_a_row_backed_type_is_an_attribute_of_its_row(
    name: str, origin: type, model: type[Model]
) -> None:
    graphql_fields = schema._schema.type_map[name].fields  # type: ignore[union-attr]
    graphql_name = schema.config.name_converter.get_graphql_name
    basic = [f.python_name for f in origin.__strawberry_definition__.fields
             if f.base_resolver is None and graphql_name(f) in graphql_fields]
    assert basic or name not in {"Worker", "Coverage"}
    missing = [f for f in basic
               if f not in model._meta.fields_map and not hasattr(model, f)]
    assert missing == [], f"{name}: {missing} are not attributes of {model.__name__}"


def test_every_worker_field_says_which_columns_a_list_page_must_read() -> None:
    from schema.workers.types import worker_columns

    fields = set(schema._schema.type_map["Worker"].fields)  # type: ignore[union-attr]
    assert worker_columns(frozenset(fields)) is not None, (
        "a Worker field is missing from schema.workers.types._FIELD_COLUMNS")
    # An unknown name reads the whole row rather than guess.
    assert worker_columns(frozenset({"fullName", "notAField"})) is None
    assert worker_columns(frozenset({"fullName"}), "registered_at") == [
        "full_name", "id", "partner_id", "registered_at"]
