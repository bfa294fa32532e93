"""worker(id), expiringCoverage, latestContribution and the bad-input answers of queries."""

from __future__ import annotations

from datetime import timedelta

from models import worker_changes
from models.clock import today_jakarta
from schema import ids
from tests import factories as f

EXPIRING = """
query($days: Int!, $first: Int, $after: String, $filter: WorkerFilter) {
  expiringCoverage(withinDays: $days, first: $first, after: $after, filter: $filter) {
    totalCount
    edges { cursor node { fullName coveredUntil status } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
TODAY = today_jakarta()


async def _paid(viewer, name: str, days_ago: int, **overrides):
    worker = await worker_changes.register_worker(viewer, f.worker_input(fullName=name,
                                                                         **overrides))
    done = await worker_changes.record_contribution(viewer, {
        "workerId": worker.id, "kind": "PRE_PLACEMENT", "amount": 37_500,
        "paidOn": TODAY - timedelta(days=days_ago)})
    return done.worker


async def test_expiring_coverage_lists_active_workers_soonest_first_page_by_page(client):
    hk = await f.partner()
    viewer = f.viewer(hk)
    soon = await _paid(viewer, "Soon", 145)
    later = await _paid(viewer, "Later", 130)
    await _paid(viewer, "Far", 0)
    await worker_changes.register_worker(viewer, f.worker_input(fullName="Unpaid"))
    sg = await f.partner("kbri-singapore", country="SG")
    await _paid(f.viewer(sg), "Elsewhere", 145, destinationCountry="SG")
    c = client.as_key(await f.key(hk))

    page = (await c.run(EXPIRING, {"days": 30, "first": 1}))["expiringCoverage"]
    assert page["totalCount"] == 2
    assert [e["node"]["fullName"] for e in page["edges"]] == ["Soon"]
    assert page["edges"][0]["node"]["coveredUntil"] == soon.covered_until.isoformat()
    assert page["pageInfo"]["hasNextPage"] is True
    rest = (await c.run(EXPIRING, {"days": 30, "first": 5,
                                   "after": page["pageInfo"]["endCursor"]}))["expiringCoverage"]
    assert [e["node"]["fullName"] for e in rest["edges"]] == ["Later"]
    assert rest["edges"][0]["node"]["coveredUntil"] == later.covered_until.isoformat()
    assert rest["pageInfo"]["hasNextPage"] is False


async def test_expiring_coverage_leaves_out_expired_memberships_and_takes_filters(client):
    hk = await f.partner()
    viewer = f.viewer(hk)
    await _paid(viewer, "Soon", 145, jobSector="CAREGIVER")
    other = await _paid(viewer, "Other", 140)
    c = client.as_key(await f.key(hk))
    caregivers = (await c.run(EXPIRING, {"days": 30, "filter": {"jobSector": "CAREGIVER"}}))
    assert [e["node"]["fullName"] for e in caregivers["expiringCoverage"]["edges"]] == ["Soon"]
    # The sweep ran "later": both lapsed, and an expired membership is not "expiring".
    await worker_changes.expire_lapsed(today=other.covered_until + timedelta(days=1))
    left = (await c.run(EXPIRING, {"days": 366}))["expiringCoverage"]["edges"]
    assert left == []


async def test_within_days_outside_0_to_366_is_a_clear_error(client):
    hk = await f.partner()
    c = client.as_key(await f.key(hk))
    for days in (-1, 367):
        response = await c.post(EXPIRING, {"days": days})
        error = response.json()["errors"][0]
        assert error["extensions"]["field"] == "withinDays"
        assert error["extensions"]["rule"] == "range"
        assert "0 to 366" in error["message"]


async def test_worker_by_id_answers_own_and_null_for_foreign_missing_or_malformed(client):
    hk = await f.partner()
    w = await worker_changes.register_worker(f.viewer(hk), f.worker_input())
    sg = await f.partner("kbri-singapore", country="SG")
    query = "query($id: ID!) { worker(id: $id) { id latestContribution { id } } }"
    own = (await client.as_key(await f.key(hk)).run(query, {"id": ids.encode("Worker", w.id)}))
    assert own["worker"] == {"id": ids.encode("Worker", w.id), "latestContribution": None}
    sg_c = client.as_key(await f.key(sg))
    for probe in (ids.encode("Worker", w.id), ids.encode("Worker", 99999), "garbage",
                  ids.encode("Partner", hk.id)):
        response = await sg_c.post(query, {"id": probe})
        assert response.json()["data"] == {"worker": None}


async def test_bad_query_input_is_a_typed_error_never_a_500(client):
    hk = await f.partner()
    c = client.as_key(await f.key(hk))
    cases = [
        ("{ workers(first: 101) { edges { cursor } } }", "max_page_size"),
        ('{ workers(after: "bm90LWEtY3Vyc29y") { edges { cursor } } }', "cursor"),
        ('{ workers(filter: {registeredFrom: "2026-02-01", registeredTo: "2026-01-01"}) '
         "{ edges { cursor } } }", "date_order"),
        ('{ workers(filter: {search: "   "}) { edges { cursor } } }', "min_length"),
    ]
    for query, rule in cases:
        response = await c.post(query)
        assert response.status_code == 200
        assert response.json()["errors"][0]["extensions"]["rule"] == rule, query
    for query in ("{ workers(filter: {placementStatus: ASTRONAUT}) { edges { cursor } } }",
                  '{ workers(filter: {registeredFrom: 12}) { edges { cursor } } }',
                  '{ expiringCoverage(withinDays: "soon") { edges { cursor } } }'):
        response = await c.post(query)
        assert response.status_code in (200, 400)
        assert response.json()["errors"], query


async def test_destination_region_filter_finds_the_malaysian_state(client):
    hk = await f.partner()
    viewer = f.viewer(hk)
    await worker_changes.register_worker(viewer, f.worker_input(
        fullName="Sabah Worker", destinationCountry="MY", destinationRegion="Sabah",
        jobSector="PLANTATION"))
    await worker_changes.register_worker(viewer, f.worker_input(fullName="Hong Kong Worker"))
    data = await client.as_key(await f.key(hk)).run(
        '{ workers(filter: {destinationRegion: "sabah"}) { edges { node { fullName } } } }')
    assert [e["node"]["fullName"] for e in data["workers"]["edges"]] == ["Sabah Worker"]
