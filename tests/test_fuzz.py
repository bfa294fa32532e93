"""Property-based fuzzing of the GraphQL edge: generated documents and raw garbage.

Whatever arrives, the answer is never a 5xx, nothing unexpected is logged, and a refused
request changes nothing stored. Examples are capped so the suite stays fast.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLUnionType,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.events import WorkerEvent
from models.workers import Worker
from schema.root import schema
from tests import factories as f

GQL = schema._schema
FUZZ = settings(max_examples=120, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
NAMES = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,12}", fullmatch=True)


def _unwrap(t: Any) -> Any:
    while isinstance(t, GraphQLNonNull | GraphQLList):
        t = t.of_type
    return t


def literal(t: Any, depth: int = 0) -> st.SearchStrategy[str]:
    """GraphQL literals, mostly of the right type and sometimes deliberately wrong."""
    wrong = st.sampled_from(['"x"', "1", "true", "null", "[]", "{}", '"' + "9" * 20 + '"',
                             "-1", "100000000000", '"3174054505900003"', '"sha256:00"'])
    inner = t.of_type if isinstance(t, GraphQLNonNull) else t
    if isinstance(inner, GraphQLList):
        return st.one_of(wrong, st.lists(literal(inner.of_type, depth + 1), max_size=3)
                         .map(lambda items: "[" + ", ".join(items) + "]"))
    if isinstance(inner, GraphQLEnumType):
        return st.one_of(st.sampled_from(list(inner.values)), wrong)
    if isinstance(inner, GraphQLInputObjectType):
        if depth > 2:
            return st.just("{}")
        fields = list(inner.fields.items())
        return st.lists(st.sampled_from(fields), max_size=len(fields), unique_by=lambda x: x[0]
                        ).flatmap(lambda chosen: st.tuples(
                            *[literal(ftype.type, depth + 1) for _, ftype in chosen]).map(
                            lambda values, chosen=chosen: "{" + ", ".join(
                                f"{name}: {v}" for (name, _), v in zip(chosen, values,
                                                                        strict=True)) + "}"))
    if isinstance(inner, GraphQLScalarType):
        by_name = {
            "Int": st.integers(-5, 500).map(str),
            "Boolean": st.sampled_from(["true", "false"]),
            "String": st.text(max_size=30).map(json.dumps),
            "ID": st.sampled_from(['"V29ya2VyOjE"', '"UGFydG5lcjox"', '"nope"', '""']),
            "Date": st.sampled_from(['"2026-01-01"', '"1990-02-30"', '"x"']),
            "DateTime": st.sampled_from(['"2026-01-01T00:00:00+00:00"', '"y"']),
        }
        return st.one_of(by_name.get(inner.name, wrong), wrong)
    return wrong


def selection(t: Any, depth: int) -> st.SearchStrategy[str]:
    named = _unwrap(t)
    if not isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType):
        return st.just("")
    if depth > 3:
        return st.just("{ __typename }")
    if isinstance(named, GraphQLUnionType):
        members = named.types
        return st.sampled_from(members).flatmap(
            lambda m: selection(m, depth + 1).map(
                lambda sel, m=m: f"{{ __typename ... on {m.name} {sel or '{ __typename }'} }}"))
    fields = list(named.fields.items())
    return st.lists(st.sampled_from(fields), min_size=1, max_size=4,
                    unique_by=lambda x: x[0]).flatmap(
        lambda chosen: st.tuples(*[field(name, fdef, depth + 1) for name, fdef in chosen])
        .map(lambda parts: "{ " + " ".join(parts) + " }"))


def field(name: str, fdef: Any, depth: int) -> st.SearchStrategy[str]:
    args = list(fdef.args.items())
    arg_strategy = st.lists(st.sampled_from(args), max_size=len(args),
                            unique_by=lambda x: x[0]).flatmap(
        lambda chosen: st.tuples(*[literal(a.type) for _, a in chosen]).map(
            lambda values, chosen=chosen: "(" + ", ".join(
                f"{n}: {v}" for (n, _), v in zip(chosen, values, strict=True)) + ")"
            if chosen else "")) if args else st.just("")
    alias = st.one_of(st.just(""), NAMES.map(lambda a: f"{a}: "))
    return st.tuples(alias, arg_strategy, selection(fdef.type, depth)).map(
        lambda p, name=name: f"{p[0]}{name}{p[1]} {p[2]}")


def documents(root: GraphQLObjectType, keyword: str) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(list(root.fields.items())), min_size=1, max_size=3,
                    unique_by=lambda x: x[0]).flatmap(
        lambda chosen: st.tuples(*[field(n, d, 1) for n, d in chosen]).map(
            lambda parts: f"{keyword} {{ " + " ".join(parts) + " }"))


async def _snapshot() -> tuple[int, int, int]:
    return (await Worker.all().count(), await WorkerEvent.all().count(),
            sum(w.version for w in await Worker.all()))


@pytest.fixture
async def fuzz_client(client, caplog):
    p = await f.partner()
    c = client.as_key(await f.key(p))
    await c.run("""mutation($i: RegisterWorkerInput!) { registerWorker(input: $i) {
        __typename } }""", {"i": f.worker_input()})
    caplog.set_level(logging.ERROR, logger="portal.errors")
    return c


def _no_unexpected(caplog) -> None:
    unexpected = [r for r in caplog.records if r.name == "portal.errors"]
    assert not unexpected, unexpected[0].getMessage()


@FUZZ
@given(document=documents(GQL.query_type, "query"))
async def test_generated_queries_never_fail_the_server(fuzz_client, caplog, document):
    response = await fuzz_client.post(document)
    assert response.status_code < 500, (document, response.text)
    _no_unexpected(caplog)


@FUZZ
@given(document=documents(GQL.mutation_type, "mutation"))
async def test_generated_mutations_never_fail_and_refusals_change_nothing(
        fuzz_client, caplog, document):
    before = await _snapshot()
    response = await fuzz_client.post(document)
    assert response.status_code < 500, (document, response.text)
    body = response.json()
    succeeded = "Success" in response.text
    if not succeeded or body.get("errors"):
        if not succeeded:
            assert await _snapshot() == before, document
    _no_unexpected(caplog)


@FUZZ
@given(body=st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode)),
       content_type=st.sampled_from(["application/json", "text/plain", "application/graphql",
                                     "multipart/form-data", "", "application/json; charset=x",
                                     "application/x-www-form-urlencoded"]),
       method=st.sampled_from(["POST", "GET", "PUT", "DELETE", "PATCH"]))
async def test_raw_garbage_is_a_4xx_never_a_5xx(fuzz_client, caplog, body, content_type, method):
    before = await _snapshot()
    response = await fuzz_client.http.request(
        method, "/graphql", content=body if method != "GET" else None,
        headers={"authorization": f"Bearer {fuzz_client.secret}",
                 "content-type": content_type})
    assert response.status_code < 500
    assert await _snapshot() == before
    _no_unexpected(caplog)


@FUZZ
@given(variables=st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(
        st.text(max_size=8), children, max_size=3), max_leaves=10))
async def test_arbitrary_variables_are_coerced_or_refused(fuzz_client, caplog, variables):
    query = """mutation($input: RegisterWorkerInput!) { registerWorker(input: $input) {
        __typename } }"""
    before = await _snapshot()
    response = await fuzz_client.http.post(
        "/graphql", json={"query": query, "variables": {"input": variables}},
        headers={"authorization": f"Bearer {fuzz_client.secret}"})
    assert response.status_code < 500
    assert await _snapshot() == before
    _no_unexpected(caplog)
