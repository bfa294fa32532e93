"""The schema as a client sees it, and operations generated from it.

The schema is read by running the standard introspection query (no Python types are
consulted), so a field another developer adds tomorrow is walked like the others.
``operation`` turns a root field into a document with variables: arguments are filled from
their types (``Fill`` decides the values that aim at partner A's data) and the selection
set is generated recursively, bounded in depth, always keeping the identifying fields.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    build_client_schema,
    get_introspection_query,
    get_named_type,
    graphql_sync,
    is_leaf_type,
    print_type,
)
from graphql.pyutils import Undefined

from models.clock import today_jakarta

ROOT_KINDS = ("query", "mutation", "subscription")
# Leaf fields selected at every depth: whatever names or points at a person or an object.
IDENTIFYING = frozenset({
    "id", "nik", "fullName", "passportNumber", "familyCardNumber", "workerId", "code",
    "name", "email", "targetIds", "changes", "actor", "cursor", "employerName", "phone",
    "prefix", "message", "displayName", "recordedBy", "detail", "total", "count", "key",
})
# Global-id arguments whose node type follows from their name. An `id` argument's type
# comes from the probe (PROBES[...].id_type).
ID_ARGUMENT_TYPES = {
    "workerId": "Worker",
    "partnerId": "Partner",
    "toPartner": "Partner",
    "targetId": "Worker",
    "apiKeyId": "ApiKey",
    "accountId": "Account",
    "sessionId": "Session",
    "eventId": "WorkerEvent",
    "contributionId": "Contribution",
    "endpointId": "WebhookEndpoint",
    "deliveryId": "WebhookDelivery",
}
NESTED_PAGE = 3  # `first` for lists below the root: enough to show a row, cheap in cost
ROOT_PAGE = 20


def introspect(gql_schema: GraphQLSchema) -> dict[str, Any]:
    result = graphql_sync(gql_schema, get_introspection_query(descriptions=False))
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data


def client_schema(introspection: dict[str, Any]) -> GraphQLSchema:
    return build_client_schema(introspection)  # type: ignore[arg-type]


def root_type(s: GraphQLSchema, kind: str) -> GraphQLObjectType | None:
    return {"query": s.query_type, "mutation": s.mutation_type,
            "subscription": s.subscription_type}[kind]


def root_fields(s: GraphQLSchema) -> dict[str, dict[str, GraphQLField]]:
    out: dict[str, dict[str, GraphQLField]] = {}
    for kind in ROOT_KINDS:
        t = root_type(s, kind)
        out[kind] = dict(t.fields) if t is not None else {}
    return out


def node_types(s: GraphQLSchema) -> list[str]:
    node = s.get_type("Node")
    if not isinstance(node, GraphQLInterfaceType):
        return []
    return sorted(t.name for t in s.get_possible_types(node))


class Unfillable(Exception):
    """An argument the generator cannot give a value (the coverage guard reports it)."""


@dataclass
class Fill:
    """Decides argument values. ``node_id(type)`` gives the id of A's object of that type
    (the probe's target); ``named`` overrides by argument name (values or callables of the
    Fill); ``inputs`` gives example values of input types by type name."""

    node_id: Callable[[str], str]
    all_ids: Callable[[], list[str]]
    id_types: dict[str, str] = field(default_factory=dict)
    named: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, Callable[[], dict[str, Any]]] = field(default_factory=dict)
    sent_ids: list[str] = field(default_factory=list)

    def id_type(self, name: str) -> str:
        if name in self.id_types:
            return self.id_types[name]
        if name in ID_ARGUMENT_TYPES:
            return ID_ARGUMENT_TYPES[name]
        raise Unfillable(f"argument {name!r} is an ID of unknown node type")

    def scalar(self, type_name: str, name: str) -> Any:
        if type_name == "ID":
            gid = self.node_id(self.id_type(name))
            self.sent_ids.append(gid)
            return gid
        if type_name == "Int":
            return {"version": 1, "first": ROOT_PAGE, "withinDays": 366, "months": 12,
                    "amount": 162_000, "position": 0, "overlapSeconds": 3600}.get(name, 1)
        if type_name == "String":
            return {"reason": "attack probe", "name": "attack probe",
                    "displayName": "Attack Probe",
                    "url": "https://93.184.216.34/attacker-hook",
                    "email": "attacker@example.org"}.get(name, "attack probe")
        if type_name == "Boolean":
            return False
        if type_name == "Float":
            return 1.0
        if type_name == "Date":
            return today_jakarta().isoformat()
        if type_name == "DateTime":
            return (datetime.now(UTC) + timedelta(days=1)).isoformat()
        if type_name == "JSON":
            return {}
        raise Unfillable(f"argument {name!r} has scalar type {type_name} with no default")

    def value(self, type_: Any, name: str, *, required: bool) -> Any:
        """A value for an argument or input field ``name`` of ``type_``."""
        if name in self.named:
            v = self.named[name]
            v = v(self) if callable(v) else v
            if isinstance(v, str) and self._is_id(type_):
                self.sent_ids.append(v)
            return v
        inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
        if isinstance(inner, GraphQLList):
            item = get_named_type(inner)
            if item.name == "ID" and name == "ids":
                ids = self.all_ids()
                self.sent_ids.extend(ids)
                return ids
            return [self.value(inner.of_type, name, required=True)]
        if isinstance(inner, GraphQLEnumType):
            return next(iter(inner.values))
        if isinstance(inner, GraphQLInputObjectType):
            if inner.name in self.inputs:
                return self.inputs[inner.name]()
            out: dict[str, Any] = {}
            for fname, f in inner.fields.items():
                need = isinstance(f.type, GraphQLNonNull) and f.default_value is Undefined
                if need or self._wanted_optional(f.type, fname):
                    out[fname] = self.value(f.type, fname, required=need)
            return out
        return self.scalar(inner.name, name)

    @staticmethod
    def _is_id(type_: Any) -> bool:
        return get_named_type(type_).name == "ID"

    def _wanted_optional(self, type_: Any, name: str) -> bool:
        # Optional arguments that aim at A's objects, or page sizes, are always given.
        return name in self.named or self._is_id(type_) or name == "first"


def _is_required(arg: GraphQLArgument) -> bool:
    return isinstance(arg.type, GraphQLNonNull) and arg.default_value is Undefined


def _type_literal(type_: Any) -> str:
    return str(type_)


def selection(t: Any, depth: int, max_depth: int, full_depth: int,
              alias: tuple[str, frozenset[str]] | None = None) -> str:
    """The selection set of ``t`` at ``depth`` (a root field's children are depth 1).

    Members of a union or interface are selected in inline fragments; a field that two
    members have with different types is aliased by type (``Worker_status: status``), as
    GraphQL refuses to merge them (and only those: aliases are limited too)."""
    named = get_named_type(t)
    if is_leaf_type(named):
        return ""
    parts = ["__typename"]
    if isinstance(named, GraphQLInterfaceType | GraphQLUnionType):
        possible = (named.types if isinstance(named, GraphQLUnionType)
                    else _implementations(named))
        if isinstance(named, GraphQLInterfaceType):
            parts.extend(n for n in named.fields if n in IDENTIFYING)
        types: dict[str, set[str]] = {}
        for member in possible:
            for fname, f in member.fields.items():
                types.setdefault(fname, set()).add(str(f.type))
        clashing = frozenset(n for n, ts in types.items() if len(ts) > 1)
        for member in possible:
            inner = selection(member, depth, max_depth, full_depth,
                              alias=(member.name, clashing))
            parts.append(f"... on {member.name} {inner}")
        return "{ " + " ".join(parts) + " }"
    assert isinstance(named, GraphQLObjectType)
    for fname, f in named.fields.items():
        if any(_is_required(a) for a in f.args.values()):
            continue  # nested required arguments: not generated (none exist today)
        args = f"(first: {NESTED_PAGE})" if "first" in f.args else ""
        head = (f"{alias[0]}_{fname}: {fname}{args}" if alias and fname in alias[1]
                else fname + args)
        ftype = get_named_type(f.type)
        if is_leaf_type(ftype):
            if depth <= full_depth or fname in IDENTIFYING:
                parts.append(head)
            continue
        if depth + 1 > max_depth:
            continue
        parts.append(head + " " + selection(f.type, depth + 1, max_depth, full_depth))
    return "{ " + " ".join(parts) + " }"


_IMPLEMENTATIONS: dict[str, list[GraphQLObjectType]] = {}


def _implementations(interface: GraphQLInterfaceType) -> list[GraphQLObjectType]:
    return _IMPLEMENTATIONS.get(interface.name, [])


def remember_implementations(s: GraphQLSchema) -> None:
    for t in s.type_map.values():
        if isinstance(t, GraphQLInterfaceType):
            _IMPLEMENTATIONS[t.name] = list(s.get_possible_types(t))


@dataclass
class Operation:
    document: str
    variables: dict[str, Any]
    sent_ids: list[str]


def operation(s: GraphQLSchema, kind: str, field_name: str, fill: Fill, *,
              max_depth: int = 5, full_depth: int = 3) -> Operation:
    """One root field as a document: every required argument, plus the optional ones that
    aim at A (ids) or size a page, as variables; a generated selection set."""
    remember_implementations(s)
    root = root_type(s, kind)
    assert root is not None, kind
    f = root.fields[field_name]
    fill.sent_ids = []
    variables: dict[str, Any] = {}
    declared: list[str] = []
    passed: list[str] = []
    for name, arg in f.args.items():
        need = _is_required(arg)
        if not (need or fill._wanted_optional(arg.type, name)):
            continue
        variables[name] = fill.value(arg.type, name, required=need)
        declared.append(f"${name}: {_type_literal(arg.type)}")
        passed.append(f"{name}: ${name}")
    head = kind + " AttackProbe" + (f"({', '.join(declared)})" if declared else "")
    call = field_name + (f"({', '.join(passed)})" if passed else "")
    body = selection(f.type, 1, max_depth, full_depth)
    return Operation(f"{head} {{ {call} {body} }}", variables, list(fill.sent_ids))


def id_arguments(s: GraphQLSchema, kind: str, field_name: str) -> Iterator[str]:
    """Top-level arguments of a root field that take one global id."""
    root = root_type(s, kind)
    assert root is not None
    for name, arg in root.fields[field_name].args.items():
        t = arg.type.of_type if isinstance(arg.type, GraphQLNonNull) else arg.type
        if not isinstance(t, GraphQLList) and get_named_type(t).name == "ID":
            yield name


def describe(s: GraphQLSchema, type_name: str) -> str:
    t = s.get_type(type_name)
    return print_type(t) if t is not None else type_name


def id_paths(s: GraphQLSchema, kind: str, field_name: str,
             max_depth: int = 3) -> list[tuple[str, ...]]:
    """Paths to every single global id a root field takes: its ID arguments and ID fields
    of its input objects (``("input", "filter", "workerId")``). Lists are left out."""
    root = root_type(s, kind)
    assert root is not None
    out: list[tuple[str, ...]] = []

    def visit(t: Any, path: tuple[str, ...], depth: int) -> None:
        inner = t.of_type if isinstance(t, GraphQLNonNull) else t
        if isinstance(inner, GraphQLList):
            return
        if isinstance(inner, GraphQLInputObjectType):
            if depth < max_depth:
                for name, f in inner.fields.items():
                    visit(f.type, (*path, name), depth + 1)
        elif get_named_type(inner).name == "ID":
            out.append(path)

    for name, arg in root.fields[field_name].args.items():
        visit(arg.type, (name,), 0)
    return out


def set_path(variables: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    target = variables
    for name in path[:-1]:
        if not isinstance(target.get(name), dict):
            target[name] = {}
        target = target[name]
    target[path[-1]] = value
