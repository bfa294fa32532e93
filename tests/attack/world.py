"""Partners A (kbri-hongkong) and B (kbri-singapore), their data, and who attacks it.

Workers are registered through GraphQL by each partner's officer, so events,
contributions, coverages and audit entries exist exactly as in production. Keys are issued
directly (models.api_keys); people accept an invitation and sign in over HTTP, so the
session cookies are real.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx

from models import accounts, webhook_queue
from models.access import ROLE_SCOPES, Account, ApiKey, AuditEntry, Session
from models.api_keys import digest as key_digest
from models.clock import now, today_jakarta
from models.contributions import Contribution, Coverage
from models.enums import PartnerKind, Role, Scope
from models.events import WorkerEvent
from models.partners import Partner
from models.stats import PartnerWorkerCount
from models.validators import mask_identifier
from models.webhooks import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from models.workers import FAMILY_CARD, NIK, PASSPORT, Worker
from schema.events.types import event_cursor
from schema.ids import encode
from tests import factories as f

PASSWORD = "attack suite pass phrase 0451"
A_CODE, B_CODE = "kbri-hongkong", "kbri-singapore"
_unique = itertools.count(1)

REGISTER = """mutation($input: RegisterWorkerInput!) { registerWorker(input: $input) {
  __typename ... on RegisterWorkerSuccess { worker { id version } } } }"""
RECORD = """mutation($input: RecordContributionInput!) { recordContribution(input: $input) {
  __typename } }"""
DEPART = """mutation($id: ID!, $version: Int!) { changeWorkerStatus(id: $id, version: $version,
  placementStatus: DEPARTED, reason: "Departed on schedule") { __typename
  ... on ChangeWorkerStatusSuccess { worker { version } } } }"""
EXTEND = """mutation($id: ID!, $version: Int!, $paidOn: Date!) { extendContract(id: $id,
  version: $version, months: 12, amount: 162000, paidOn: $paidOn, reason: "Renewed") {
  __typename ... on ExtendContractSuccess { worker { version } } } }"""
UPDATE = """mutation($id: ID!, $version: Int!, $input: UpdateWorkerInput!) {
  updateWorker(id: $id, version: $version, input: $input) { __typename
  ... on UpdateWorkerSuccess { worker { version } } } }"""
REVEAL = "{ workers(first: 50) { edges { node { nik passportNumber familyCardNumber } } } }"
CREATE_ENDPOINT = """mutation($input: WebhookEndpointInput!) { createWebhookEndpoint(
  input: $input) { __typename ... on CreateWebhookEndpointSuccess { secret endpoint { id } } } }"""
SET_ACTIVE = """mutation($id: ID!) { setWebhookEndpointActive(id: $id, active: false) {
  __typename } }"""
# A public address literal: accepted by the SSRF guard without any DNS lookup. Endpoints
# are switched off once the world is built, so nothing is ever sent to it.
PUBLIC_URL = "https://93.184.216.34/{}"


def unique(prefix: str) -> str:
    return f"{prefix}{next(_unique)}"


@dataclass(frozen=True)
class Credential:
    """One way of calling the API. ``valid=False`` credentials must get HTTP 401."""

    name: str
    owner: str | None  # "A", "B", "OP" or None
    kind: str  # "key" | "session" | "none"
    role: Role | None = None
    scopes: frozenset[Scope] = frozenset()
    token: str | None = None
    valid: bool = True

    @property
    def effective_scopes(self) -> frozenset[Scope]:
        if self.role is None:
            return frozenset()
        granted = frozenset(Scope) if self.kind == "session" else self.scopes
        return granted & ROLE_SCOPES[self.role]

    def has(self, scope: Scope) -> bool:
        return scope in self.effective_scopes

    def headers(self) -> dict[str, str]:
        h = {"content-type": "application/json"}
        if self.kind == "key" and self.token:
            h["authorization"] = f"Bearer {self.token}"
        elif self.kind == "session" and self.token:
            h["cookie"] = f"portal_session={self.token}"
        return h

    def ws_init(self) -> tuple[dict[str, Any] | None, dict[str, str]]:
        """(connection_init payload, handshake headers) for a WebSocket."""
        if self.kind == "key":
            return {"authorization": f"Bearer {self.token}"}, {}
        if self.kind == "session":
            return {}, {"cookie": f"portal_session={self.token}"}
        return None, {}


@dataclass
class PartnerData:
    code: str
    row: Partner
    workers: list[dict[str, Any]] = field(default_factory=list)
    admin_account: Account | None = None


@dataclass
class World:
    http: httpx.AsyncClient
    creds: dict[str, Credential]
    partners: dict[str, PartnerData]
    secrets: set[str] = field(default_factory=set)  # credentials: never in any response
    identifiers: set[str] = field(default_factory=set)  # NIKs, passports, family cards
    setup_log: list[str] = field(default_factory=list)
    database_url: str = ""

    @property
    def never_logged(self) -> set[str]:
        return self.secrets | self.identifiers

    @property
    def a(self) -> PartnerData:
        return self.partners["A"]

    @property
    def b(self) -> PartnerData:
        return self.partners["B"]

    async def post(self, cred: Credential, query: str,
                   variables: dict[str, Any] | None = None,
                   path: str = "/graphql") -> httpx.Response:
        self.http.cookies.clear()  # only the credential's own cookie, never a stored one
        return await self.http.post(path, json={"query": query, "variables": variables or {}},
                                    headers=cred.headers())

    async def run(self, cred: Credential | str, query: str,
                  variables: dict[str, Any] | None = None) -> dict[str, Any]:
        c = self.creds[cred] if isinstance(cred, str) else cred
        response = await self.post(c, query, variables)
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body["errors"]
        return body["data"]

    async def register(self, who: str, **overrides: Any) -> dict[str, Any]:
        """Register a worker for partner ``who`` ("A"/"B") through GraphQL (its officer)."""
        data = f.worker_input(**overrides)
        result = (await self.run(f"{who}:officer", REGISTER, {"input": data}))["registerWorker"]
        assert result["__typename"] == "RegisterWorkerSuccess", result
        self.identifiers.update(v for k, v in data.items()
                            if k in ("nik", "passportNumber", "familyCardNumber") and v)
        worker = {**data, "id": result["worker"]["id"], "version": 1}
        self.partners[who].workers.append(worker)
        return worker

    async def depart(self, who: str, worker: dict[str, Any]) -> None:
        r = (await self.run(f"{who}:officer", DEPART, {"id": worker["id"],
                                                       "version": worker["version"]}))
        assert r["changeWorkerStatus"]["__typename"] == "ChangeWorkerStatusSuccess", r
        worker["version"] = r["changeWorkerStatus"]["worker"]["version"]

    async def pay(self, who: str, worker: dict[str, Any]) -> None:
        r = await self.run(f"{who}:officer", RECORD, {"input": {
            "workerId": worker["id"], "kind": "PRE_PLACEMENT", "amount": 37_500,
            "paidOn": today_jakarta().isoformat()}})
        assert r["recordContribution"]["__typename"] == "RecordContributionSuccess", r
        worker["version"] += 1

    async def extend(self, who: str, worker: dict[str, Any]) -> None:
        r = await self.run(f"{who}:officer", EXTEND, {
            "id": worker["id"], "version": worker["version"],
            "paidOn": today_jakarta().isoformat()})
        assert r["extendContract"]["__typename"] == "ExtendContractSuccess", r
        worker["version"] = r["extendContract"]["worker"]["version"]

    async def update(self, who: str, worker: dict[str, Any], **changes: Any) -> None:
        r = await self.run(f"{who}:officer", UPDATE, {
            "id": worker["id"], "version": worker["version"], "input": changes})
        assert r["updateWorker"]["__typename"] == "UpdateWorkerSuccess", r
        worker["version"] = r["updateWorker"]["worker"]["version"]
        worker.update(changes)

    async def sign_in(self, email: str) -> str:
        self.http.cookies.clear()
        response = await self.http.post("/auth/login",
                                        json={"email": email, "password": PASSWORD})
        assert response.status_code == 200, response.text
        token = response.cookies["portal_session"]
        self.http.cookies.clear()
        self.secrets.add(token)
        return token

    async def sign_out(self, token: str) -> None:
        self.http.cookies.clear()
        response = await self.http.post("/auth/logout", headers={
            "cookie": f"portal_session={token}", "x-portal-csrf": "1"})
        assert response.status_code == 200, response.text

    async def person(self, who: str, email: str, role: Role) -> Account:
        invitation = await accounts.invite(None, self.partners[who].row, email,
                                           f"{who} person", role)
        self.secrets.add(invitation.token)
        self.http.cookies.clear()
        response = await self.http.post("/auth/accept-invitation", json={
            "token": invitation.token, "password": PASSWORD})
        assert response.status_code == 200, response.text
        return invitation.account

    async def endpoint(self, who: str) -> str:
        """A webhook endpoint of ``who``, made through GraphQL by its admin."""
        code = self.partners[who].code
        r = (await self.run(f"{who}:admin", CREATE_ENDPOINT, {"input": {
            "url": PUBLIC_URL.format(unique(f"{code}-hook-")),
            "description": f"{code} webhook marker"}}))["createWebhookEndpoint"]
        assert r["__typename"] == "CreateWebhookEndpointSuccess", r
        self.secrets.add(r["secret"])
        return str(r["endpoint"]["id"])

    async def key(self, who: str, role: Role, scopes: frozenset[Scope] | None = None,
                  name: str | None = None) -> str:
        secret = await f.key(self.partners[who].row, role, scopes,
                             name=name or unique(f"{self.partners[who].code}-key-"))
        self.secrets.add(secret)
        return secret


def _person_data(who: str, i: int, country: str) -> dict[str, Any]:
    """Distinctive, valid worker data: every name and number is a marker of its partner."""
    city = {"A": "Hongkong", "B": "Singapura"}[who]
    word = ["alfa", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"][i % 8]
    serial = next(_unique)
    return {
        "fullName": f"Ayu {city}{word} Lestari" if who == "A" else f"Dina {city}{word} Putri",
        "phone": f"+{'852' if who == 'A' else '65'}9{serial:07d}",
        "employerName": f"{city}{word} Household Employer",
        "familyCardNumber": f"{'3174' if who == 'A' else '3275'}{serial:012d}",
        "destinationCountry": country,
        "heirs": [{"fullName": f"Heir {city}{word}", "relation": "SPOUSE_OR_CHILD"}],
    }


async def build_world(http: httpx.AsyncClient) -> World:
    a_row = await f.partner(A_CODE, PartnerKind.EMBASSY, "HK", "KBRI Hongkong Marker")
    b_row = await f.partner(B_CODE, PartnerKind.EMBASSY, "SG", "KBRI Singapura Marker")
    op_row = await f.operator_partner()
    world = World(http=http, creds={}, partners={
        "A": PartnerData(A_CODE, a_row), "B": PartnerData(B_CODE, b_row),
        "OP": PartnerData(op_row.code, op_row)})
    world.secrets.add(PASSWORD)
    creds = world.creds
    for who in ("A", "B"):
        code = world.partners[who].code
        for role, short in ((Role.PARTNER_ADMIN, "admin"), (Role.PARTNER_OFFICER, "officer"),
                            (Role.PARTNER_VIEWER, "viewer")):
            secret = await world.key(who, role, name=f"{code}-{short}-key")
            creds[f"{who}:{short}"] = Credential(f"{who}:{short}", who, "key", role,
                                                 ROLE_SCOPES[role], secret)
    creds["OP:operator"] = Credential(
        "OP:operator", "OP", "key", Role.OPERATOR, ROLE_SCOPES[Role.OPERATOR],
        await world.key("OP", Role.OPERATOR, name="bpjs-operator-key"))
    # Too few scopes: an admin that may only read (for writes), an officer that may only
    # write (for reads). Both are A's own: scopes must hold even on one's own data.
    creds["A:admin[READ]"] = Credential(
        "A:admin[READ]", "A", "key", Role.PARTNER_ADMIN, frozenset({Scope.READ}),
        await world.key("A", Role.PARTNER_ADMIN, frozenset({Scope.READ}),
                        name=f"{A_CODE}-admin-readonly-key"))
    creds["A:officer[WRITE]"] = Credential(
        "A:officer[WRITE]", "A", "key", Role.PARTNER_OFFICER, frozenset({Scope.WRITE}),
        await world.key("A", Role.PARTNER_OFFICER, frozenset({Scope.WRITE}),
                        name=f"{A_CODE}-officer-noread-key"))
    expired = await world.key("A", Role.PARTNER_ADMIN, name=f"{A_CODE}-expired-key")
    revoked = await world.key("A", Role.PARTNER_ADMIN, name=f"{A_CODE}-revoked-key")
    await ApiKey.filter(secret_digest=key_digest(expired)).update(
        expires_at=now() - timedelta(minutes=1))
    await ApiKey.filter(secret_digest=key_digest(revoked)).update(revoked_at=now())
    creds["A:expired-key"] = Credential("A:expired-key", "A", "key", Role.PARTNER_ADMIN,
                                        ROLE_SCOPES[Role.PARTNER_ADMIN], expired, valid=False)
    creds["A:revoked-key"] = Credential("A:revoked-key", "A", "key", Role.PARTNER_ADMIN,
                                        ROLE_SCOPES[Role.PARTNER_ADMIN], revoked, valid=False)
    creds["none"] = Credential("none", None, "none", valid=False)

    # People: A's admin with a live and a signed-out session; B's admin with a session.
    for who in ("A", "B"):
        email = f"admin@{world.partners[who].code}.example"
        world.partners[who].admin_account = await world.person(who, email, Role.PARTNER_ADMIN)
        creds[f"{who}:session"] = Credential(f"{who}:session", who, "session",
                                             Role.PARTNER_ADMIN, token=await world.sign_in(email))
    signed_out = await world.sign_in(f"admin@{A_CODE}.example")
    await world.sign_out(signed_out)
    creds["A:signed-out-session"] = Credential(
        "A:signed-out-session", "A", "session", Role.PARTNER_ADMIN, token=signed_out,
        valid=False)

    endpoints = {who: await world.endpoint(who) for who in ("A", "B")}
    # Workers with a history: registration, payment, departure, extension, update.
    for who, countries in (("A", ("HK", "HK", "HK")), ("B", ("HK", "SG", "SG"))):
        made = [await world.register(who, **_person_data(who, i, c))
                for i, c in enumerate(countries)]
        await world.pay(who, made[1])
        await world.depart(who, made[2])
        await world.extend(who, made[2])
        await world.update(who, made[2], employerName=_person_data(who, 5, "HK")[
            "employerName"])
        # A revealing read (audit entry) and a key made through the API (audit entry).
        await world.run(f"{who}:admin", REVEAL)
        created = await world.run(f"{who}:admin", """mutation($name: String!) {
            createApiKey(name: $name, role: PARTNER_VIEWER, scopes: [READ]) {
            ... on CreateApiKeySuccess { secret } } }""",
                                  {"name": f"{world.partners[who].code}-made-through-graphql"})
        world.secrets.add(created["createApiKey"]["secret"])
    # Deliveries of every event to each partner's endpoint, one of them dead-lettered;
    # then the endpoints are switched off (a real server never sends anything).
    await webhook_queue.enqueue_all()
    for who in ("A", "B"):
        first = await WebhookDelivery.filter(partner_id=world.partners[who].row.id).order_by(
            "id").first()
        assert first is not None, f"no webhook deliveries for {who}"
        first.status = DeliveryStatus.FAILED
        first.last_error = "connection refused"
        await first.save(update_fields=["status", "last_error"])
        r = await world.run(f"{who}:admin", SET_ACTIVE, {"id": endpoints[who]})
        assert r["setWebhookEndpointActive"]["__typename"] == "SetWebhookEndpointActiveSuccess"
    return world


# --- what must never reach another partner ------------------------------------------------

ID_BOUNDARY = r"(?<![A-Za-z0-9_\-])({})(?![A-Za-z0-9_\-])"


@dataclass
class Markers:
    """A partner's data as it could appear in a response. ``ids`` are matched as whole
    tokens (a global id is a prefix of longer ones), ``texts`` as substrings, ``patterns``
    as regular expressions (masked identifiers: first and last four characters kept)."""

    ids: dict[str, str] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    patterns: dict[str, re.Pattern[str]] = field(default_factory=dict)

    def id_regex(self) -> re.Pattern[str] | None:
        if not self.ids:
            return None
        return re.compile(ID_BOUNDARY.format("|".join(
            re.escape(i) for i in sorted(self.ids, key=len, reverse=True))))


def _identifier_markers(m: Markers, what: str, value: str | None) -> None:
    if not value:
        return
    m.texts[value] = what
    masked = mask_identifier(value)
    if masked and len(value) > 8:
        m.texts[masked] = f"{what} (masked)"
        m.patterns[f"{what} (first and last four)"] = re.compile(
            re.escape(value[:4]) + r"[^0-9]{2,24}" + re.escape(value[-4:]))


async def markers(partner: Partner, *, tenant: bool = True,
                  skip_workers: frozenset[int] = frozenset(),
                  viewer_partner: int | None = None) -> Markers:
    """Everything of ``partner`` that the viewer's partner must never see. ``tenant`` adds
    the partner itself, its keys, accounts, sessions, audit entries and webhooks to its
    workers' data (workers, events, contributions); ``skip_workers`` leaves out workers
    the viewer legitimately knows (one it transferred away)."""
    m = Markers()
    workers = [w for w in await Worker.filter(partner_id=partner.id) if w.id not in skip_workers]
    worker_ids = [w.id for w in workers]
    for w in workers:
        label = f"{partner.code} worker {w.id}"
        m.ids[encode("Worker", w.id)] = f"{label} id"
        m.texts[w.full_name] = f"{label} fullName"
        for kind, name in ((NIK, "nik"), (PASSPORT, "passportNumber"),
                           (FAMILY_CARD, "familyCardNumber")):
            _identifier_markers(m, f"{label} {name}", w.identifier(kind))
        for attr in ("phone", "employer_name"):
            value = getattr(w, attr)
            if value:
                m.texts[value] = f"{label} {attr}"
        for heir in w.heirs:
            m.texts[heir["fullName"]] = f"{label} heir"
    # The events written on A's watch, except those of workers that have since moved to
    # the viewer's partner: a new owner sees a worker's whole history, by design.
    events = WorkerEvent.filter(partner_id=partner.id)
    if viewer_partner is not None:
        events = events.exclude(worker__partner_id=viewer_partner)
    for e in await events.values_list("id", flat=True):
        m.ids[encode("WorkerEvent", e)] = f"{partner.code} event {e} id"
        m.ids[event_cursor(e)] = f"{partner.code} event {e} cursor"
    for c in await Contribution.filter(worker_id__in=worker_ids).values_list("id", flat=True):
        m.ids[encode("Contribution", c)] = f"{partner.code} contribution {c} id"
    if not tenant:
        return m
    m.ids[encode("Partner", partner.id)] = f"{partner.code} partner id"
    m.texts[partner.code] = "partner code"
    m.texts[partner.name] = "partner name"
    for key in await ApiKey.filter(partner_id=partner.id):
        m.ids[encode("ApiKey", key.id)] = f"{partner.code} api key {key.id} id"
        m.texts[key.name] = f"{partner.code} api key name"
        m.texts[key.display_prefix] = f"{partner.code} api key prefix"
    account_ids = []
    for account in await Account.filter(partner_id=partner.id):
        account_ids.append(account.id)
        m.ids[encode("Account", account.id)] = f"{partner.code} account {account.id} id"
        m.texts[account.email] = f"{partner.code} account email"
    for s in await Session.filter(account_id__in=account_ids).values_list("id", flat=True):
        m.ids[encode("Session", s)] = f"{partner.code} session {s} id"
    for ep in await WebhookEndpoint.filter(partner_id=partner.id):
        m.ids[encode("WebhookEndpoint", ep.id)] = f"{partner.code} webhook endpoint {ep.id} id"
        m.texts[ep.url] = f"{partner.code} webhook url"
        if ep.description:
            m.texts[ep.description] = f"{partner.code} webhook description"
    for d in await WebhookDelivery.filter(partner_id=partner.id).values_list("id", flat=True):
        m.ids[encode("WebhookDelivery", d)] = f"{partner.code} webhook delivery {d} id"
    entries = await AuditEntry.filter(partner_id=partner.id).values_list("id", flat=True)
    entries += await AuditEntry.filter(subject_partner_id=partner.id).values_list("id",
                                                                                  flat=True)
    for e in set(entries):
        m.ids[encode("AuditEntry", e)] = f"{partner.code} audit entry {e} id"
    return m


async def snapshot(partner: Partner) -> dict[str, Any]:
    """A's data as rows: any change by someone else's attempt shows as a difference."""
    workers = await Worker.filter(partner_id=partner.id).order_by("id").values_list(
        "id", "version", "status", "placement_status", "partner_id", "updated_at",
        "covered_until", "employer_name", "full_name", "nik_digest", "passport_digest",
        "contract_end", "heirs", "phone")
    ids = [w[0] for w in workers]
    accounts_ = await Account.filter(partner_id=partner.id).order_by("id").values_list(
        "id", "active", "password_hash", "email", "role")
    return {
        "workers": workers,
        "events": await WorkerEvent.filter(worker_id__in=ids).count(),
        "events of the partner": await WorkerEvent.filter(partner_id=partner.id).count(),
        "contributions": await Contribution.filter(worker_id__in=ids).count(),
        "coverages": await Coverage.filter(worker_id__in=ids).count(),
        "counters": await PartnerWorkerCount.filter(partner_id=partner.id).order_by(
            "id").values_list("id", "n"),
        "api keys": await ApiKey.filter(partner_id=partner.id).order_by("id").values_list(
            "id", "revoked_at", "secret_digest", "previous_secret_digest", "expires_at",
            "connections_reset_at", "role", "scopes"),
        "accounts": accounts_,
        "sessions": await Session.filter(account_id__in=[a[0] for a in accounts_]).order_by(
            "id").values_list("id", "revoked_at", "expires_at"),
        "webhook endpoints": await WebhookEndpoint.filter(partner_id=partner.id).order_by(
            "id").values_list("id", "url", "active", "secret_sealed", "previous_secret_sealed",
                              "filter_worker_id", "cursor"),
        "webhook deliveries": await WebhookDelivery.filter(partner_id=partner.id).order_by(
            "id").values_list("id", "status", "attempts", "next_attempt_at", "endpoint_id"),
        "partners": await Partner.all().order_by("id").values_list(
            "id", "code", "name", "kind", "country"),
    }


def diff(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [f"{k}: {before[k]!r} -> {after[k]!r}" for k in before if before[k] != after[k]]
