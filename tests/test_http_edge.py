"""The HTTP edge: authentication failures are clear 401s; bad bodies are 4xx, never 5xx."""

from __future__ import annotations

import pytest

from tests import factories as f

QUERY = {"query": "{ viewer { role } }"}


@pytest.mark.parametrize(
    ("header", "fragment"),
    [
        (None, "Authentication required"),
        ("", "Authentication required"),
        ("Basic dXNlcjpwYXNz", "Unsupported authorization scheme"),
        ("Bearer", "Malformed"),
        ("Bearer a b", "Malformed"),
        ("Bearer ppk_short", "malformed"),
        ("Bearer ppk_" + "A" * 40, "not known"),
        ("Bearer " + "x" * 5000, "too long"),
    ],
)
async def test_bad_credentials_are_401_with_a_clear_message(client, header, fragment):
    headers = {} if header is None else {"authorization": header}
    response = await client.http.post("/graphql", json=QUERY, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    message = response.json()["errors"][0]["message"]
    assert fragment in message
    if header and len(header) > 20:
        assert header.split()[-1] not in message  # never echo the credential


async def test_revoked_and_expired_keys_are_refused(client):
    from datetime import timedelta

    from models.access import ApiKey
    from models.api_keys import digest
    from models.clock import now

    p = await f.partner()
    revoked, expired = await f.key(p, name="revoked"), await f.key(p, name="expired")
    await ApiKey.filter(secret_digest=digest(revoked)).update(revoked_at=now())
    await ApiKey.filter(secret_digest=digest(expired)).update(
        expires_at=now() - timedelta(seconds=1))
    for secret, word in ((revoked, "revoked"), (expired, "expired")):
        response = await client.as_key(secret).post(QUERY["query"])
        assert response.status_code == 401
        assert word in response.json()["errors"][0]["message"]


async def test_graphiql_page_loads_without_credentials(client):
    response = await client.http.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_body_that_is_not_utf8_is_400_not_500(client):
    p = await f.partner()
    secret = await f.key(p)
    response = await client.http.post(
        "/graphql", content=b'{"query": "\xff\xfe"}',
        headers={"authorization": f"Bearer {secret}", "content-type": "application/json"})
    assert response.status_code == 400


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2", b"\x00\x01\x02", b"null", b"42"])
async def test_garbage_json_bodies_are_4xx(client, body):
    p = await f.partner()
    secret = await f.key(p)
    response = await client.http.post(
        "/graphql", content=body,
        headers={"authorization": f"Bearer {secret}", "content-type": "application/json"})
    assert 400 <= response.status_code < 500


async def test_wrong_content_type_is_4xx(client):
    p = await f.partner()
    secret = await f.key(p)
    response = await client.http.post(
        "/graphql", content=b"query { viewer { role } }",
        headers={"authorization": f"Bearer {secret}", "content-type": "text/csv"})
    assert 400 <= response.status_code < 500


async def test_responses_carry_a_request_id(client):
    p = await f.partner()
    response = await client.as_key(await f.key(p)).post(QUERY["query"])
    assert response.status_code == 200
    assert len(response.headers["x-request-id"]) == 32


async def test_unexpected_errors_are_masked_with_the_request_id(client, monkeypatch, caplog):
    nik = "3174" + "054505900003"

    def broken(*args, **kwargs):
        raise RuntimeError(f"secret internals {nik}")

    p = await f.partner()
    c = client.as_key(await f.key(p))
    monkeypatch.setattr("schema.workers.queries.filters.apply", broken)
    response = await c.post("{ workers { edges { cursor } } }")
    body = response.json()
    error = body["errors"][0]
    assert "secret internals" not in response.text
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert error["extensions"]["requestId"] == response.headers["x-request-id"]
    logged = [r for r in caplog.records if r.name == "portal.errors"]
    assert logged and getattr(logged[0], "request_id", None) == error["extensions"]["requestId"]
    assert nik not in caplog.text
