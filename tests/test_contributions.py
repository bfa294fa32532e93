"""recordContribution and extendContract: amounts from the brief, cover, membership, events."""

from __future__ import annotations

from datetime import timedelta

from models import worker_changes
from models.clock import today_jakarta
from models.coverage import add_months
from models.enums import PartnerKind, Role
from tests import factories as f

REGISTER = """mutation($input: RegisterWorkerInput!) { registerWorker(input: $input) {
  ... on RegisterWorkerSuccess { worker { id version } } } }"""

RECORD = """
mutation($input: RecordContributionInput!, $key: String) {
  recordContribution(input: $input, idempotencyKey: $key) {
    __typename
    ... on RecordContributionSuccess {
      worker { status coveredUntil version
               coverages { program startsOn endsOn }
               latestContribution { id kind amount } }
      contribution { id kind amount months paidOn coversFrom coversUntil recordedBy }
      event { type reason changes }
    }
    ... on ValidationError { field rule message errors { field rule message } }
    ... on InvalidTransitionError { from to allowed }
    ... on NotFoundError { id }
    ... on NotAllowedError { needed }
    ... on IdempotencyConflictError { message }
  }
}
"""

EXTEND = """
mutation($id: ID!, $version: Int!, $months: Int!, $amount: Int!, $paidOn: Date!) {
  extendContract(id: $id, version: $version, months: $months, amount: $amount,
                 paidOn: $paidOn, reason: "Employer renewed") {
    __typename
    ... on ExtendContractSuccess {
      worker { contractEnd coveredUntil status version }
      contribution { kind amount months }
      event { type reason changes }
    }
    ... on ValidationError { field rule message }
    ... on StaleVersionError { currentVersion }
  }
}
"""

DEPART = """mutation($id: ID!, $version: Int!) {
  changeWorkerStatus(id: $id, version: $version, placementStatus: DEPARTED, reason: "flew") {
    __typename } }"""

TODAY = today_jakarta()


async def _setup(client, **overrides):
    hk = await f.partner()
    c = client.as_key(await f.key(hk))
    w = (await c.run(REGISTER, {"input": f.worker_input(**overrides)}))["registerWorker"]
    return hk, c, w["worker"]


async def _record(c, worker_id, kind, amount, key=None, **more):
    data = {"workerId": worker_id, "kind": kind, "amount": amount,
            "paidOn": more.pop("paidOn", TODAY.isoformat()), **more}
    return (await c.run(RECORD, {"input": data, "key": key}))["recordContribution"]


async def test_pre_placement_payment_buys_five_months_and_activates_membership(client):
    _, c, w = await _setup(client)
    result = await _record(c, w["id"], "PRE_PLACEMENT", 37_500)
    assert result["__typename"] == "RecordContributionSuccess"
    ends = (add_months(TODAY, 5) - timedelta(days=1)).isoformat()
    assert result["worker"]["status"] == "ACTIVE"
    assert result["worker"]["coveredUntil"] == ends
    assert result["worker"]["version"] == 2
    assert sorted(c["program"] for c in result["worker"]["coverages"]) == ["JKK", "JKM"]
    assert result["contribution"]["months"] == 5
    assert result["worker"]["latestContribution"]["id"] == result["contribution"]["id"]
    event = result["event"]
    assert event["type"] == "CONTRIBUTION_RECORDED"
    assert event["changes"] == {"coveredUntil": {"from": None, "to": ends},
                                "status": {"from": "REGISTERED", "to": "ACTIVE"}}
    assert "Rp37,500" in event["reason"]


async def test_a_wrong_amount_states_the_amount_due_and_writes_nothing(client):
    _, c, w = await _setup(client)
    result = await _record(c, w["id"], "PLACEMENT", 300_000)
    assert (result["__typename"], result["field"], result["rule"]) == (
        "ValidationError", "amount", "amount_mismatch")
    assert "Rp332,500" in result["message"] and "24-month" in result["message"]
    data = await c.run("query($id: ID!) { worker(id: $id) { status version "
                       "contributions { edges { node { id } } } } }", {"id": w["id"]})
    assert data["worker"] == {"status": "REGISTERED", "version": 1,
                              "contributions": {"edges": []}}


async def test_placement_amount_follows_the_worked_examples_of_the_brief(client):
    _, c, w = await _setup(client, contractStart="2026-01-01", contractEnd="2027-06-30")
    result = await _record(c, w["id"], "PLACEMENT", 270_000)
    assert (result["contribution"]["amount"], result["contribution"]["months"]) == (270_000, 18)
    # Cover runs from the contract start (not departed yet) to the end plus one month.
    assert (result["contribution"]["coversFrom"], result["contribution"]["coversUntil"]) == (
        "2026-01-01", "2027-07-30")
    assert result["worker"]["status"] == "ACTIVE"


async def test_jht_is_saved_for_but_does_not_activate_membership_or_move_cover(client):
    _, c, w = await _setup(client)
    result = await _record(c, w["id"], "JHT", 1_200_000, months=12, jhtMonthlyAmount=100_000)
    assert result["__typename"] == "RecordContributionSuccess"
    assert [c["program"] for c in result["worker"]["coverages"]] == ["JHT"]
    assert (result["worker"]["status"], result["worker"]["coveredUntil"]) == ("REGISTERED", None)
    refused = await _record(c, w["id"], "JHT", 75_000, months=1, jhtMonthlyAmount=75_000)
    assert (refused["field"], refused["rule"]) == ("jhtMonthlyAmount", "jht_option")


async def test_expired_membership_becomes_active_again_on_renewal(client, db):
    _, c, w = await _setup(client)
    first = await _record(c, w["id"], "PRE_PLACEMENT", 37_500)
    lapse_day = add_months(TODAY, 5)
    assert (await worker_changes.expire_lapsed(today=lapse_day)).expired == 1
    renewed = await _record(c, w["id"], "PRE_PLACEMENT", 37_500)
    assert renewed["worker"]["status"] == "ACTIVE"
    assert renewed["event"]["changes"]["status"] == {"from": "EXPIRED", "to": "ACTIVE"}
    assert renewed["contribution"]["id"] != first["contribution"]["id"]


async def test_a_closed_membership_takes_no_payment(client):
    _, c, w = await _setup(client)
    bpjs = await f.partner("bpjs-ketenagakerjaan", PartnerKind.BPJS_OFFICE, "ID")
    op = client.as_key(await f.key(bpjs, Role.OPERATOR))
    await op.run("""mutation($id: ID!) { changeWorkerStatus(id: $id, version: 1,
        status: CLOSED, reason: "duplicate") { __typename } }""", {"id": w["id"]})
    result = await _record(c, w["id"], "PRE_PLACEMENT", 37_500)
    assert result == {"__typename": "InvalidTransitionError", "from": "CLOSED", "to": "ACTIVE",
                      "allowed": []}


async def test_same_idempotency_key_returns_the_first_result_and_records_once(client):
    _, c, w = await _setup(client)
    first = await _record(c, w["id"], "PRE_PLACEMENT", 37_500, key="pay-1")
    again = await _record(c, w["id"], "PRE_PLACEMENT", 37_500, key="pay-1")
    assert again["contribution"]["id"] == first["contribution"]["id"]
    other = await _record(c, w["id"], "PRE_PLACEMENT", 37_500, key="pay-1",
                          paidOn=(TODAY - timedelta(days=1)).isoformat())
    assert other["__typename"] == "IdempotencyConflictError"
    data = await c.run("query($id: ID!) { worker(id: $id) { contributions { edges { cursor } } "
                       "events { edges { node { type } } } } }", {"id": w["id"]})
    assert len(data["worker"]["contributions"]["edges"]) == 1
    assert [e["node"]["type"] for e in data["worker"]["events"]["edges"]] == [
        "REGISTERED", "CONTRIBUTION_RECORDED"]


async def test_payment_rules_name_the_field_and_rule(client):
    _, c, w = await _setup(client)
    future = await _record(c, w["id"], "PRE_PLACEMENT", 37_500,
                           paidOn=(TODAY + timedelta(days=1)).isoformat())
    assert (future["field"], future["rule"]) == ("paidOn", "not_in_future")
    old = await _record(c, w["id"], "PRE_PLACEMENT", 37_500, paidOn="2022-12-31")
    assert (old["field"], old["rule"]) == ("paidOn", "before_regulation")
    extension = await _record(c, w["id"], "EXTENSION", 13_500, months=1)
    assert (extension["field"], extension["rule"]) == ("kind", "use_extend_contract")
    negative = await _record(c, w["id"], "PRE_PLACEMENT", -5)
    assert (negative["field"], negative["rule"]) == ("amount", "positive")


async def test_pre_placement_is_refused_once_the_worker_has_departed(client):
    _, c, w = await _setup(client)
    await c.run(DEPART, {"id": w["id"], "version": 1})
    result = await _record(c, w["id"], "PRE_PLACEMENT", 37_500)
    assert (result["field"], result["rule"]) == ("kind", "phase")


async def test_foreign_and_missing_workers_answer_alike_and_viewers_may_not_pay(client):
    hk, _, w = await _setup(client)
    sg = await f.partner("kbri-singapore", country="SG")
    sg_officer = client.as_key(await f.key(sg))
    foreign = await _record(sg_officer, w["id"], "PRE_PLACEMENT", 37_500)
    missing = await _record(sg_officer, "V29ya2VyOjk5OTk5", "PRE_PLACEMENT", 37_500)
    assert foreign["__typename"] == missing["__typename"] == "NotFoundError"
    viewer = client.as_key(await f.key(hk, Role.PARTNER_VIEWER))
    assert (await _record(viewer, w["id"], "PRE_PLACEMENT", 37_500))["__typename"] == (
        "NotAllowedError")


async def test_extending_a_running_contract_moves_its_end_and_takes_13500_a_month(client):
    _, c, w = await _setup(client)
    await c.run(DEPART, {"id": w["id"], "version": 1})
    vars_ = {"id": w["id"], "version": 2, "months": 6, "amount": 81_000,
             "paidOn": TODAY.isoformat()}
    result = (await c.run(EXTEND, vars_))["extendContract"]
    assert result["__typename"] == "ExtendContractSuccess"
    assert result["worker"]["contractEnd"] == "2028-06-30"
    assert result["worker"]["coveredUntil"] == "2028-07-30"
    assert result["worker"]["status"] == "ACTIVE"
    assert result["contribution"] == {"kind": "EXTENSION", "amount": 81_000, "months": 6}
    assert result["event"]["type"] == "CONTRACT_EXTENDED"
    assert result["event"]["reason"] == "Employer renewed"
    assert result["event"]["changes"]["contractEnd"] == {"from": "2027-12-31",
                                                         "to": "2028-06-30"}
    stale = (await c.run(EXTEND, vars_))["extendContract"]
    assert stale["__typename"] == "StaleVersionError"


async def test_extension_with_a_wrong_amount_or_before_departure_is_refused(client):
    _, c, w = await _setup(client)
    not_abroad = (await c.run(EXTEND, {"id": w["id"], "version": 1, "months": 6,
                                       "amount": 81_000, "paidOn": TODAY.isoformat()}))[
        "extendContract"]
    assert (not_abroad["field"], not_abroad["rule"]) == ("placementStatus", "not_abroad")
    await c.run(DEPART, {"id": w["id"], "version": 1})
    wrong = (await c.run(EXTEND, {"id": w["id"], "version": 2, "months": 6, "amount": 80_000,
                                  "paidOn": TODAY.isoformat()}))["extendContract"]
    assert (wrong["field"], wrong["rule"]) == ("amount", "amount_mismatch")
    assert "Rp81,000" in wrong["message"]


async def test_a_placement_paid_before_departure_activates_the_membership_on_departure(client):
    from datetime import date, timedelta

    from models.clock import today_jakarta
    from models.coverage import contract_months, placement_amount

    hk = await f.partner("kbri-hongkong-2", country="HK")
    c = client.as_key(await f.key(hk))
    start = today_jakarta() + timedelta(days=30)
    end = date(start.year + 2, start.month, 1) - timedelta(days=1)
    data = f.worker_input(contractStart=start.isoformat(), contractEnd=end.isoformat())
    worker = (await c.run("""mutation($i: RegisterWorkerInput!) { registerWorker(input: $i) {
        ... on RegisterWorkerSuccess { worker { id } } } }""", {"i": data}))[
        "registerWorker"]["worker"]
    paid = await c.run("""mutation($i: RecordContributionInput!) { recordContribution(input: $i)
        { __typename ... on RecordContributionSuccess { worker { status version } } } }""", {
        "i": {"workerId": worker["id"], "kind": "PLACEMENT",
              "amount": placement_amount(contract_months(start, end)),
              "paidOn": today_jakarta().isoformat()}})
    result = paid["recordContribution"]
    assert result["worker"]["status"] == "REGISTERED"  # cover starts at departure
    departed = await c.run("""mutation($id: ID!, $v: Int!) { changeWorkerStatus(id: $id,
        version: $v, placementStatus: DEPARTED, reason: "Flew") {
        ... on ChangeWorkerStatusSuccess { worker { status } event { changes } } } }""",
        {"id": worker["id"], "v": result["worker"]["version"]})
    success = departed["changeWorkerStatus"]
    assert success["worker"]["status"] == "ACTIVE"
    assert success["event"]["changes"]["status"] == {"from": "REGISTERED", "to": "ACTIVE"}


STATUS = """mutation($id: ID!, $version: Int!, $to: PlacementStatus!) {
  changeWorkerStatus(id: $id, version: $version, placementStatus: $to, reason: "as told") {
    __typename
    ... on ChangeWorkerStatusSuccess {
      worker { status coveredUntil version coverages { program startsOn endsOn } }
      event { changes } } } }"""


async def _pre_placement_paid(client):
    hk, c, w = await _setup(client)
    paid = await _record(c, w["id"], "PRE_PLACEMENT", 37_500)
    assert paid["worker"]["coveredUntil"] > TODAY.isoformat()
    return c, w["id"], paid["worker"]["version"]


async def test_failed_departure_ends_pre_placement_cover_today(client):
    c, wid, version = await _pre_placement_paid(client)
    done = (await c.run(STATUS, {"id": wid, "version": version, "to": "FAILED_DEPARTURE"})
            )["changeWorkerStatus"]
    assert done["__typename"] == "ChangeWorkerStatusSuccess"
    today = TODAY.isoformat()
    assert done["worker"]["coveredUntil"] == today
    assert {(cv["program"], cv["startsOn"], cv["endsOn"]) for cv in done["worker"]["coverages"]
            } == {("JKK", today, today), ("JKM", today, today)}
    # Still covered today: the membership expires with the sweep, like any ended cover.
    assert done["worker"]["status"] == "ACTIVE"
    assert done["event"]["changes"]["coveredUntil"]["to"] == today
    # The payment itself is kept as recorded.
    data = await c.run("query($id: ID!) { worker(id: $id) { latestContribution { "
                       "coversUntil } } }", {"id": wid})
    assert data["worker"]["latestContribution"]["coversUntil"] > today


async def test_death_ends_pre_placement_cover_and_closes_the_membership(client):
    c, wid, version = await _pre_placement_paid(client)
    done = (await c.run(STATUS, {"id": wid, "version": version, "to": "DECEASED"})
            )["changeWorkerStatus"]
    assert done["worker"]["coveredUntil"] == TODAY.isoformat()
    assert done["worker"]["status"] == "CLOSED"
    assert all(cv["endsOn"] == TODAY.isoformat() for cv in done["worker"]["coverages"])


async def test_departure_keeps_pre_placement_cover_as_paid(client):
    c, wid, version = await _pre_placement_paid(client)
    before = (await c.run("query($id: ID!) { worker(id: $id) { coveredUntil } }",
                          {"id": wid}))["worker"]["coveredUntil"]
    done = (await c.run(STATUS, {"id": wid, "version": version, "to": "DEPARTED"})
            )["changeWorkerStatus"]
    assert done["worker"]["coveredUntil"] == before
