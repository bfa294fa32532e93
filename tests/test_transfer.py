"""transferWorker: operators move a worker; history stays with both owners as it should."""

from __future__ import annotations

from models.enums import PartnerKind, Role
from schema import ids
from tests import factories as f

REGISTER = """mutation($input: RegisterWorkerInput!) { registerWorker(input: $input) {
  ... on RegisterWorkerSuccess { worker { id version } } } }"""

TRANSFER = """
mutation($id: ID!, $to: ID!, $reason: String!, $version: Int) {
  transferWorker(id: $id, toPartner: $to, reason: $reason, version: $version) {
    __typename
    ... on TransferWorkerSuccess {
      worker { version partner { code } }
      transferredOut { type changes reason worker { id } }
      transferredIn { type changes }
    }
    ... on ValidationError { field rule }
    ... on NotAllowedError { needed }
    ... on NotFoundError { id }
    ... on StaleVersionError { currentVersion }
  }
}
"""

EVENTS = """{ events(first: 50) { edges { node { type workerId worker { id } } } } }"""
STATS = "{ workerStats { total byDestinationCountry { key count } } }"


async def _world(client):
    hk = await f.partner()
    kk = await f.partner("kjri-kota-kinabalu", PartnerKind.CONSULATE, "MY")
    bpjs = await f.operator_partner()
    hk_c = client.as_key(await f.key(hk))
    kk_c = client.as_key(await f.key(kk))
    op = client.as_key(await f.key(bpjs, Role.OPERATOR))
    w = (await hk_c.run(REGISTER, {"input": f.worker_input()}))["registerWorker"]["worker"]
    return hk, kk, bpjs, hk_c, kk_c, op, w


async def test_transfer_moves_the_worker_and_writes_out_and_in_events(client):
    hk, kk, _, hk_c, kk_c, op, w = await _world(client)
    result = (await op.run(TRANSFER, {"id": w["id"], "to": ids.encode("Partner", kk.id),
                                      "reason": "Moved to Sabah"}))["transferWorker"]
    assert result["__typename"] == "TransferWorkerSuccess"
    assert result["worker"]["partner"]["code"] == "kjri-kota-kinabalu"
    assert result["worker"]["version"] == 2
    change = {"partner": {"from": "kbri-hongkong", "to": "kjri-kota-kinabalu"}}
    assert result["transferredOut"]["type"] == "TRANSFERRED_OUT"
    # The old owner's event does not say who owns the worker now.
    assert result["transferredOut"]["changes"] == {"partner": {"from": "kbri-hongkong",
                                                               "to": None}}
    assert result["transferredIn"]["type"] == "TRANSFERRED_IN"
    assert result["transferredIn"]["changes"] == change
    assert (await hk_c.run(STATS))["workerStats"]["total"] == 0
    assert (await kk_c.run(STATS))["workerStats"]["total"] == 1


async def test_old_partner_keeps_its_past_events_but_can_no_longer_see_the_worker(client):
    _, kk, _, hk_c, _, op, w = await _world(client)
    await op.run(TRANSFER, {"id": w["id"], "to": ids.encode("Partner", kk.id),
                            "reason": "Moved"})
    events = [e["node"] for e in (await hk_c.run(EVENTS))["events"]["edges"]]
    assert [e["type"] for e in events] == ["REGISTERED", "TRANSFERRED_OUT"]
    assert all(e["worker"] is None and e["workerId"] == w["id"] for e in events)
    assert (await hk_c.run("query($id: ID!) { node(id: $id) { id } }",
                           {"id": w["id"]}))["node"] is None


async def test_new_partner_sees_the_whole_history(client):
    _, kk, _, _, kk_c, op, w = await _world(client)
    await op.run(TRANSFER, {"id": w["id"], "to": ids.encode("Partner", kk.id),
                            "reason": "Moved"})
    data = await kk_c.run("query($id: ID!) { worker(id: $id) { events { edges { node { type } } "
                          "} } }", {"id": w["id"]})
    assert [e["node"]["type"] for e in data["worker"]["events"]["edges"]] == [
        "REGISTERED", "TRANSFERRED_OUT", "TRANSFERRED_IN"]
    feed = [e["node"]["type"] for e in (await kk_c.run(EVENTS))["events"]["edges"]]
    assert feed == ["REGISTERED", "TRANSFERRED_OUT", "TRANSFERRED_IN"]


async def test_only_operators_transfer(client):
    hk, kk, _, hk_c, _, _, w = await _world(client)
    admin = client.as_key(await f.key(hk, Role.PARTNER_ADMIN))
    for c in (hk_c, admin):
        result = (await c.run(TRANSFER, {"id": w["id"], "to": ids.encode("Partner", kk.id),
                                         "reason": "x"}))["transferWorker"]
        assert result["__typename"] == "NotAllowedError"
        # An officer lacks the ADMIN scope; an admin has it but is no operator.
        assert result["needed"] == ("OPERATOR" if c is admin else "ADMIN")


async def test_bad_targets_are_validation_errors_naming_to_partner(client):
    hk, _, bpjs, _, _, op, w = await _world(client)
    for target, rule in ((ids.encode("Partner", bpjs.id), "owns_no_workers"),
                         (ids.encode("Partner", hk.id), "same_partner"),
                         (ids.encode("Partner", 9999), "unknown_partner"),
                         ("not-an-id", "unknown_partner")):
        result = (await op.run(TRANSFER, {"id": w["id"], "to": target, "reason": "x"}))[
            "transferWorker"]
        assert (result["__typename"], result["field"], result["rule"]) == (
            "ValidationError", "toPartner", rule)


async def test_transfer_with_a_stale_version_is_refused(client):
    _, kk, _, _, _, op, w = await _world(client)
    result = (await op.run(TRANSFER, {"id": w["id"], "to": ids.encode("Partner", kk.id),
                                      "reason": "x", "version": 7}))["transferWorker"]
    assert (result["__typename"], result["currentVersion"]) == ("StaleVersionError", 1)
