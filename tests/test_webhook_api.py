"""Webhooks through GraphQL: managing endpoints, deliveries and dead letters, typed errors
for bad input and foreign ids, the SSRF guard, the settings, the JavaScript verifier, and
secrets kept out of logs and storage."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from models import webhook_urls
from models.access import AuditEntry
from models.enums import Role, Scope
from models.webhook_urls import address_allowed
from models.webhooks import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from portal import settings as settings_module
from portal import webhooks
from portal.settings import SettingsError
from portal.webhook_settings import WebhookSettings
from schema import ids
from tests import factories as f
from tests.conftest import settings_for
from tests.test_webhooks import dispatcher, drain, register
from tests.webhook_receiver import Reply
from tests.webhook_verifiers import run_js_verifier

CREATE = """mutation($input: WebhookEndpointInput!) { createWebhookEndpoint(input: $input) {
  __typename
  ... on CreateWebhookEndpointSuccess { secret endpoint { id url description eventTypes
      filter { workerId } active consecutiveFailures circuitOpenUntil lastDeliveryAt lag
      createdBy } }
  ... on ValidationError { field rule message errors { field rule } }
  ... on NotAllowedError { needed message }
} }"""
ENDPOINTS = "{ webhookEndpoints { id url active lag lastDeliveryAt } }"
DELIVERIES = """query($endpoint: ID, $status: WebhookDeliveryStatus, $first: Int, $after: String) {
  webhookDeliveries(endpointId: $endpoint, status: $status, first: $first, after: $after) {
    edges { cursor node { id status eventId workerId attemptCount lastStatusCode lastError
      lastLatencyMs deliveredAt nextAttemptAt endpoint { id } event { type }
      attempts { attemptedAt statusCode latencyMs error } } }
    pageInfo { hasNextPage endCursor } } }"""
DEAD = """{ webhookDeadLetters(first: 10) { edges { node { id status lastStatusCode
  attempts { statusCode } } } } }"""
REDELIVER = """mutation($id: ID!) { redeliverWebhook(deliveryId: $id) { __typename
  ... on RedeliverWebhookSuccess { delivery { id status attemptCount } }
  ... on NotFoundError { id message } ... on NotAllowedError { needed } } }"""
ROTATE = """mutation($id: ID!, $s: Int) { rotateWebhookSecret(id: $id, overlapSeconds: $s) {
  __typename ... on RotateWebhookSecretSuccess { secret }
  ... on NotFoundError { id message } ... on ValidationError { field rule } } }"""
ACTIVE = """mutation($id: ID!, $on: Boolean!) { setWebhookEndpointActive(id: $id, active: $on)
  { __typename ... on NotFoundError { id message } } }"""
DELETE = """mutation($id: ID!) { deleteWebhookEndpoint(id: $id) { __typename
  ... on DeleteWebhookEndpointSuccess { deletedId } ... on NotFoundError { id message } } }"""


async def _admin(client: Any, code: str = "kbri-hongkong", country: str = "HK") -> Any:
    p = await f.partner(code, country=country)
    return p, client.as_key(await f.key(p, Role.PARTNER_ADMIN))


async def _create(api: Any, url: str, **extra: Any) -> dict[str, Any]:
    return (await api.run(CREATE, {"input": {"url": url, **extra}}))["createWebhookEndpoint"]


# --- management ------------------------------------------------------------------------------


async def test_an_admin_registers_an_endpoint_and_sees_the_secret_once(client, guard_lifted,
                                                                       receiver):
    p, admin = await _admin(client)
    created = await _create(admin, receiver.url, description="  HR   system ",
                            eventTypes=["PLACEMENT_STATUS_CHANGED", "REGISTERED"])
    assert created["__typename"] == "CreateWebhookEndpointSuccess"
    assert created["secret"].startswith("whsec_") and len(created["secret"]) > 40
    endpoint = created["endpoint"]
    assert endpoint["url"] == receiver.url and endpoint["description"] == "HR system"
    assert sorted(endpoint["eventTypes"]) == ["PLACEMENT_STATUS_CHANGED", "REGISTERED"]
    assert endpoint["active"] and endpoint["lag"] == 0 and endpoint["filter"] is None
    listed = (await admin.run(ENDPOINTS))["webhookEndpoints"]
    assert [e["id"] for e in listed] == [endpoint["id"]]
    assert created["secret"] not in json.dumps(listed)
    node = await admin.run('query($id: ID!) { node(id: $id) { ... on WebhookEndpoint { url } } }',
                           {"id": endpoint["id"]})
    assert node["node"] == {"url": receiver.url}
    # Lag counts what the endpoint still has to receive.
    await register(p, 2)
    assert [e["lag"] for e in (await admin.run(ENDPOINTS))["webhookEndpoints"]] == [2]


async def test_deliveries_attempts_and_redelivery_through_the_api(client, guard_lifted,
                                                                  receiver):
    p, admin = await _admin(client)
    endpoint = (await _create(admin, receiver.url))["endpoint"]
    await register(p)
    receiver.reply(Reply(500))
    async with dispatcher() as d:
        await drain(d, lambda: len(receiver.requests) == 2)
    page = (await admin.run(DELIVERIES, {"endpoint": endpoint["id"]}))["webhookDeliveries"]
    [edge] = page["edges"]
    delivery = edge["node"]
    assert delivery["status"] == "SUCCEEDED" and delivery["attemptCount"] == 2
    assert delivery["endpoint"] == {"id": endpoint["id"]}
    assert delivery["event"] == {"type": "REGISTERED"} and delivery["nextAttemptAt"] is None
    assert [(a["statusCode"], a["error"]) for a in delivery["attempts"]] == [
        (200, None), (500, "HTTP 500")]
    assert all(a["latencyMs"] is not None for a in delivery["attempts"])
    assert delivery["eventId"] == receiver.requests[0].event_id
    assert delivery["id"] == receiver.requests[0].headers["X-Portal-Delivery-Id"]
    again = (await admin.run(REDELIVER, {"id": delivery["id"]}))["redeliverWebhook"]
    assert again["delivery"]["status"] == "PENDING" and again["delivery"]["attemptCount"] == 0
    async with dispatcher() as d:
        await drain(d, lambda: len(receiver.requests) == 3)
    assert receiver.requests[2].event_id == delivery["eventId"]
    shown = (await admin.run(DELIVERIES, {"status": "SUCCEEDED"}))["webhookDeliveries"]
    assert len(shown["edges"][0]["node"]["attempts"]) == 3


async def test_dead_letters_are_listed_and_can_be_redelivered(client, guard_lifted, receiver):
    p, admin = await _admin(client)
    await _create(admin, receiver.url)
    await register(p, 2)
    receiver.default = Reply(410)
    async with dispatcher() as d:
        await drain(d, lambda: len(receiver.requests) == 2)
    dead = (await admin.run(DEAD))["webhookDeadLetters"]["edges"]
    assert [e["node"]["status"] for e in dead] == ["FAILED", "FAILED"]
    assert dead[0]["node"]["attempts"] == [{"statusCode": 410}]
    receiver.default = Reply(200)
    result = (await admin.run(REDELIVER, {"id": dead[0]["node"]["id"]}))["redeliverWebhook"]
    assert result["__typename"] == "RedeliverWebhookSuccess"
    async with dispatcher() as d:
        await drain(d, lambda: len(receiver.requests) == 3)
    remaining = (await admin.run(DEAD))["webhookDeadLetters"]["edges"]
    assert [e["node"]["id"] for e in remaining] == [dead[1]["node"]["id"]]


async def test_deliveries_page_with_keyset_cursors(client, guard_lifted, receiver):
    p, admin = await _admin(client)
    await _create(admin, receiver.url)
    await register(p, 5)
    async with dispatcher() as d:
        await drain(d, lambda: len(receiver.requests) == 5)
    seen: list[str] = []
    after = None
    while True:
        page = (await admin.run(DELIVERIES, {"first": 2, "after": after}))["webhookDeliveries"]
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == 5
    assert seen == sorted(seen, key=lambda i: -ids.decode_as("WebhookDelivery", i))
    bad = await admin.post(DELIVERIES, {"after": "not-a-cursor"})
    assert bad.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    big = await admin.post(DELIVERIES, {"first": 101})
    assert big.json()["errors"][0]["extensions"]["rule"] == "max_page_size"


async def test_delete_removes_the_endpoint_and_its_deliveries(client, guard_lifted, receiver):
    p, admin = await _admin(client)
    endpoint = (await _create(admin, receiver.url))["endpoint"]
    await register(p)
    async with dispatcher() as d:
        await drain(d, lambda: len(receiver.requests) == 1)
    deleted = (await admin.run(DELETE, {"id": endpoint["id"]}))["deleteWebhookEndpoint"]
    assert deleted == {"__typename": "DeleteWebhookEndpointSuccess",
                       "deletedId": endpoint["id"]}
    assert await WebhookEndpoint.all().count() == 0
    assert await WebhookDelivery.all().count() == 0
    assert await WebhookAttempt.all().count() == 0
    assert (await admin.run(ENDPOINTS))["webhookEndpoints"] == []


# --- typed errors: bad input, permissions, foreign ids -------------------------------------


@pytest.mark.parametrize(("url", "rule"), [
    ("ftp://example.org/hook", "url_scheme"),
    ("javascript:alert(1)", "url_scheme"),
    ("file:///etc/passwd", "url_scheme"),
    ("example.org/hook", "url_scheme"),
    ("", "url_length"),
    ("https://" + "a" * 2000 + ".org/", "url_length"),
    ("https://user:pw@example.org/hook", "url_credentials"),
    ("https:///nohost", "url_host"),
    ("https://exa mple.org/", "url_format"),
    ("http://example.org:99999/", "url_format"),
])
async def test_urls_that_are_not_http_or_https_are_typed_validation_errors(client, url, rule):
    _, admin = await _admin(client)
    result = await _create(admin, url)
    assert result["__typename"] == "ValidationError"
    assert (result["field"], result["rule"]) == ("url", rule)
    assert await WebhookEndpoint.all().count() == 0


async def test_other_bad_input_is_typed(client, guard_lifted, receiver):
    p, admin = await _admin(client)
    long_note = await _create(admin, receiver.url, description="x" * 501)
    assert (long_note["field"], long_note["rule"]) == ("description", "length")
    foreign_worker = (await register(await f.partner("kbri-singapore", country="SG")))[0]
    for worker_id in (ids.encode("Worker", foreign_worker.id), ids.encode("Worker", 999_999),
                      "garbage"):
        result = await _create(admin, receiver.url, filter={"workerId": worker_id})
        assert (result["field"], result["rule"], result["message"]) == (
            "filter.workerId", "not_found", "No worker with this id.")
    several = await _create(admin, "gopher://x", description="y" * 600)
    assert [(e["field"], e["rule"]) for e in several["errors"]] == [
        ("url", "url_scheme"), ("description", "length")]
    endpoint = (await _create(admin, receiver.url))["endpoint"]
    for seconds in (-1, 31 * 86_400):
        rotated = (await admin.run(ROTATE, {"id": endpoint["id"], "s": seconds}))
        assert rotated["rotateWebhookSecret"] == {"__typename": "ValidationError",
                                                  "field": "overlapSeconds", "rule": "range"}
    wrong_enum = await admin.post(CREATE, {"input": {"url": receiver.url,
                                                     "eventTypes": ["EXPLODED"]}})
    assert wrong_enum.json()["errors"]  # a GraphQL type error, not a crash


async def test_a_partner_has_a_bounded_number_of_endpoints(client, guard_lifted, receiver):
    from models.webhook_endpoints import MAX_ENDPOINTS_PER_PARTNER

    _, admin = await _admin(client)
    for _ in range(MAX_ENDPOINTS_PER_PARTNER):
        assert (await _create(admin, receiver.url))["__typename"] == \
            "CreateWebhookEndpointSuccess"
    over = await _create(admin, receiver.url)
    assert (over["field"], over["rule"]) == ("input", "max_endpoints")


async def test_only_partner_admins_with_the_webhooks_scope_manage_endpoints(client,
                                                                            guard_lifted):
    p = await f.partner()
    officer = client.as_key(await f.key(p, Role.PARTNER_OFFICER))
    no_scope = client.as_key(await f.key(p, Role.PARTNER_ADMIN,
                                         frozenset({Scope.READ, Scope.ADMIN})))
    for api, needed in ((officer, "WEBHOOKS"), (no_scope, "WEBHOOKS")):
        result = await _create(api, "https://example.org/hook")
        assert result["__typename"] == "NotAllowedError" and result["needed"] == needed
        listed = await api.post(ENDPOINTS)
        assert listed.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    webhooks_only = client.as_key(await f.key(p, Role.PARTNER_OFFICER,
                                              frozenset({Scope.READ})))
    assert (await _create(webhooks_only, "https://example.org/h"))["__typename"] == \
        "NotAllowedError"


async def test_foreign_ids_answer_exactly_like_missing_ones(client, guard_lifted, receiver):
    hk, hk_admin = await _admin(client)
    _, sg_admin = await _admin(client, "kbri-singapore", "SG")
    endpoint = (await _create(hk_admin, receiver.url))["endpoint"]
    await register(hk)
    receiver.default = Reply(400)
    async with dispatcher() as d:
        await drain(d, lambda: len(receiver.requests) == 1)
    delivery = (await hk_admin.run(DELIVERIES))["webhookDeliveries"]["edges"][0]["node"]
    missing_endpoint = ids.encode("WebhookEndpoint", 999_999)
    missing_delivery = ids.encode("WebhookDelivery", 999_999)
    for mutation, name, foreign, missing, variables in [
        (ROTATE, "rotateWebhookSecret", endpoint["id"], missing_endpoint, {"s": 60}),
        (ACTIVE, "setWebhookEndpointActive", endpoint["id"], missing_endpoint, {"on": False}),
        (DELETE, "deleteWebhookEndpoint", endpoint["id"], missing_endpoint, {}),
        (REDELIVER, "redeliverWebhook", delivery["id"], missing_delivery, {}),
    ]:
        theirs = (await sg_admin.run(mutation, {"id": foreign, **variables}))[name]
        absent = (await sg_admin.run(mutation, {"id": missing, **variables}))[name]
        assert theirs["__typename"] == absent["__typename"] == "NotFoundError"
        assert theirs["message"] == absent["message"]
        garbage = (await sg_admin.run(mutation, {"id": "%%%", **variables}))[name]
        assert garbage["__typename"] == "NotFoundError"
    # Queries: a foreign endpoint id filters to nothing; node() answers null.
    assert (await sg_admin.run(DELIVERIES, {"endpoint": endpoint["id"]}))[
        "webhookDeliveries"]["edges"] == []
    assert (await sg_admin.run(DEAD))["webhookDeadLetters"]["edges"] == []
    for node_id in (endpoint["id"], delivery["id"]):
        found = await sg_admin.run("query($id: ID!) { node(id: $id) { id } }", {"id": node_id})
        assert found["node"] is None
    # Nothing of hk's changed.
    row = await WebhookEndpoint.get(id=ids.decode_as("WebhookEndpoint", endpoint["id"]))
    assert row.active and row.previous_secret_sealed is None
    assert (await WebhookDelivery.get()).status == DeliveryStatus.FAILED


# --- the SSRF guard ---------------------------------------------------------------------------


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8080/hook",
    "http://localhost/hook",
    "http://10.1.2.3/hook",
    "http://172.16.0.5/hook",
    "http://192.168.1.1/hook",
    "http://100.64.0.1/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://0.0.0.0/hook",
    "http://224.0.0.1/hook",
    "http://[::1]/hook",
    "http://[fd00:ec2::254]/latest/meta-data/",
    "http://[fe80::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[64:ff9b::a9fe:a9fe]/hook",
    "https://[2002:7f00:1::]/hook",
])
async def test_the_ssrf_guard_refuses_private_and_metadata_targets(client, url):
    _, admin = await _admin(client)
    result = await _create(admin, url)
    assert result["__typename"] == "ValidationError"
    assert (result["field"], result["rule"]) == ("url", "ssrf")


def test_the_address_rule_allows_public_addresses_only():
    for public in ("8.8.8.8", "1.1.1.1", "2001:4860:4860::8888", "93.184.216.34"):
        assert address_allowed(public), public
    for private in ("127.0.0.1", "127.8.9.10", "10.0.0.1", "192.168.0.1", "172.31.255.255",
                    "169.254.169.254", "169.254.170.2", "100.100.100.200", "192.0.0.192",
                    "fd00:ec2::254", "::1", "::", "fe80::1%eth0", "ff02::1", "239.1.1.1",
                    "::ffff:10.0.0.1", "64:ff9b::7f00:1", "not an address"):
        assert not address_allowed(private), private


async def test_production_settings_switch_the_guard_on(db, client):
    production = settings_for(db.database_url, env="production",
                              webhooks=WebhookSettings(enabled=False))
    assert await webhooks.start(production) is None
    _, admin = await _admin(client)
    assert (await _create(admin, "http://127.0.0.1/hook"))["rule"] == "ssrf"
    lifted = settings_for(db.database_url, env="production",
                          webhooks=WebhookSettings(enabled=False, allow_private=True))
    await webhooks.start(lifted)
    try:
        assert (await _create(admin, "http://127.0.0.1/hook"))["__typename"] == \
            "CreateWebhookEndpointSuccess"
    finally:
        webhook_urls.configure(webhook_urls.UrlPolicy())


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
async def test_the_guard_also_runs_when_a_delivery_connects(db, receiver, host):
    """An endpoint accepted earlier (a name that resolved to a public address then, DNS
    rebinding) is still refused when its host resolves to a private address at delivery."""
    p = await f.partner()
    webhook_urls.configure(webhook_urls.UrlPolicy(allow_private=True))
    try:
        from tests.test_webhooks import endpoint_for

        await endpoint_for(p, f"http://{host}:{receiver.port}/hook")
    finally:
        webhook_urls.configure(webhook_urls.UrlPolicy())
    await register(p)
    async with dispatcher(allow_private=False) as d:
        await d.step()
    assert receiver.requests == []
    delivery = await WebhookDelivery.get()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 1
    assert delivery.last_error is not None and "SSRF guard" in delivery.last_error


# --- settings ------------------------------------------------------------------------------


def test_webhook_settings_come_from_the_environment():
    loaded = settings_module.load({
        "PORTAL_WEBHOOK_ALLOW_PRIVATE": "true", "PORTAL_WEBHOOK_DISABLE_AFTER": "7",
        "PORTAL_WEBHOOK_TIMEOUT_SECONDS": "2.5", "PORTAL_WEBHOOK_ENABLED": "no",
        "PORTAL_WEBHOOK_BACKOFF_BASE_SECONDS": "0.1", "PORTAL_WEBHOOK_MAX_ATTEMPTS": "3",
        "PORTAL_WEBHOOK_CIRCUIT_THRESHOLD": "4", "PORTAL_WEBHOOK_CONCURRENCY": "2",
    }).webhooks
    assert (loaded.allow_private, loaded.disable_after, loaded.timeout_seconds,
            loaded.enabled, loaded.backoff_base_seconds, loaded.max_attempts,
            loaded.circuit_threshold, loaded.concurrency) == (True, 7, 2.5, False, 0.1, 3, 4, 2)
    defaults = settings_module.load({}).webhooks
    assert defaults.allow_private is False and defaults.disable_after == 100
    for env, named in [
        ({"PORTAL_WEBHOOK_ALLOW_PRIVATE": "maybe"}, "PORTAL_WEBHOOK_ALLOW_PRIVATE"),
        ({"PORTAL_WEBHOOK_DISABLE_AFTER": "0"}, "PORTAL_WEBHOOK_DISABLE_AFTER"),
        ({"PORTAL_WEBHOOK_TIMEOUT_SECONDS": "fast"}, "PORTAL_WEBHOOK_TIMEOUT_SECONDS"),
        ({"PORTAL_WEBHOOK_BACKOFF_MAX_SECONDS": "inf"}, "PORTAL_WEBHOOK_BACKOFF_MAX_SECONDS"),
        ({"PORTAL_WEBHOOK_CIRCUIT_COOLDOWN_SECONDS": "-1"},
         "PORTAL_WEBHOOK_CIRCUIT_COOLDOWN_SECONDS"),
    ]:
        with pytest.raises(SettingsError, match=named):
            settings_module.load(env)


# --- the JavaScript verifier, secrets ---------------------------------------------------------


async def test_the_javascript_verifier_accepts_a_real_delivery_and_refuses_tampering(
        db, guard_lifted, receiver):
    from tests.test_webhooks import endpoint_for

    p = await f.partner()
    issued = await endpoint_for(p, receiver.url)
    await register(p)
    async with dispatcher() as d:
        await d.step()
    [got] = receiver.requests
    lowered = {k.lower(): v for k, v in got.headers.items()}
    assert run_js_verifier(got.body, lowered, issued.secret) == {"ok": True,
                                                                 "id": got.event_id}
    assert run_js_verifier(got.body, got.headers, ["whsec_old", issued.secret])["ok"]
    tampered = run_js_verifier(got.body.replace(b"REGISTERED", b"UPDATED"), lowered,
                               issued.secret)
    assert tampered == {"ok": False, "error": "signature mismatch"}
    assert run_js_verifier(got.body, lowered, "whsec_wrong")["ok"] is False
    stale = run_js_verifier(got.body, lowered, issued.secret,
                            {"now": int(got.headers["X-Portal-Timestamp"]) + 301})
    assert stale == {"ok": False, "error": "timestamp outside the tolerance"}


async def test_secrets_never_reach_logs_audit_or_plain_storage(client, guard_lifted, receiver,
                                                               caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="tortoise.db_client")
    p, admin = await _admin(client)
    created = await _create(admin, receiver.url)
    rotated = (await admin.run(ROTATE, {"id": created["endpoint"]["id"], "s": 60}))
    secrets = [created["secret"], rotated["rotateWebhookSecret"]["secret"]]
    await register(p, 2)
    receiver.reply(Reply(500))
    async with dispatcher() as d:
        await drain(d, lambda: len(receiver.requests) == 3)
    row = await WebhookEndpoint.get()
    stored = json.dumps(await WebhookEndpoint.all().values(), default=str)
    audit = json.dumps(await AuditEntry.all().values(), default=str)
    for secret in secrets:
        assert secret not in caplog.text
        assert secret not in stored and secret not in audit
    assert row.secret_sealed.startswith("v1.")
    assert "mutation:createWebhookEndpoint" in audit and "mutation:rotateWebhookSecret" in audit


async def test_signing_secrets_follow_a_data_key_rotation(db, guard_lifted, receiver):
    import os

    from models import identifiers
    from models.identifiers import IdentifierVault, VaultError
    from models.webhook_endpoints import open_secret, reseal_secrets
    from tests.test_webhooks import endpoint_for
    from tests.webhook_verifiers import load_python_verifier

    old, new = os.urandom(32), os.urandom(32)
    hmac_key = identifiers.vault().hmac_key
    identifiers.configure(IdentifierVault({"k1": old}, "k1", hmac_key))
    p = await f.partner()
    issued = await endpoint_for(p, receiver.url)
    identifiers.configure(IdentifierVault({"k2": new, "k1": old}, "k2", hmac_key))
    assert await reseal_secrets() == 1
    assert await reseal_secrets() == 0
    identifiers.configure(IdentifierVault({"k2": new}, "k2", hmac_key))
    row = await WebhookEndpoint.get()
    assert row.secret_sealed.startswith("v1.k2.") and open_secret(row.secret_sealed) == \
        issued.secret
    await register(p)
    async with dispatcher() as d:
        await d.step()
    [got] = receiver.requests
    assert load_python_verifier().verify_webhook(got.body, got.headers, issued.secret)
    # Had the old key been dropped first, the delivery would wait, not go out unsigned.
    identifiers.configure(IdentifierVault({"k9": new}, "k9", hmac_key))
    with pytest.raises(VaultError):
        open_secret(row.secret_sealed.replace("v1.k2.", "v1.k1."))


def test_on_sqlite_one_process_holds_the_dispatcher_lock(tmp_path):
    from portal.webhooks import _sqlite_lock

    url = f"sqlite://{tmp_path / 'portal.sqlite3'}"
    first, second = _sqlite_lock(url), _sqlite_lock(url)
    assert first is not None and second is not None
    assert first.acquire() and not second.acquire()
    first.release()
    assert second.acquire()
    second.release()
    assert _sqlite_lock("postgres://x@127.0.0.1/db") is None
    assert _sqlite_lock("sqlite://:memory:") is None
