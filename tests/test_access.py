"""People, sessions, keys and the audit trail."""

from __future__ import annotations

import logging
from datetime import timedelta

from models import accounts
from models.access import ApiKey, AuditEntry
from models.clock import now
from models.enums import PartnerKind, Role, Scope
from tests import factories as f

PASSWORD = "correct horse battery staple"
WHOAMI = "{ viewer { role account { email } apiKey { name } } }"


async def _person(client, role=Role.PARTNER_OFFICER, email="dewi@kbri-hk.example",
                  partner=None):
    partner = partner or await f.partner()
    invitation = await accounts.invite(None, partner, email, "Dewi", role)
    response = await client.http.post("/auth/accept-invitation",
                                      json={"token": invitation.token, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return partner, invitation.account


async def _login(client, email="dewi@kbri-hk.example", password=PASSWORD):
    return await client.http.post("/auth/login", json={"email": email, "password": password})


async def test_person_signs_in_and_uses_graphql_with_the_session_cookie(client):
    await _person(client)
    response = await _login(client)
    assert response.status_code == 200
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    data = await client.run(WHOAMI)  # the client keeps the cookie
    assert data["viewer"] == {"role": "PARTNER_OFFICER",
                              "account": {"email": "dewi@kbri-hk.example"}, "apiKey": None}


async def test_cookie_requests_that_a_cross_site_form_could_send_are_refused(client):
    await _person(client)
    await _login(client)
    form = await client.http.post("/graphql", content="query={viewer{role}}",
                                  headers={"content-type": "application/x-www-form-urlencoded"})
    assert form.status_code == 401
    assert "forgery" in form.json()["errors"][0]["message"]
    get = await client.http.get("/graphql", params={"query": "{ viewer { role } }"})
    assert get.status_code == 401
    with_header = await client.http.get("/graphql", params={"query": "{ viewer { role } }"},
                                        headers={"x-portal-csrf": "1"})
    assert with_header.status_code == 200


async def test_after_logout_the_cookie_no_longer_works(client):
    await _person(client)
    response = await _login(client)
    token = response.cookies["portal_session"]
    out = await client.http.post("/auth/logout", headers={"x-portal-csrf": "1"})
    assert out.status_code == 200
    client.http.cookies.set("portal_session", token)
    again = await client.post(WHOAMI)
    assert again.status_code == 401
    assert "signed out" in again.json()["errors"][0]["message"]


async def test_tampered_or_unknown_cookies_are_401(client):
    for value in ("pps_forged", "garbage", "pps_" + "x" * 200):
        client.http.cookies.set("portal_session", value)
        response = await client.post(WHOAMI)
        assert response.status_code == 401
        assert value not in response.text


async def test_wrong_password_and_unknown_email_get_the_same_answer(client):
    await _person(client)
    wrong = await _login(client, password="not the password at all")
    unknown = await _login(client, email="nobody@example.org")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


async def test_five_wrong_passwords_lock_the_account_for_a_while(client):
    await _person(client)
    for _ in range(accounts.MAX_FAILED_LOGINS):
        assert (await _login(client, password="wrong password guess")).status_code == 401
    locked = await _login(client)
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 0


async def test_deactivated_accounts_lose_their_sessions(client):
    partner, account = await _person(client)
    admin = client.as_key(await f.key(partner, Role.PARTNER_ADMIN))
    await _login(client)
    from schema.ids import encode

    result = await admin.run(
        'mutation($id: ID!) { deactivateAccount(id: $id) { __typename } }',
        {"id": encode("Account", account.id)})
    assert result["deactivateAccount"]["__typename"] == "DeactivateAccountSuccess"
    assert (await client.post(WHOAMI)).status_code == 401
    assert (await _login(client)).status_code == 401


async def test_people_list_and_close_their_own_sessions(client):
    await _person(client)
    await _login(client)
    sessions = (await client.run("{ mySessions { id current } }"))["mySessions"]
    assert len(sessions) == 1 and sessions[0]["current"]
    closed = await client.run("mutation($id: ID!) { revokeSession(id: $id) { __typename } }",
                              {"id": sessions[0]["id"]})
    assert closed["revokeSession"]["__typename"] == "RevokeSessionSuccess"
    assert (await client.post(WHOAMI)).status_code == 401


CREATE_KEY = """mutation($name: String!, $role: Role!, $scopes: [Scope!]!) {
  createApiKey(name: $name, role: $role, scopes: $scopes) {
    __typename
    ... on CreateApiKeySuccess { secret apiKey { id name role scopes prefix } }
    ... on ValidationError { field rule }
    ... on NotAllowedError { needed }
  }
}"""


async def test_partner_admin_creates_a_key_whose_secret_is_shown_once(client):
    p = await f.partner()
    admin = client.as_key(await f.key(p, Role.PARTNER_ADMIN))
    created = (await admin.run(CREATE_KEY, {"name": "hr-system", "role": "PARTNER_OFFICER",
                                            "scopes": ["READ", "SUBSCRIBE"]}))["createApiKey"]
    secret = created["secret"]
    assert secret.startswith("ppk_") and created["apiKey"]["prefix"] == secret[:10]
    key_row = await ApiKey.get(name="hr-system")
    assert secret not in (key_row.secret_digest, key_row.display_prefix)
    me = await client.as_key(secret).run("{ viewer { apiKey { name } scopes } }")
    assert me["viewer"] == {"apiKey": {"name": "hr-system"}, "scopes": ["READ", "SUBSCRIBE"]}


async def test_scopes_beyond_the_role_are_refused(client):
    p = await f.partner()
    admin = client.as_key(await f.key(p, Role.PARTNER_ADMIN))
    result = (await admin.run(CREATE_KEY, {"name": "x", "role": "PARTNER_VIEWER",
                                           "scopes": ["READ", "WRITE"]}))["createApiKey"]
    assert (result["__typename"], result["field"], result["rule"]) == (
        "ValidationError", "scopes", "scopes_within_role")


async def test_officers_cannot_manage_keys(client):
    p = await f.partner()
    officer = client.as_key(await f.key(p, Role.PARTNER_OFFICER))
    result = (await officer.run(CREATE_KEY, {"name": "x", "role": "PARTNER_VIEWER",
                                             "scopes": ["READ"]}))["createApiKey"]
    assert result["__typename"] == "NotAllowedError"
    listing = (await officer.post("{ apiKeys { id } }")).json()
    assert listing["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_revoked_key_stops_at_once_and_foreign_keys_are_not_found(client):
    hk, sg = await f.partner(), await f.partner("kbri-singapore", country="SG")
    admin = client.as_key(await f.key(hk, Role.PARTNER_ADMIN))
    victim = await f.key(hk, name="victim")
    foreign = await f.key(sg, name="foreign")
    from schema.ids import encode

    foreign_id = encode("ApiKey", (await ApiKey.get(name="foreign")).id)
    refused = await admin.run("mutation($id: ID!) { revokeApiKey(id: $id) { __typename } }",
                              {"id": foreign_id})
    assert refused["revokeApiKey"]["__typename"] == "NotFoundError"
    assert (await client.as_key(foreign).post(WHOAMI)).status_code == 200
    victim_id = encode("ApiKey", (await ApiKey.get(name="victim")).id)
    await admin.run("mutation($id: ID!) { revokeApiKey(id: $id) { __typename } }",
                    {"id": victim_id})
    assert (await client.as_key(victim).post(WHOAMI)).status_code == 401


async def test_rotation_keeps_the_old_secret_working_only_for_the_overlap(client):
    p = await f.partner()
    admin_secret = await f.key(p, Role.PARTNER_ADMIN, name="admin")
    admin = client.as_key(admin_secret)
    from schema.ids import encode

    key_id = encode("ApiKey", (await ApiKey.get(name="admin")).id)
    rotated = (await admin.run(
        "mutation($id: ID!) { rotateApiKey(id: $id, overlapSeconds: 3600) { "
        "... on RotateApiKeySuccess { secret apiKey { previousSecretValidUntil } } } }",
        {"id": key_id}))["rotateApiKey"]
    new_secret = rotated["secret"]
    assert (await client.as_key(new_secret).post(WHOAMI)).status_code == 200
    assert (await client.as_key(admin_secret).post(WHOAMI)).status_code == 200
    await ApiKey.filter(name="admin").update(previous_valid_until=now() - timedelta(seconds=1))
    old = await client.as_key(admin_secret).post(WHOAMI)
    assert old.status_code == 401 and "rotated" in old.json()["errors"][0]["message"]


async def test_mutations_are_audited_with_their_outcome(client):
    p = await f.partner()
    officer = client.as_key(await f.key(p, name="front-desk"))
    await officer.run("""mutation($input: RegisterWorkerInput!) { registerWorker(input: $input)
        { __typename } }""", {"input": f.worker_input()})
    await officer.run("""mutation($input: RegisterWorkerInput!) { registerWorker(input: $input)
        { __typename } }""", {"input": f.worker_input(nik="1")})
    entries = await AuditEntry.filter(operation="mutation:registerWorker").order_by("id")
    assert [e.outcome for e in entries] == ["ok", "ValidationError"]
    assert entries[0].actor == "key:front-desk" and entries[0].target_type == "Worker"
    assert entries[0].request_id and entries[0].subject_partner_id == p.id


async def test_each_response_revealing_identifiers_writes_one_audit_entry(client):
    p = await f.partner()
    officer = client.as_key(await f.key(p))
    for _ in range(3):
        await officer.run("""mutation($input: RegisterWorkerInput!) {
            registerWorker(input: $input) { __typename } }""", {"input": f.worker_input()})
    await AuditEntry.all().delete()
    await officer.run("{ workers { edges { node { nik passportNumber } } } }")
    reveals = await AuditEntry.filter(operation="reveal_identifiers")
    assert len(reveals) == 1 and len(reveals[0].target_ids) == 3
    viewer = client.as_key(await f.key(p, Role.PARTNER_VIEWER))
    await viewer.run("{ workers { edges { node { nik } } } }")
    await officer.run("{ workers { edges { node { fullName } } } }")
    assert await AuditEntry.filter(operation="reveal_identifiers").count() == 1


async def test_audit_log_is_for_partner_admins_and_shows_only_their_partner(client):
    hk, sg = await f.partner(), await f.partner("kbri-singapore", country="SG")
    hk_admin = client.as_key(await f.key(hk, Role.PARTNER_ADMIN))
    sg_officer = client.as_key(await f.key(sg))
    await sg_officer.run("""mutation($input: RegisterWorkerInput!) { registerWorker(
        input: $input) { __typename } }""", {"input": f.worker_input()})
    await hk_admin.run(CREATE_KEY, {"name": "k", "role": "PARTNER_VIEWER", "scopes": ["READ"]})
    log = (await hk_admin.run("{ auditLog { edges { node { operation actor outcome } } } }"))
    operations = [e["node"]["operation"] for e in log["auditLog"]["edges"]]
    assert operations == ["mutation:createApiKey"]
    refused = (await sg_officer.post("{ auditLog { edges { cursor } } }")).json()
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_operators_filter_the_audit_log_by_target(client):
    p = await f.partner()
    officer = client.as_key(await f.key(p))
    ids = []
    for _ in range(2):
        r = await officer.run("""mutation($input: RegisterWorkerInput!) {
            registerWorker(input: $input) { ... on RegisterWorkerSuccess { worker { id } } } }""",
                              {"input": f.worker_input()})
        ids.append(r["registerWorker"]["worker"]["id"])
    bpjs = await f.partner("bpjs-ketenagakerjaan", PartnerKind.BPJS_OFFICE, "ID")
    op = client.as_key(await f.key(bpjs, Role.OPERATOR))
    log = await op.run("query($t: ID!) { auditLog(filter: {targetId: $t}) { edges { node {"
                       " operation targetIds } } } }", {"t": ids[1]})
    assert [e["node"]["targetIds"] for e in log["auditLog"]["edges"]] == [[ids[1]]]


async def test_secrets_passwords_and_identifiers_never_reach_the_logs(client, caplog):
    caplog.set_level(logging.DEBUG)
    p = await f.partner()
    secret = await f.key(p, Role.PARTNER_ADMIN)
    c = client.as_key(secret)
    data = f.worker_input()
    await c.run("""mutation($input: RegisterWorkerInput!) { registerWorker(input: $input) {
        __typename } }""", {"input": data})
    await c.run("{ workers { edges { node { nik passportNumber } } } }")
    created = await c.run(CREATE_KEY, {"name": "n", "role": "PARTNER_VIEWER",
                                       "scopes": ["READ"]})
    await _person(client, partner=p)
    await _login(client)
    await _login(client, password="wrong password guess")
    await c.post("{ broken syntax")
    logged = caplog.text
    for needle in (secret, created["createApiKey"]["secret"], PASSWORD, data["nik"],
                   data["passportNumber"]):
        assert needle not in logged


async def test_key_with_read_scope_only_cannot_write_even_as_admin(client):
    p = await f.partner()
    c = client.as_key(await f.key(p, Role.PARTNER_ADMIN, frozenset({Scope.READ})))
    result = await c.run("""mutation($input: RegisterWorkerInput!) { registerWorker(
        input: $input) { __typename } }""", {"input": f.worker_input()})
    assert result["registerWorker"]["__typename"] == "NotAllowedError"
