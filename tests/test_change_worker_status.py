"""changeWorkerStatus: the lifecycle graph, its conditions, and the order of checks."""

from __future__ import annotations

from models.enums import PartnerKind, Role, Scope
from tests import factories as f

REGISTER = """mutation($input: RegisterWorkerInput!) { registerWorker(input: $input) {
  ... on RegisterWorkerSuccess { worker { id version } } } }"""

CHANGE = """
mutation($id: ID!, $version: Int!, $placement: PlacementStatus, $status: MembershipStatus,
         $reason: String!) {
  changeWorkerStatus(id: $id, version: $version, placementStatus: $placement, status: $status,
                     reason: $reason) {
    __typename
    ... on ChangeWorkerStatusSuccess {
      worker { placementStatus phase status version departedOn }
      event { type reason actor cursor changes workerId }
    }
    ... on InvalidTransitionError { from to allowed message }
    ... on ValidationError { field rule errors { field rule } }
    ... on StaleVersionError { currentVersion message }
    ... on NotFoundError { id message }
    ... on NotAllowedError { needed message }
  }
}
"""


async def _setup(client, **overrides):
    hk = await f.partner()
    c = client.as_key(await f.key(hk))
    w = (await c.run(REGISTER, {"input": f.worker_input(**overrides)}))["registerWorker"]
    return hk, c, w["worker"]


async def _change(c, worker_id, version, placement=None, status=None, reason="recorded"):
    return (await c.run(CHANGE, {"id": worker_id, "version": version, "placement": placement,
                                 "status": status, "reason": reason}))["changeWorkerStatus"]


async def test_departure_moves_worker_to_during_and_writes_an_event(client):
    _, c, w = await _setup(client)
    result = await _change(c, w["id"], 1, "DEPARTED", reason="Flew to HKG on CX 798")
    assert result["__typename"] == "ChangeWorkerStatusSuccess"
    assert result["worker"]["placementStatus"] == "DEPARTED"
    assert result["worker"]["phase"] == "DURING"
    assert result["worker"]["version"] == 2
    assert result["worker"]["departedOn"] is not None
    event = result["event"]
    assert event["type"] == "PLACEMENT_STATUS_CHANGED"
    assert event["reason"] == "Flew to HKG on CX 798"
    assert event["workerId"] == w["id"]
    assert event["changes"]["placementStatus"] == {"from": "CANDIDATE", "to": "DEPARTED"}
    assert event["changes"]["phase"] == {"from": "BEFORE", "to": "DURING"}


async def test_departure_needs_passport_and_contract_dates(client):
    data = f.worker_input()
    for name in ("passportNumber", "contractStart", "contractEnd"):
        data.pop(name)
    hk = await f.partner()
    c = client.as_key(await f.key(hk))
    w = (await c.run(REGISTER, {"input": data}))["registerWorker"]["worker"]
    result = await _change(c, w["id"], 1, "DEPARTED")
    assert result["__typename"] == "ValidationError"
    assert {(e["field"], e["rule"]) for e in result["errors"]} == {
        ("passportNumber", "required_to_depart"), ("contractStart", "required_to_depart"),
        ("contractEnd", "required_to_depart")}


async def test_forbidden_transition_lists_the_allowed_next_states(client):
    _, c, w = await _setup(client)
    result = await _change(c, w["id"], 1, "RETURNED")
    assert result["__typename"] == "InvalidTransitionError"
    assert (result["from"], result["to"]) == ("CANDIDATE", "RETURNED")
    assert result["allowed"] == ["DECEASED", "DEPARTED", "FAILED_DEPARTURE"]


async def test_stale_version_is_refused_with_the_current_version(client):
    _, c, w = await _setup(client)
    await _change(c, w["id"], 1, "DEPARTED")
    result = await _change(c, w["id"], 1, "ON_LEAVE")
    assert (result["__typename"], result["currentVersion"]) == ("StaleVersionError", 2)


async def test_reason_is_required(client):
    _, c, w = await _setup(client)
    result = await _change(c, w["id"], 1, "DEPARTED", reason="   ")
    assert (result["__typename"], result["field"], result["rule"]) == (
        "ValidationError", "reason", "required")


async def test_death_closes_the_membership_in_the_same_event(client):
    _, c, w = await _setup(client)
    result = await _change(c, w["id"], 1, "DECEASED", reason="Reported by family")
    assert result["worker"]["status"] == "CLOSED"
    assert result["worker"]["phase"] == "BEFORE"
    assert result["event"]["changes"]["status"] == {"from": "REGISTERED", "to": "CLOSED"}
    again = await _change(c, w["id"], 2, "CANDIDATE")
    assert again["__typename"] == "InvalidTransitionError"
    assert again["allowed"] == []


async def test_partners_cannot_close_a_membership_but_operators_can(client):
    _, c, w = await _setup(client)
    refused = await _change(c, w["id"], 1, status="CLOSED")
    assert (refused["__typename"], refused["needed"]) == ("NotAllowedError", "OPERATOR")
    bpjs = await f.partner("bpjs-ketenagakerjaan", PartnerKind.BPJS_OFFICE, "ID")
    op = client.as_key(await f.key(bpjs, Role.OPERATOR))
    closed = await _change(op, w["id"], 1, status="CLOSED", reason="Duplicate membership")
    assert closed["event"]["type"] == "MEMBERSHIP_STATUS_CHANGED"
    assert closed["worker"]["status"] == "CLOSED"


async def test_membership_cannot_be_set_active_by_hand(client):
    _, c, w = await _setup(client)
    bpjs = await f.partner("bpjs-ketenagakerjaan", PartnerKind.BPJS_OFFICE, "ID")
    op = client.as_key(await f.key(bpjs, Role.OPERATOR))
    result = await _change(op, w["id"], 1, status="ACTIVE")
    assert result["__typename"] == "InvalidTransitionError"
    assert result["allowed"] == ["CLOSED"]


async def test_foreign_missing_and_malformed_ids_answer_byte_for_byte_alike(client):
    _, _, w = await _setup(client)
    sg = await f.partner("kbri-singapore", country="SG")
    sg_client = client.as_key(await f.key(sg))
    answers = set()
    for worker_id in (w["id"], "V29ya2VyOjk5OTk5", "not-an-id", "UGFydG5lcjox"):
        response = await sg_client.post(CHANGE, {"id": worker_id, "version": 1,
                                                 "placement": "DEPARTED", "reason": "x"})
        answers.add(response.text.replace(worker_id, "<id>"))
    assert len(answers) == 1, answers


async def test_role_is_checked_before_the_tenancy_lookup(client):
    _, _, w = await _setup(client)
    sg = await f.partner("kbri-singapore", country="SG")
    viewer = client.as_key(await f.key(sg, Role.PARTNER_VIEWER))
    result = await _change(viewer, w["id"], 1, "DEPARTED")
    assert result["__typename"] == "NotAllowedError"
    read_only = client.as_key(await f.key(sg, Role.PARTNER_OFFICER, frozenset({Scope.READ})))
    assert (await _change(read_only, w["id"], 1, "DEPARTED"))["__typename"] == "NotAllowedError"


async def test_new_placement_cycle_after_return_clears_the_old_contract(client):
    _, c, w = await _setup(client)
    await _change(c, w["id"], 1, "DEPARTED")
    await _change(c, w["id"], 2, "RETURNED")
    result = await _change(c, w["id"], 3, "CANDIDATE", reason="Second placement")
    assert result["worker"]["phase"] == "BEFORE"
    departure = await _change(c, w["id"], 4, "DEPARTED")
    assert departure["__typename"] == "ValidationError"
    assert {e["field"] for e in departure["errors"]} == {"contractStart", "contractEnd"}
