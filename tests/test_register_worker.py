"""registerWorker: typed errors, duplicates without leaks, idempotency."""

from __future__ import annotations

from models.enums import PartnerKind, Role, Scope
from tests import factories as f

REGISTER = """
mutation($input: RegisterWorkerInput!, $key: String) {
  registerWorker(input: $input, idempotencyKey: $key) {
    __typename
    ... on RegisterWorkerSuccess { worker { id nik fullName phase status placementStatus version
                                           partner { code } events { edges { node { type } } } } }
    ... on ValidationError { field rule message errors { field rule message } }
    ... on DuplicateNikError { message field }
    ... on NotAllowedError { message needed }
    ... on IdempotencyConflictError { message }
  }
}
"""


async def _register(client, data, key=None):
    return (await client.run(REGISTER, {"input": data, "key": key}))["registerWorker"]


async def test_registered_worker_starts_as_unpaid_candidate_with_a_registered_event(client):
    hk = await f.partner()
    result = await _register(client.as_key(await f.key(hk)), f.worker_input())
    worker = result["worker"]
    assert (worker["placementStatus"], worker["phase"], worker["status"]) == (
        "CANDIDATE", "BEFORE", "REGISTERED")
    assert worker["partner"]["code"] == "kbri-hongkong"
    assert [e["node"]["type"] for e in worker["events"]["edges"]] == ["REGISTERED"]


async def test_invalid_nik_is_a_validation_error_naming_the_field_and_rule(client):
    hk = await f.partner()
    result = await _register(client.as_key(await f.key(hk)), f.worker_input(nik="12345"))
    assert result["__typename"] == "ValidationError"
    assert (result["field"], result["rule"]) == ("nik", "nik_format")
    assert "12345" not in result["message"]


async def test_every_problem_is_reported_at_once(client):
    hk = await f.partner()
    data = f.worker_input(fullName="R2D2", phone="0812", destinationCountry="XX")
    result = await _register(client.as_key(await f.key(hk)), data)
    assert {(e["field"], e["rule"]) for e in result["errors"]} == {
        ("fullName", "name_characters"), ("phone", "e164"),
        ("destinationCountry", "iso3166_alpha2"),
    }


async def test_nik_that_disagrees_with_gender_is_refused(client):
    hk = await f.partner()
    data = f.worker_input()
    data["gender"] = "MALE"  # the NIK was made for a woman (day + 40)
    result = await _register(client.as_key(await f.key(hk)), data)
    assert (result["field"], result["rule"]) == ("nik", "nik_gender_mismatch")


async def test_nothing_is_written_when_validation_fails(client):
    hk = await f.partner()
    c = client.as_key(await f.key(hk))
    await _register(c, f.worker_input(phone="nope"))
    stats = await c.run("{ workerStats { total } events: workers { edges { cursor } } }")
    assert stats["workerStats"]["total"] == 0


async def test_nik_registered_by_another_partner_reveals_nothing_about_it(client):
    hk, sg = await f.partner(), await f.partner("kbri-singapore", country="SG")
    data = f.worker_input()
    await _register(client.as_key(await f.key(hk)), data)
    again = dict(data, fullName="Someone Else")
    result = await _register(client.as_key(await f.key(sg)), again)
    assert result == {"__typename": "DuplicateNikError",
                      "message": "This NIK is already registered elsewhere.", "field": "nik"}


async def test_nik_registered_by_the_same_partner_says_so(client):
    hk = await f.partner()
    c = client.as_key(await f.key(hk))
    data = f.worker_input()
    await _register(c, data)
    result = await _register(c, data)
    assert result["__typename"] == "DuplicateNikError"
    assert "your organisation" in result["message"]


async def test_viewer_role_cannot_register(client):
    hk = await f.partner()
    result = await _register(client.as_key(await f.key(hk, Role.PARTNER_VIEWER)),
                             f.worker_input())
    assert result["__typename"] == "NotAllowedError"


async def test_key_without_write_scope_cannot_register(client):
    hk = await f.partner()
    secret = await f.key(hk, Role.PARTNER_OFFICER, frozenset({Scope.READ}))
    result = await _register(client.as_key(secret), f.worker_input())
    assert (result["__typename"], result["needed"]) == ("NotAllowedError", "WRITE")


async def test_operator_cannot_register_because_bpjs_owns_no_workers(client):
    bpjs = await f.partner("bpjs-ketenagakerjaan", PartnerKind.BPJS_OFFICE, "ID")
    result = await _register(client.as_key(await f.key(bpjs, Role.OPERATOR)), f.worker_input())
    assert result["__typename"] == "NotAllowedError"


async def test_same_idempotency_key_and_input_returns_the_first_worker(client):
    hk = await f.partner()
    c = client.as_key(await f.key(hk))
    data = f.worker_input()
    first = await _register(c, data, key="batch-7-row-1")
    second = await _register(c, data, key="batch-7-row-1")
    assert second["__typename"] == "RegisterWorkerSuccess"
    assert second["worker"]["id"] == first["worker"]["id"]
    assert (await c.run("{ workerStats { total } }"))["workerStats"]["total"] == 1


async def test_same_idempotency_key_with_other_input_is_a_conflict(client):
    hk = await f.partner()
    c = client.as_key(await f.key(hk))
    await _register(c, f.worker_input(), key="k1")
    result = await _register(c, f.worker_input(), key="k1")
    assert result["__typename"] == "IdempotencyConflictError"


async def test_idempotency_keys_are_scoped_to_the_partner(client):
    hk, sg = await f.partner(), await f.partner("kbri-singapore", country="SG")
    first = await _register(client.as_key(await f.key(hk)), f.worker_input(), key="shared")
    other = await _register(client.as_key(await f.key(sg)), f.worker_input(), key="shared")
    assert first["__typename"] == other["__typename"] == "RegisterWorkerSuccess"


async def test_wrong_enum_literal_stays_a_graphql_error(client):
    hk = await f.partner()
    data = f.worker_input()
    data["gender"] = "UNKNOWN"
    response = await client.as_key(await f.key(hk)).post(REGISTER, {"input": data})
    assert response.status_code == 200
    assert "UNKNOWN" in response.json()["errors"][0]["message"]
