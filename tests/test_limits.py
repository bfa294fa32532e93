"""Document limits refuse abusive documents before execution, and let real ones through."""

from __future__ import annotations

import pytest

from portal.settings import Settings
from tests import factories as f


async def _client(client, code="kbri-hongkong", **settings_overrides):
    if settings_overrides:
        import httpx

        from portal.app import create_app
        from tests.factories import GraphQLClient

        base: Settings = client.http._transport.app.state.settings
        app = create_app(Settings(**{**base.__dict__, **settings_overrides}))
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://portal.test")
        client = GraphQLClient(http)
    p = await f.partner(code)
    return client.as_key(await f.key(p))


def _limit(response) -> dict:
    body = response.json()
    assert "data" not in body or body["data"] is None, body
    return body["errors"][0]["extensions"]


async def test_deep_documents_are_refused_with_the_limit_named(client):
    c = await _client(client)
    nested = "{ workers { edges { node { partner { id } } } } }"
    deep = "{ nodes(ids: []) { ... on Worker { events { edges { node { worker { events {" \
           " edges { node { worker { events { edges { node { worker { events { edges {" \
           " node { worker { id } } } } } } } } } } } } } } } } } } }"
    assert (await c.post(nested)).status_code == 200
    ext = _limit(await c.post(deep))
    assert (ext["code"], ext["limit"], ext["max"]) == ("LIMIT_EXCEEDED", "depth", 15)
    assert ext["found"] > 15


async def test_aliases_are_counted_through_fragments_every_time_they_are_used(client):
    c = await _client(client)
    fragment = "fragment F on Query { " + " ".join(f"a{i}: viewer {{ role }}" for i in
                                                   range(10)) + " }"
    uses = "{ " + " ".join("... F" for _ in range(1)) + " }"
    assert (await c.post(uses + " " + fragment)).status_code == 200
    bomb = ("{ x1: viewer { ...G } x2: viewer { ...G } x3: viewer { ...G } "
            "x4: viewer { ...G } x5: viewer { ...G } x6: viewer { ...G } }"
            " fragment G on Viewer { " + " ".join(f"r{i}: role" for i in range(9)) + " }")
    ext = _limit(await c.post(bomb))
    assert (ext["limit"], ext["found"]) == ("aliases", 6 + 6 * 9)


async def test_too_many_root_fields_are_refused(client):
    c = await _client(client)
    doc = "{ " + " ".join(f"v{i}: viewer {{ role }}" for i in range(21)) + " }"
    ext = _limit(await c.post(doc))
    assert ext["limit"] in ("rootFields", "aliases")


async def test_token_bombs_are_refused_before_validation(client):
    c = await _client(client)
    doc = "{ viewer { " + "role " * 10_001 + "} }"
    ext = _limit(await c.post(doc))
    assert (ext["limit"], ext["max"]) == ("tokens", 10_000)


async def test_cost_follows_requested_page_sizes_and_is_reported(client):
    c = await _client(client)
    cheap = await c.post("{ workers(first: 10) { edges { node { id fullName } } } }")
    # workers, then edges, node, id and fullName each up to 10 times.
    assert cheap.json()["extensions"]["cost"]["requestedQueryCost"] == 1 + 10 * 4
    costly = ("{ workers(first: 100) { edges { node { events(first: 100) { edges { node {"
              " worker { contributions(first: 100) { edges { node { id } } } } } } } } } } }")
    ext = _limit(await c.post(costly))
    assert (ext["limit"], ext["max"]) == ("cost", 50_000)


async def test_measure_mode_reports_cost_without_refusing(client):
    c = await _client(client, cost_mode="measure")
    costly = ("{ workers(first: 100) { edges { node { events(first: 100) { edges { node {"
              " worker { contributions(first: 100) { edges { node { id } } } } } } } } } } }")
    body = (await c.post(costly)).json()
    assert "errors" not in body
    assert body["extensions"]["cost"]["requestedQueryCost"] > 50_000
    assert body["extensions"]["cost"]["mode"] == "measure"


async def test_variables_drive_the_cost_estimate(client):
    c = await _client(client, max_cost=300)
    query = "query($n: Int) { workers(first: $n) { edges { node { id fullName } } } }"
    assert "errors" not in (await c.post(query, {"n": 10})).json()
    assert _limit(await c.post(query, {"n": 100}))["limit"] == "cost"


async def test_fragment_cycles_are_refused_without_hanging(client):
    c = await _client(client)
    doc = "{ viewer { ...A } } fragment A on Viewer { ...B } fragment B on Viewer { ...A }"
    body = (await c.post(doc)).json()
    assert "cycle" in body["errors"][0]["message"].lower() or "spread" in body[
        "errors"][0]["message"].lower()


@pytest.mark.parametrize("size", [1_000_001, 2_000_000])
async def test_oversized_bodies_are_413(client, size):
    c = await _client(client, max_body_bytes=1_000_000)
    response = await c.post("{ viewer { role } } #" + "x" * size)
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["limit"] == "bodyBytes"


async def test_introspection_can_be_closed_to_api_keys_and_is_open_by_default(client):
    c = await _client(client, introspection_for_keys=False)
    ext = (await c.post("{ __schema { types { name } } }")).json()["errors"][0]["extensions"]
    assert ext["code"] == "INTROSPECTION_DISABLED"
    other = await _client(client, "kbri-singapore")
    allowed = await other.post("{ __schema { queryType { name } } }")
    assert allowed.json()["data"]["__schema"]["queryType"]["name"] == "Query"


@pytest.mark.parametrize("operation", [op.name for op in __import__(
    "portal.contract", fromlist=["operations"]).operations()])
def test_every_published_operation_passes_the_default_limits_comfortably(operation):
    from graphql import parse

    from portal.contract import operations
    from schema.context import Limits
    from schema.limits import measure, violations

    op = next(o for o in operations() if o.name == operation)
    limits = Limits()
    # Variables unknown: page sizes count at their maximum, the worst case.
    m = measure(parse(op.text), None, {}, limits)
    assert violations(m, limits, allow_introspection=False) == []
    assert m.depth <= limits.max_depth - 5, m.depth
    assert m.cost <= limits.max_cost // 2, m.cost
    assert m.aliases <= limits.max_aliases // 2
