"""Persisted documents by reference, and keys held to the published operations."""

from __future__ import annotations

import hashlib

from models import accounts
from models.access import ApiKey
from models.enums import Role
from portal.contract import document_hash, operations
from portal.settings import Settings
from tests import factories as f

DASHBOARD = next(op for op in operations() if op.name == "Dashboard")
DASHBOARD_ID = document_hash(DASHBOARD.text)


async def _key(client, trusted_only=False, code="kbri-hongkong"):
    p = await f.partner(code)
    secret = await f.key(p, Role.PARTNER_ADMIN, name=f"k-{code}")
    if trusted_only:
        await ApiKey.filter(name=f"k-{code}").update(trusted_documents_only=True)
    return client.as_key(secret)


async def _post(c, body):
    return await c.http.post("/graphql", json=body,
                             headers={"authorization": f"Bearer {c.secret}"})


async def test_a_manifest_operation_runs_by_document_id_and_by_apq_hash(client):
    c = await _key(client)
    by_id = await _post(c, {"documentId": f"sha256:{DASHBOARD_ID}"})
    by_apq = await _post(c, {"extensions": {"persistedQuery": {"version": 1,
                                                               "sha256Hash": DASHBOARD_ID}}})
    for response in (by_id, by_apq):
        assert response.status_code == 200
        assert response.json()["data"]["viewer"]["role"] == "PARTNER_ADMIN"


async def test_an_unknown_hash_is_persisted_query_not_found(client):
    c = await _key(client)
    response = await _post(c, {"extensions": {"persistedQuery": {"version": 1,
                                                                 "sha256Hash": "0" * 64}}})
    assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


async def test_a_hash_that_does_not_match_the_text_sent_is_refused(client):
    c = await _key(client)
    response = await _post(c, {"query": "{ viewer { role } }", "extensions": {
        "persistedQuery": {"version": 1, "sha256Hash": DASHBOARD_ID}}})
    assert response.status_code == 400


async def test_apq_registration_with_the_right_hash_runs(client):
    c = await _key(client)
    query = "{ viewer { role } }"
    response = await _post(c, {"query": query, "extensions": {"persistedQuery": {
        "version": 1, "sha256Hash": hashlib.sha256(query.encode()).hexdigest()}}})
    assert response.json()["data"]["viewer"]["role"] == "PARTNER_ADMIN"


async def test_a_key_held_to_the_manifest_runs_only_published_operations(client):
    c = await _key(client, trusted_only=True)
    refused = await c.post("{ viewer { role } }")
    assert refused.json()["errors"][0]["extensions"]["code"] == "TRUSTED_DOCUMENT_REQUIRED"
    assert (await _post(c, {"documentId": DASHBOARD_ID})).json()["data"]["viewer"]
    # The published text itself (any formatting) is the same document.
    assert "errors" not in (await c.post(DASHBOARD.text)).json()


async def test_production_holds_every_key_but_not_staff_sessions(client):
    import httpx

    from portal.app import create_app
    from tests.factories import GraphQLClient

    base: Settings = client.http._transport.app.state.settings
    app = create_app(Settings(**{**base.__dict__, "trusted_documents": "all"}))
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                             base_url="http://portal.test")
    strict = GraphQLClient(http)
    p = await f.partner()
    keyed = strict.as_key(await f.key(p))
    assert (await keyed.post("{ viewer { role } }")).json()["errors"][0]["extensions"][
        "code"] == "TRUSTED_DOCUMENT_REQUIRED"
    invitation = await accounts.invite(None, p, "staff@kbri.example", "Staff",
                                       Role.PARTNER_OFFICER)
    await accounts.accept_invitation(invitation.token, "a long enough password")
    await http.post("/auth/login", json={"email": "staff@kbri.example",
                                         "password": "a long enough password"})
    session = await strict.post("{ viewer { role } }")
    assert session.json()["data"]["viewer"]["role"] == "PARTNER_OFFICER"
