"""No N+1: a page costs the same number of SQL statements for 10 rows as for 100."""

from __future__ import annotations

from models import bulk_import, worker_changes
from models.clock import today_jakarta
from tests import factories as f

LIST_PAGE = """
query($n: Int!) {
  workers(first: $n) {
    edges { cursor node {
      id fullName status coveredUntil
      partner { code name }
      coverages { program startsOn endsOn }
      latestContribution { kind amount }
    } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

LIST_WITH_HISTORY = """
query($n: Int!) {
  workers(first: $n) {
    edges { node { id
      contributions(first: 5) { edges { node { amount } } pageInfo { hasNextPage } }
      events(first: 5) { edges { node { type worker { id } } } }
    } }
  }
}
"""

DETAIL = """
query($id: ID!) {
  worker(id: $id) {
    id fullName partner { code } coverages { program }
    latestContribution { amount }
    contributions(first: 100) { edges { node { kind amount paidOn } } pageInfo { hasNextPage } }
    events(first: 100) { edges { cursor node { type actor changes worker { id } } } }
  }
}
"""


async def _paid_workers(n: int):
    hk = await f.partner()
    viewer = f.viewer(hk)
    outcome = await bulk_import.import_workers(viewer, [f.worker_input() for _ in range(n)])
    for row in outcome.rows:
        await worker_changes.record_contribution(viewer, {
            "workerId": row.worker_id, "kind": "PRE_PLACEMENT", "amount": 37_500,
            "paidOn": today_jakarta()})
    return hk, viewer, [r.worker_id for r in outcome.rows]


async def _statements(c, sql_counter, query, variables) -> int:
    sql_counter.reset()
    data = await c.run(query, variables)
    assert data
    return sql_counter.count


async def test_list_page_costs_the_same_for_10_and_100_workers(client, sql_counter):
    hk, _, _ = await _paid_workers(100)
    c = client.as_key(await f.key(hk))
    await c.run(LIST_PAGE, {"n": 1})  # warm-up: the key's first use is recorded once
    ten = await _statements(c, sql_counter, LIST_PAGE, {"n": 10})
    hundred = await _statements(c, sql_counter, LIST_PAGE, {"n": 100})
    assert ten == hundred
    # Authentication, the page, and one batched query each for partners, coverages and
    # latest contributions.
    assert hundred <= 6, sql_counter.statements


async def test_each_workers_first_contributions_and_events_load_in_one_query_each(
    client, sql_counter
):
    hk, _, _ = await _paid_workers(100)
    c = client.as_key(await f.key(hk))
    await c.run(LIST_WITH_HISTORY, {"n": 1})
    ten = await _statements(c, sql_counter, LIST_WITH_HISTORY, {"n": 10})
    hundred = await _statements(c, sql_counter, LIST_WITH_HISTORY, {"n": 100})
    assert ten == hundred
    data = await c.run(LIST_WITH_HISTORY, {"n": 100})
    for edge in data["workers"]["edges"]:
        node = edge["node"]
        assert len(node["contributions"]["edges"]) == 1
        assert [e["node"]["type"] for e in node["events"]["edges"]] == [
            "REGISTERED", "CONTRIBUTION_RECORDED"]
        assert all(e["node"]["worker"]["id"] == node["id"] for e in node["events"]["edges"])


async def test_worker_detail_costs_the_same_with_a_short_or_a_long_history(
    client, sql_counter
):
    hk, viewer, (short, long) = await _paid_workers(2)
    for i in range(30):
        changed = await worker_changes.update_worker(
            viewer, long, 2 + 2 * i, {"employerName": f"Employer {i}"})
        await worker_changes.record_contribution(viewer, {
            "workerId": long, "kind": "JHT", "amount": 50_000, "months": 1,
            "jhtMonthlyAmount": 50_000, "paidOn": today_jakarta()})
        assert changed.worker.version == 3 + 2 * i
    c = client.as_key(await f.key(hk))
    from schema import ids

    await c.run(DETAIL, {"id": ids.encode("Worker", short)})
    few = await _statements(c, sql_counter, DETAIL, {"id": ids.encode("Worker", short)})
    many = await _statements(c, sql_counter, DETAIL, {"id": ids.encode("Worker", long)})
    assert few == many
    assert many <= 8, sql_counter.statements
    data = await c.run(DETAIL, {"id": ids.encode("Worker", long)})
    assert len(data["worker"]["events"]["edges"]) == 62
    assert len(data["worker"]["contributions"]["edges"]) == 31


def _page_select(statements: list[str]) -> str:
    return next(s for s in statements if 'FROM "worker"' in s and "ORDER BY" in s)


async def test_a_list_page_reads_only_the_columns_its_selection_needs(client, sql_counter):
    hk, _, _ = await _paid_workers(3)
    c = client.as_key(await f.key(hk))
    await c.run(LIST_PAGE, {"n": 1})
    sql_counter.reset()
    names = await c.run("{ workers(orderBy: {field: FULL_NAME, direction: ASC}) "
                        "{ edges { node { fullName } } } }")
    narrow = _page_select(sql_counter.statements)
    assert '"full_name"' in narrow
    for unread in ("nik_sealed", "heirs", "passport_sealed", "employer_name"):
        assert unread not in narrow
    sql_counter.reset()
    full = await c.run("{ workers(orderBy: {field: FULL_NAME, direction: ASC}) { edges { node {"
                       " fullName nik passportNumber heirs { fullName } externalIds { kpjNumber }"
                       " employerName } } } }")
    wide = _page_select(sql_counter.statements)
    for read in ("nik_sealed", "passport_sealed", "heirs", "kpj_number", "employer_name"):
        assert read in wide
    assert [e["node"]["fullName"] for e in full["workers"]["edges"]] == [
        e["node"]["fullName"] for e in names["workers"]["edges"]]
    assert all(len(e["node"]["nik"]) == 16 for e in full["workers"]["edges"])
