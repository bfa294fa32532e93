"""Reading workers: scoping, node lookups, masking, keyset pages, filters and stats."""

from __future__ import annotations

import base64

from models.enums import PartnerKind, Role
from models.synthetic import make_passport
from tests import factories as f

REGISTER = """mutation($input: RegisterWorkerInput!) { registerWorker(input: $input) {
  __typename ... on RegisterWorkerSuccess { worker { id nik version } } } }"""

PAGE = """
query($first: Int, $after: String, $last: Int, $before: String, $order: WorkerOrder,
      $filter: WorkerFilter) {
  workers(first: $first, after: $after, last: $last, before: $before, orderBy: $order,
          filter: $filter) {
    edges { cursor node { id fullName } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""


async def _partner_with_workers(client, n, code="kbri-hongkong", country="HK", **kw):
    p = await f.partner(code, country=country)
    c = client.as_key(await f.key(p))
    ids = []
    for i in range(n):
        name = kw.get("names", [])[i] if kw.get("names") else f"Worker {chr(65 + i % 26)}"
        r = await c.run(REGISTER, {"input": f.worker_input(fullName=name)})
        ids.append(r["registerWorker"]["worker"]["id"])
    return p, c, ids


async def test_node_answers_own_worker_and_null_for_foreign_missing_or_malformed(client):
    _, hk, ids = await _partner_with_workers(client, 1)
    _, sg, _ = await _partner_with_workers(client, 0, "kbri-singapore", "SG")
    query = "query($id: ID!) { node(id: $id) { __typename id } }"
    assert (await hk.run(query, {"id": ids[0]}))["node"]["id"] == ids[0]
    for probe in (ids[0], "V29ya2VyOjk5OTk5", "%%%", "", "UGFydG5lcjo5OTk=",
                  base64.b64encode(b"Nope:1").decode()):
        response = await sg.post(query, {"id": probe})
        assert response.json()["data"] == {"node": None} and "errors" not in response.json()


async def test_nodes_keeps_order_and_hides_foreign_ids(client):
    _, hk, ids = await _partner_with_workers(client, 2)
    _, sg, sg_ids = await _partner_with_workers(client, 1, "kbri-singapore", "SG")
    data = await hk.run("query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
                        {"ids": [ids[1], sg_ids[0], ids[0]]})
    assert data["nodes"] == [{"id": ids[1]}, None, {"id": ids[0]}]


async def test_nodes_refuses_more_than_100_ids(client):
    _, hk, _ = await _partner_with_workers(client, 0)
    response = await hk.post("query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
                             {"ids": ["x"] * 101})
    error = response.json()["errors"][0]
    assert error["extensions"]["rule"] == "max_items"


async def test_viewer_role_sees_identifiers_masked(client):
    p, hk, _ = await _partner_with_workers(client, 0)
    data = f.worker_input(passportNumber="C1234567")
    await hk.run(REGISTER, {"input": data})
    viewer = client.as_key(await f.key(p, Role.PARTNER_VIEWER))
    node = (await viewer.run("{ workers { edges { node { nik passportNumber } } } }"))[
        "workers"]["edges"][0]["node"]
    assert node["nik"] == data["nik"][:4] + "••••••••" + data["nik"][-4:]
    assert node["passportNumber"] == "••••••••"
    full = (await hk.run("{ workers { edges { node { nik passportNumber } } } }"))[
        "workers"]["edges"][0]["node"]
    assert full == {"nik": data["nik"], "passportNumber": "C1234567"}


async def test_operator_sees_every_partners_workers(client):
    await _partner_with_workers(client, 2)
    await _partner_with_workers(client, 3, "kbri-singapore", "SG")
    bpjs = await f.partner("bpjs-ketenagakerjaan", PartnerKind.BPJS_OFFICE, "ID")
    op = client.as_key(await f.key(bpjs, Role.OPERATOR))
    assert (await op.run("{ workerStats { total } }"))["workerStats"]["total"] == 5


async def test_keyset_pages_never_repeat_or_skip_while_rows_are_inserted(client):
    _, hk, ids = await _partner_with_workers(client, 7)
    seen: list[str] = []
    after = None
    while True:
        page = (await hk.run(PAGE, {"first": 3, "after": after}))["workers"]
        seen += [e["node"]["id"] for e in page["edges"]]
        # Newer rows land at the front of the default (newest first) order: never on a
        # page still to come.
        await hk.run(REGISTER, {"input": f.worker_input()})
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == list(reversed(ids))


async def test_pages_backwards_with_last_and_before(client):
    _, hk, ids = await _partner_with_workers(client, 5)
    order = {"field": "REGISTERED_AT", "direction": "ASC"}
    first = (await hk.run(PAGE, {"first": 5, "order": order}))["workers"]
    end = first["pageInfo"]["endCursor"]
    back = (await hk.run(PAGE, {"last": 2, "before": end, "order": order}))["workers"]
    assert [e["node"]["id"] for e in back["edges"]] == ids[2:4]
    assert back["pageInfo"]["hasPreviousPage"] is True
    assert back["pageInfo"]["hasNextPage"] is True


async def test_order_by_name_pages_through_ties_by_id(client):
    names = ["Ani", "Budi", "Ani", "Citra", "Ani"]
    _, hk, ids = await _partner_with_workers(client, 5, names=names)
    order = {"field": "FULL_NAME", "direction": "ASC"}
    got, after = [], None
    for _ in range(5):
        page = (await hk.run(PAGE, {"first": 2, "after": after, "order": order}))["workers"]
        got += [e["node"]["fullName"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert got == sorted(names)


async def test_order_by_cover_end_puts_uncovered_workers_last_in_both_directions(client):
    from datetime import date

    from models.workers import Worker
    from schema.ids import decode_as

    _, hk, ids = await _partner_with_workers(client, 4)
    early, late, none1, none2 = ids
    await Worker.filter(id=decode_as("Worker", early)).update(covered_until=date(2026, 3, 1))
    await Worker.filter(id=decode_as("Worker", late)).update(covered_until=date(2027, 3, 1))
    expected = {"ASC": [early, late, none1, none2], "DESC": [late, early, none1, none2]}
    for direction, want in expected.items():
        order = {"field": "COVERED_UNTIL", "direction": direction}
        got, after = [], None
        for _ in range(5):
            page = (await hk.run(PAGE, {"first": 1, "after": after, "order": order}))["workers"]
            got += [e["node"]["id"] for e in page["edges"]]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        # Ties among uncovered workers break by id in the direction asked for.
        assert got[:2] == want[:2] and set(got[2:]) == {none1, none2}, direction
        back = (await hk.run(PAGE, {"last": 4, "before": None, "order": order}))["workers"]
        assert [e["node"]["id"] for e in back["edges"]] == got, direction


async def test_page_size_above_the_maximum_is_a_clear_error(client):
    _, hk, _ = await _partner_with_workers(client, 0)
    error = (await hk.post(PAGE, {"first": 101})).json()["errors"][0]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "first",
                                   "rule": "max_page_size"}
    assert "100" in error["message"]


async def test_invalid_cursor_is_a_clear_error(client):
    _, hk, _ = await _partner_with_workers(client, 0)
    for bad in ("garbage", base64.b64encode(b'["upd","x",1]').decode()):
        error = (await hk.post(PAGE, {"first": 1, "after": bad})).json()["errors"][0]
        assert error["extensions"]["rule"] == "cursor"


async def test_search_finds_by_name_part_and_exact_identifiers(client):
    p, hk, _ = await _partner_with_workers(client, 0)
    passport = make_passport(__import__("random").Random(5))
    data = f.worker_input(fullName="Dewi Lestari", passportNumber=passport)
    await hk.run(REGISTER, {"input": data})
    await hk.run(REGISTER, {"input": f.worker_input(fullName="Rina Wati")})
    for term in ("lestar", data["nik"], passport.lower()):
        page = (await hk.run(PAGE, {"filter": {"search": term}}))["workers"]
        assert [e["node"]["fullName"] for e in page["edges"]] == ["Dewi Lestari"], term


async def test_stats_count_only_the_viewers_workers(client):
    _, hk, ids = await _partner_with_workers(client, 3)
    await _partner_with_workers(client, 2, "kbri-singapore", "SG")
    stats = (await hk.run(
        "{ workerStats { total byPhase { key count } byDestinationCountry { key count } } }"
    ))["workerStats"]
    assert stats["total"] == 3
    assert stats["byPhase"] == [{"key": "BEFORE", "count": 3}]
    assert stats["byDestinationCountry"] == [{"key": "HK", "count": 3}]


async def test_total_count_respects_filters(client):
    _, hk, _ = await _partner_with_workers(client, 2)
    data = await hk.run('{ a: workers(filter: {phase: DURING}) { totalCount } '
                        'b: workers(filter: {destinationCountry: "hk"}) { totalCount } }')
    assert (data["a"]["totalCount"], data["b"]["totalCount"]) == (0, 2)


async def test_unknown_country_in_a_filter_is_a_clear_error(client):
    _, hk, _ = await _partner_with_workers(client, 0)
    error = (await hk.post(PAGE, {"filter": {"destinationCountry": "XX"}})).json()["errors"][0]
    assert error["extensions"]["rule"] == "iso3166_alpha2"


async def test_viewer_query_says_who_i_am(client):
    p, hk, _ = await _partner_with_workers(client, 0)
    data = await hk.run("{ viewer { role scopes partner { code kind } apiKey { name prefix } } }")
    assert data["viewer"]["role"] == "PARTNER_OFFICER"
    assert data["viewer"]["scopes"] == ["READ", "SUBSCRIBE", "WRITE"]
    assert data["viewer"]["partner"] == {"code": "kbri-hongkong", "kind": "EMBASSY"}
    assert data["viewer"]["apiKey"]["prefix"].startswith("ppk_")


async def test_a_cursor_bounds_the_sort_key_so_deep_pages_range_scan_the_index(
        client, sql_counter):
    _, hk, _ = await _partner_with_workers(client, 3)
    first = (await hk.run(PAGE, {"first": 1}))["workers"]["pageInfo"]["endCursor"]
    sql_counter.reset()
    await hk.run(PAGE, {"first": 1, "after": first})
    page_query = next(s for s in sql_counter.statements if 'FROM "worker"' in s
                      and "ORDER BY" in s)
    # Newest first: registered_at <= v AND (registered_at < v OR (= v AND id < pk)).
    assert '"registered_at"<=' in page_query.replace(" ", "")


STATS_ALL = """query($filter: WorkerFilter) { workerStats(filter: $filter) {
  total byPhase { key count } byPlacementStatus { key count } byStatus { key count }
  byDestinationCountry { key count } byJobSector { key count } } }"""


async def test_dashboard_from_the_counters_equals_a_group_by_over_the_same_workers(client):
    # No filter: the maintained counters. registeredFrom (which the counters do not
    # cover) in the past selects the same workers through a GROUP BY over them.
    p, hk, _ = await _partner_with_workers(client, 3)
    await hk.run(REGISTER, {"input": f.worker_input(destinationCountry="SG",
                                                    jobSector="CAREGIVER")})
    await _partner_with_workers(client, 2, "kbri-singapore", "SG")
    bpjs = await f.partner("bpjs-ketenagakerjaan", PartnerKind.BPJS_OFFICE, "ID")
    op = client.as_key(await f.key(bpjs, Role.OPERATOR))
    for caller, total in ((hk, 4), (op, 6)):
        counted = (await caller.run(STATS_ALL))["workerStats"]
        grouped = (await caller.run(STATS_ALL, {"filter": {"registeredFrom": "2000-01-01"}})
                   )["workerStats"]
        assert counted == grouped and counted["total"] == total
        assert sum(c["count"] for c in counted["byDestinationCountry"]) == total
    hk_countries = (await hk.run(STATS_ALL))["workerStats"]["byDestinationCountry"]
    assert hk_countries == [{"key": "HK", "count": 3}, {"key": "SG", "count": 1}]
