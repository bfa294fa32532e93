"""updateWorker, addHeir, removeHeir: optimistic concurrency, UPDATED events, check order."""

from __future__ import annotations

from models.enums import Role, Scope
from tests import factories as f

REGISTER = """mutation($input: RegisterWorkerInput!) { registerWorker(input: $input) {
  ... on RegisterWorkerSuccess { worker { id version } } } }"""

UPDATE = """
mutation($id: ID!, $version: Int!, $input: UpdateWorkerInput!) {
  updateWorker(id: $id, version: $version, input: $input) {
    __typename
    ... on UpdateWorkerSuccess {
      worker { version phone passportNumber destinationCountry destinationRegion jobSector
               employerName heirs { fullName relation } externalIds { kpjNumber siskop2miId } }
      event { type actor changes }
    }
    ... on ValidationError { field rule message errors { field rule } }
    ... on StaleVersionError { currentVersion }
    ... on NotFoundError { id message }
    ... on NotAllowedError { needed }
  }
}
"""

ADD_HEIR = """
mutation($id: ID!, $version: Int!, $heir: HeirInput!, $position: Int) {
  addHeir(id: $id, version: $version, heir: $heir, position: $position) {
    __typename
    ... on AddHeirSuccess { worker { version heirs { fullName relation } } event { type changes } }
    ... on ValidationError { field rule }
    ... on StaleVersionError { currentVersion }
  }
}
"""

REMOVE_HEIR = """
mutation($id: ID!, $version: Int!, $position: Int!) {
  removeHeir(id: $id, version: $version, position: $position) {
    __typename
    ... on RemoveHeirSuccess { worker { version heirs { fullName } } event { type changes } }
    ... on ValidationError { field rule message }
  }
}
"""

CHANGE = """mutation($id: ID!, $version: Int!) {
  changeWorkerStatus(id: $id, version: $version, placementStatus: DEPARTED, reason: "flew") {
    __typename } }"""


async def _setup(client, **overrides):
    hk = await f.partner()
    c = client.as_key(await f.key(hk))
    w = (await c.run(REGISTER, {"input": f.worker_input(**overrides)}))["registerWorker"]
    return hk, c, w["worker"]


async def _update(c, worker_id, version, **fields):
    return (await c.run(UPDATE, {"id": worker_id, "version": version, "input": fields}))[
        "updateWorker"]


async def test_update_changes_fields_bumps_version_and_writes_one_updated_event(client):
    _, c, w = await _setup(client)
    result = await _update(c, w["id"], 1, phone="+85291234567", employerName="Chan Family")
    assert result["__typename"] == "UpdateWorkerSuccess"
    assert result["worker"]["version"] == 2
    assert result["worker"]["phone"] == "+85291234567"
    assert result["event"]["type"] == "UPDATED"
    assert result["event"]["changes"] == {
        "phone": {"from": None, "to": "+85291234567"},
        "employerName": {"from": None, "to": "Chan Family"},
    }
    history = await c.run(
        "query($id: ID!) { worker(id: $id) { events { edges { node { type } } } } }",
        {"id": w["id"]})
    assert [e["node"]["type"] for e in history["worker"]["events"]["edges"]] == [
        "REGISTERED", "UPDATED"]


async def test_identifiers_in_the_event_are_masked(client):
    _, c, w = await _setup(client, passportNumber="C1234567")
    result = await _update(c, w["id"], 1, passportNumber="X7654321")
    assert result["worker"]["passportNumber"] == "X7654321"
    assert result["event"]["changes"] == {"passportNumber": {"from": "••••••••",
                                                             "to": "••••••••"}}
    assert "7654321" not in str(result["event"])


async def test_stale_version_is_refused_and_nothing_changes(client):
    _, c, w = await _setup(client)
    await _update(c, w["id"], 1, phone="+85291234567")
    result = await _update(c, w["id"], 1, phone="+85299999999")
    assert (result["__typename"], result["currentVersion"]) == ("StaleVersionError", 2)
    again = await _update(c, w["id"], 2, phone="+85291234567")
    assert (again["__typename"], again["rule"]) == ("ValidationError", "no_change")


async def test_null_clears_an_optional_field_and_required_fields_cannot_be_cleared(client):
    _, c, w = await _setup(client, phone="+85291234567")
    cleared = await _update(c, w["id"], 1, phone=None)
    assert cleared["worker"]["phone"] is None
    assert cleared["event"]["changes"] == {"phone": {"from": "+85291234567", "to": None}}
    refused = await _update(c, w["id"], 2, jobSector=None)
    assert (refused["__typename"], refused["field"], refused["rule"]) == (
        "ValidationError", "jobSector", "required")


async def test_every_invalid_field_is_reported_and_nothing_is_written(client):
    _, c, w = await _setup(client)
    result = await _update(c, w["id"], 1, phone="0812", destinationCountry="XX",
                           employerName="Fine Name")
    assert result["__typename"] == "ValidationError"
    assert {(e["field"], e["rule"]) for e in result["errors"]} == {
        ("phone", "e164"), ("destinationCountry", "iso3166_alpha2")}
    data = await c.run("query($id: ID!) { worker(id: $id) { version employerName } }",
                       {"id": w["id"]})
    assert data["worker"] == {"version": 1, "employerName": None}


async def test_changing_country_away_from_malaysia_clears_the_region(client):
    _, c, w = await _setup(client, destinationCountry="MY", destinationRegion="Sabah",
                           jobSector="PLANTATION")
    result = await _update(c, w["id"], 1, destinationCountry="TW")
    assert result["worker"]["destinationRegion"] is None
    assert result["event"]["changes"]["destinationRegion"] == {"from": "Sabah", "to": None}


async def test_contract_does_not_change_by_update_while_abroad(client):
    _, c, w = await _setup(client)
    await c.run(CHANGE, {"id": w["id"], "version": 1})
    result = await _update(c, w["id"], 2, contractEnd="2028-06-30")
    assert (result["__typename"], result["field"], result["rule"]) == (
        "ValidationError", "contractEnd", "use_extend_contract")
    passport = await _update(c, w["id"], 2, passportNumber=None)
    assert passport["rule"] == "required_abroad"


async def test_external_ids_can_be_set_and_cleared_one_at_a_time(client):
    _, c, w = await _setup(client)
    result = await _update(c, w["id"], 1, externalIds={"kpjNumber": "12345678901"})
    assert result["worker"]["externalIds"] == {"kpjNumber": "12345678901",
                                               "siskop2miId": None}
    assert result["event"]["changes"] == {
        "externalIds.kpjNumber": {"from": None, "to": "12345678901"}}
    cleared = await _update(c, w["id"], 2, externalIds={"kpjNumber": None})
    assert cleared["worker"]["externalIds"]["kpjNumber"] is None


async def test_identity_fields_are_not_in_the_update_input(client):
    _, c, w = await _setup(client)
    response = await c.post(UPDATE, {"id": w["id"], "version": 1,
                                     "input": {"fullName": "Someone Else"}})
    assert response.status_code == 200
    assert "fullName" in response.json()["errors"][0]["message"]


async def test_checks_run_in_order_role_then_tenancy_then_version(client):
    hk, c, w = await _setup(client)
    sg = await f.partner("kbri-singapore", country="SG")
    sg_viewer = client.as_key(await f.key(sg, Role.PARTNER_VIEWER))
    assert (await _update(sg_viewer, w["id"], 99, phone="x"))["__typename"] == "NotAllowedError"
    read_only = client.as_key(await f.key(hk, Role.PARTNER_OFFICER, frozenset({Scope.READ})))
    assert (await _update(read_only, w["id"], 99, phone="x"))["__typename"] == "NotAllowedError"
    sg_officer = client.as_key(await f.key(sg))
    answers = set()
    for worker_id in (w["id"], "V29ya2VyOjk5OTk5", "garbage"):
        response = await sg_officer.post(UPDATE, {"id": worker_id, "version": 99,
                                                  "input": {"phone": "x"}})
        answers.add(response.text.replace(worker_id, "<id>"))
    assert len(answers) == 1 and "NotFoundError" in answers.pop()
    stale_first = await _update(c, w["id"], 99, phone="x")
    assert stale_first["__typename"] == "StaleVersionError"


async def test_add_heir_inserts_in_order_and_remove_heir_takes_it_out(client):
    _, c, w = await _setup(client, heirs=[{"fullName": "Budi", "relation": "SPOUSE_OR_CHILD"}])
    added = (await c.run(ADD_HEIR, {"id": w["id"], "version": 1, "position": 0,
                                    "heir": {"fullName": "Ani", "relation": "SIBLING"}}))[
        "addHeir"]
    assert added["__typename"] == "AddHeirSuccess"
    assert [h["fullName"] for h in added["worker"]["heirs"]] == ["Ani", "Budi"]
    assert added["event"]["type"] == "UPDATED"
    assert [h["fullName"] for h in added["event"]["changes"]["heirs"]["to"]] == ["Ani", "Budi"]
    removed = (await c.run(REMOVE_HEIR, {"id": w["id"], "version": 2, "position": 1}))[
        "removeHeir"]
    assert [h["fullName"] for h in removed["worker"]["heirs"]] == ["Ani"]
    assert removed["worker"]["version"] == 3
    out_of_range = (await c.run(REMOVE_HEIR, {"id": w["id"], "version": 3, "position": 5}))[
        "removeHeir"]
    assert (out_of_range["field"], out_of_range["rule"]) == ("position", "range")


async def test_an_eleventh_heir_is_refused(client):
    heirs = [{"fullName": f"Heir {chr(65 + i)}", "relation": "SIBLING"} for i in range(10)]
    _, c, w = await _setup(client, heirs=heirs)
    bad = (await c.run(ADD_HEIR, {"id": w["id"], "version": 1,
                                  "heir": {"fullName": "R2D2", "relation": "SIBLING"}}))["addHeir"]
    assert (bad["__typename"], bad["field"], bad["rule"]) == ("ValidationError", "heir",
                                                              "max_items")


async def test_an_invalid_heir_names_the_heir_field(client):
    _, c, w = await _setup(client)
    bad = (await c.run(ADD_HEIR, {"id": w["id"], "version": 1,
                                  "heir": {"fullName": "R2D2", "relation": "SIBLING"}}))["addHeir"]
    assert (bad["__typename"], bad["field"], bad["rule"]) == (
        "ValidationError", "heir.fullName", "name_characters")
