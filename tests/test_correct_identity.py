"""correctIdentity: operators only; masked events; NIK uniqueness and agreement rechecked."""

from __future__ import annotations

from datetime import date

from models.enums import Gender, Role
from tests import factories as f

REGISTER = """mutation($input: RegisterWorkerInput!) { registerWorker(input: $input) {
  ... on RegisterWorkerSuccess { worker { id version } } } }"""

CORRECT = """
mutation($id: ID!, $version: Int!, $input: CorrectIdentityInput!, $reason: String!) {
  correctIdentity(id: $id, version: $version, input: $input, reason: $reason) {
    __typename
    ... on CorrectIdentitySuccess {
      worker { nik fullName birthDate gender version }
      event { type reason actor changes }
    }
    ... on ValidationError { field rule errors { field rule } }
    ... on DuplicateNikError { message }
    ... on NotAllowedError { needed }
    ... on StaleVersionError { currentVersion }
  }
}
"""


async def _world(client):
    hk = await f.partner()
    hk_c = client.as_key(await f.key(hk))
    op = client.as_key(await f.key(await f.operator_partner(), Role.OPERATOR))
    data = f.worker_input()
    w = (await hk_c.run(REGISTER, {"input": data}))["registerWorker"]["worker"]
    return hk, hk_c, op, w, data


async def _correct(c, w, version=1, reason="Passport shows the right spelling", **fields):
    return (await c.run(CORRECT, {"id": w["id"], "version": version, "input": fields,
                                  "reason": reason}))["correctIdentity"]


async def test_operator_corrects_a_name_with_a_reason_and_an_event(client):
    _, _, op, w, _ = await _world(client)
    result = await _correct(op, w, fullName="Siti Rahmawati Putri")
    assert result["__typename"] == "CorrectIdentitySuccess"
    assert (result["worker"]["fullName"], result["worker"]["version"]) == (
        "Siti Rahmawati Putri", 2)
    assert result["event"]["type"] == "IDENTITY_CORRECTED"
    assert result["event"]["reason"] == "Passport shows the right spelling"
    assert result["event"]["changes"] == {
        "fullName": {"from": "Siti Rahmawati", "to": "Siti Rahmawati Putri"}}


async def test_nik_birth_date_and_gender_are_corrected_together_and_masked(client):
    _, _, op, w, data = await _world(client)
    born = date(1994, 7, 2)
    nik = f.nik_for(born, Gender.MALE)
    result = await _correct(op, w, nik=nik, birthDate=born.isoformat(), gender="MALE")
    assert result["worker"]["nik"] == nik
    changes = result["event"]["changes"]
    assert changes["nik"] == {"from": data["nik"][:4] + "••••••••" + data["nik"][-4:],
                              "to": nik[:4] + "••••••••" + nik[-4:]}
    assert changes["gender"] == {"from": "FEMALE", "to": "MALE"}
    assert nik not in str(result["event"])


async def test_a_nik_that_disagrees_with_the_record_is_refused(client):
    _, _, op, w, _ = await _world(client)
    result = await _correct(op, w, gender="MALE")  # the NIK on record says female
    assert (result["__typename"], result["field"], result["rule"]) == (
        "ValidationError", "gender", "nik_gender_mismatch")


async def test_a_nik_taken_by_another_partners_worker_reveals_nothing(client):
    _, _, op, w, _ = await _world(client)
    sg = await f.partner("kbri-singapore", country="SG")
    other = f.worker_input()
    await client.as_key(await f.key(sg)).run(REGISTER, {"input": other})
    result = await _correct(op, w, nik=other["nik"])
    assert result == {"__typename": "DuplicateNikError",
                      "message": "This NIK is already registered elsewhere."}


async def test_partners_may_not_correct_identity(client):
    hk, hk_c, _, w, _ = await _world(client)
    admin = client.as_key(await f.key(hk, Role.PARTNER_ADMIN))
    for c in (hk_c, admin):
        result = await _correct(c, w, fullName="Someone Else")
        assert result["__typename"] == "NotAllowedError"
        # An officer lacks the ADMIN scope; an admin has it but is no operator.
        assert result["needed"] == ("OPERATOR" if c is admin else "ADMIN")


async def test_no_change_empty_input_missing_reason_and_stale_version_are_refused(client):
    _, _, op, w, _ = await _world(client)
    same = await _correct(op, w, fullName="Siti Rahmawati")
    assert (same["field"], same["rule"]) == ("input", "no_change")
    empty = await _correct(op, w)
    assert (empty["field"], empty["rule"]) == ("input", "empty")
    no_reason = await _correct(op, w, reason=" ", fullName="Siti Rahma")
    assert (no_reason["field"], no_reason["rule"]) == ("reason", "required")
    stale = await _correct(op, w, version=5, fullName="Siti Rahma")
    assert stale["currentVersion"] == 1
