"""GraphiQL's docs pane is the staff manual: everything in the schema is described."""

from __future__ import annotations

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
)

from schema.root import schema


def undocumented() -> list[str]:
    missing = []
    for name, t in schema._schema.type_map.items():
        if name.startswith("__") or name in ("String", "Int", "Float", "Boolean", "ID"):
            continue
        if not t.description:
            missing.append(name)
        if isinstance(t, GraphQLObjectType | GraphQLInterfaceType):
            for fname, f in t.fields.items():
                if not f.description:
                    missing.append(f"{name}.{fname}")
                for aname, a in f.args.items():
                    if not a.description:
                        missing.append(f"{name}.{fname}({aname})")
        elif isinstance(t, GraphQLInputObjectType):
            for fname, f in t.fields.items():
                if not f.description:
                    missing.append(f"{name}.{fname}")
        elif isinstance(t, GraphQLEnumType):
            for vname, v in t.values.items():
                if not v.description:
                    missing.append(f"{name}.{vname}")
    return missing


def test_every_type_field_argument_and_enum_value_has_a_description():
    assert undocumented() == []
