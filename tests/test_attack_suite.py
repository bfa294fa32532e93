"""The attack suite: no partner ever reaches another partner's workers, by any path.

How it works
------------
The schema is read by introspection (tests/attack/walk.py), so every root field of Query,
Mutation and Subscription and every type implementing Node is attacked, including ones
added after this file was written. For each root field an operation is generated: its
arguments are filled from their types and aimed at partner A's objects (A's global ids of
the right type, A's NIK, the current version of A's worker), and its selection set is
generated recursively to a bounded depth, always keeping the identifying fields (id, nik,
fullName, passportNumber, workerId, partner { code }, …).

Each operation is sent with every attacking credential: B's keys of every role and B's
session, A's own keys whose role or scopes forbid it, an expired key, a revoked key, a
signed-out session and no credentials. A response must hold none of A's markers (global
ids of A's workers, events, contributions, keys, accounts, sessions, audit entries,
webhook endpoints and deliveries; NIKs in full or masked; names, passport, family-card and
phone numbers, employers; A's partner code), a mutation must leave A's rows exactly as
they were (tests/attack/world.py: snapshot), and invalid credentials get HTTP 401 before
anything executes.

``PROBES`` below says how each root field is probed; the coverage guard fails when the
schema has a root field or Node type the registry does not know. Every probe has a
control: A's rightful credential sends the very same operation and must see A's data
(queries) or succeed and change A's snapshot (mutations), so no probe can pass by being
unable to reach anything.

Three worlds, one database each, built once per test class: ``TestReads`` (queries, node
lookups, existence oracles, aggregates, the HTTP edge), ``TestWrites`` (mutations, with a
fresh target per probe and a snapshot around every attempt) and ``TestLive`` (a real
``portal serve`` on 127.0.0.1: subscriptions and queries over graphql-transport-ws).
Logs are captured at DEBUG in every test and searched for every secret used.
"""

from __future__ import annotations

import base64
import copy
import json
import logging
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from graphql import get_introspection_query
from tortoise.expressions import Q

from models import accounts, identifiers
from models.access import Account, ApiKey, AuditEntry, Session
from models.clock import now, today_jakarta
from models.contributions import Contribution
from models.db import close_database, open_database
from models.enums import MembershipStatus, Role, Scope
from models.events import WorkerEvent
from models.partners import Partner
from models.webhook_endpoints import new_secret, seal_secret
from models.webhooks import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from models.workers import NIK, Worker
from schema.events.types import event_cursor
from schema.ids import encode
from schema.root import schema as root_schema
from tests import factories as f
from tests import pg
from tests.attack import leaks, walk
from tests.attack import ws as wsc
from tests.attack.probes import (
    UNREGISTERED,
    Aim,
    Probe,
    expected_answer,
    id_type_of,
    pk_of,
)
from tests.attack.probes import build as build_operation
from tests.attack.world import (
    A_CODE,
    PUBLIC_URL,
    Credential,
    Markers,
    World,
    build_world,
    diff,
    markers,
    snapshot,
    unique,
)
from tests.conftest import BACKEND, settings_for
from tests.server import running_server

INTROSPECTION = walk.introspect(root_schema._schema)
SCHEMA = walk.client_schema(INTROSPECTION)
ROOT = walk.root_fields(SCHEMA)
NODE_TYPES = walk.node_types(SCHEMA)


# --- the registry -------------------------------------------------------------------------


def _a_nik_input(aim: Aim) -> dict[str, Any]:
    """A valid registration carrying A's NIK (birth date and gender agree with it)."""
    from datetime import date

    w = aim.worker
    return f.worker_input(nik=w["nik"], born=date.fromisoformat(w["birthDate"]),
                          gender=w["gender"], fullName="Attacker Copy")


PROBES: dict[tuple[str, str], Probe] = {
    # Queries: every attacker must see nothing of A; the control (A) must see A's data.
    ("query", "workers"): Probe(),
    ("query", "worker"): Probe(id_type="Worker"),
    ("query", "expiringCoverage"): Probe(),
    ("query", "workerByNik"): Probe(how="A's NIK", args={"nik": lambda aim: aim.worker["nik"]}),
    ("query", "workerStats"): Probe(how="generic + expected counts", control=None),
    ("query", "apiKeys"): Probe(),
    ("query", "accounts"): Probe(),
    ("query", "mySessions"): Probe(control="A:session"),
    ("query", "auditLog"): Probe(how="generic + expected rows"),
    ("query", "events"): Probe(how="generic + expected rows"),
    ("query", "node"): Probe(id_type="Worker", how="generic + every Node type"),
    ("query", "nodes"): Probe(how="every A id of every Node type"),
    ("query", "viewer"): Probe(),
    ("query", "partners"): Probe(how="generic + expected rows"),
    ("query", "webhookEndpoints"): Probe(),
    ("query", "webhookDeliveries"): Probe(how="A's endpoint id"),
    ("query", "webhookDeadLetters"): Probe(),
    # Subscriptions: over HTTP in TestReads, over graphql-transport-ws in TestLive.
    ("subscription", "workerEvents"): Probe(how="HTTP + WebSocket", control=None),
    ("subscription", "workerStatusChanged"): Probe(how="HTTP + WebSocket", control=None),
    # Mutations of A's workers.
    ("mutation", "registerWorker"): Probe(
        how="A's NIK", needs="writer", ok="DuplicateNikError", target="none",
        args={"input": _a_nik_input},
        control="A:officer", control_args={"input": lambda aim: f.worker_input()}),
    ("mutation", "importWorkers"): Probe(
        how="a row with A's NIK", needs="writer", ok="ImportWorkersSuccess", target="none",
        args={"rows": lambda aim: [_a_nik_input(aim)], "mode": "BEST_EFFORT"},
        control="A:officer", control_args={"rows": lambda aim: [f.worker_input()]}),
    ("mutation", "changeWorkerStatus"): Probe(
        id_type="Worker", needs="writer", args={"placementStatus": "DEPARTED"},
        control="A:officer"),
    ("mutation", "updateWorker"): Probe(id_type="Worker", needs="writer", control="A:officer"),
    ("mutation", "addHeir"): Probe(id_type="Worker", needs="writer", control="A:officer"),
    ("mutation", "removeHeir"): Probe(id_type="Worker", needs="writer", control="A:officer"),
    ("mutation", "recordContribution"): Probe(needs="writer", control="A:officer"),
    ("mutation", "extendContract"): Probe(id_type="Worker", needs="writer",
                                          target="departed", control="A:officer"),
    ("mutation", "correctIdentity"): Probe(id_type="Worker", needs="operator",
                                           control="OP:operator"),
    ("mutation", "transferWorker"): Probe(
        how="move A's worker to the attacker's partner", id_type="Worker", needs="operator",
        args={"toPartner": lambda aim: aim.ids["attacker partner"]}, control="OP:operator"),
    # Access management.
    ("mutation", "createApiKey"): Probe(
        how="an admin key for A's partner", needs="admin", target="none",
        args={"role": "PARTNER_ADMIN", "scopes": ["READ", "WRITE"]}),
    ("mutation", "revokeApiKey"): Probe(id_type="ApiKey", needs="admin", target="key"),
    ("mutation", "rotateApiKey"): Probe(id_type="ApiKey", needs="admin", target="key"),
    ("mutation", "disconnectApiKey"): Probe(id_type="ApiKey", needs="admin", target="key"),
    ("mutation", "inviteAccount"): Probe(
        how="invite oneself into A's partner", needs="admin", target="none",
        args={"role": "PARTNER_ADMIN",
              "email": lambda aim: unique("attacker") + "@example.org"}),
    ("mutation", "deactivateAccount"): Probe(id_type="Account", needs="admin",
                                             target="account"),
    ("mutation", "revokeSession"): Probe(id_type="Session", needs="session", target="session",
                                         control="A:session"),
    ("mutation", "createPartner"): Probe(needs="operator", ok="CreatePartnerSuccess",
                                         target="none", control="OP:operator"),
    # Webhooks.
    ("mutation", "createWebhookEndpoint"): Probe(
        how="an endpoint filtered on A's worker", needs="webhooks", ok="ValidationError",
        target="none"),
    ("mutation", "rotateWebhookSecret"): Probe(id_type="WebhookEndpoint", needs="webhooks",
                                               target="endpoint"),
    ("mutation", "setWebhookEndpointActive"): Probe(
        id_type="WebhookEndpoint", needs="webhooks", target="endpoint"),
    ("mutation", "deleteWebhookEndpoint"): Probe(id_type="WebhookEndpoint", needs="webhooks",
                                                 target="endpoint"),
    ("mutation", "redeliverWebhook"): Probe(needs="webhooks", target="delivery"),
}

# Example values of input types; any other input is built from its type.
INPUTS: dict[str, Callable[[Aim], Any]] = {
    "RegisterWorkerInput": lambda aim: f.worker_input(),
    "UpdateWorkerInput": lambda aim: {"employerName": "Attacker Holdings Limited"},
    "HeirInput": lambda aim: {"fullName": "Attacker Heir", "relation": "SIBLING"},
    "RecordContributionInput": lambda aim: {
        "workerId": aim.ids["Worker"], "kind": "PRE_PLACEMENT", "amount": 37_500,
        "paidOn": today_jakarta().isoformat()},
    "CorrectIdentityInput": lambda aim: {"fullName": "Attacker Corrected Name"},
    "CreatePartnerInput": lambda aim: {"code": unique("attacker-agency-"),
                                       "name": "Attacker Agency", "kind": "AGENCY",
                                       "country": "MY"},
    "WebhookEndpointInput": lambda aim: {"url": PUBLIC_URL.format("attacker-hook"),
                                         "filter": {"workerId": aim.ids["Worker"]}},
}

# Who attacks. Reads: B in every role and by session, A's key without READ, and the
# credentials that must not get in at all. Writes: the same B, plus A's viewer and A's
# read-only admin (role and scope must refuse even on A's own data).
INVALID = ["A:expired-key", "A:revoked-key", "A:signed-out-session", "none"]
B_ALL = ["B:admin", "B:officer", "B:viewer", "B:session"]
READ_ATTACKERS = [*B_ALL, "A:officer[WRITE]", *INVALID]
WRITE_ATTACKERS = [*B_ALL, "A:viewer", "A:admin[READ]", *INVALID]


def probe_for(kind: str, name: str) -> Probe:
    return PROBES.get((kind, name), UNREGISTERED)


def build(kind: str, name: str, aim: Aim, args: dict[str, Any] | None = None,
          probe: Probe | None = None) -> walk.Operation:
    op = build_operation(SCHEMA, kind, name, probe or probe_for(kind, name), aim, INPUTS, args)
    # Ids the caller sends anywhere in its variables (inputs included) are its own input.
    sent = json.dumps(op.variables)
    op.sent_ids = sorted({*op.sent_ids, *(v for v in aim.ids.values() if v in sent)})
    return op


# --- A's objects, by node type ------------------------------------------------------------


async def _first(model: Any, **filters: Any) -> int:
    row = await model.filter(**filters).order_by("-id").first()
    assert row is not None, f"the world has no {model.__name__} with {filters}"
    return int(row.id)


async def _a_session(world: World) -> int:
    account = world.a.admin_account
    assert account is not None
    return await _first(Session, account_id=account.id, revoked_at=None)


async def _a_partner(world: World) -> int:
    return world.a.row.id


# How to find one of A's objects of each Node type; the coverage guard requires every
# Node type of the schema to be here.
NODE_SOURCES: dict[str, Callable[[World], Any]] = {
    "Worker": lambda w: _first(Worker, partner_id=w.a.row.id),
    "Partner": _a_partner,
    "WorkerEvent": lambda w: _first(WorkerEvent, partner_id=w.a.row.id),
    "Contribution": lambda w: _first(Contribution, worker__partner_id=w.a.row.id),
    "ApiKey": lambda w: _first(ApiKey, partner_id=w.a.row.id),
    "Account": lambda w: _first(Account, partner_id=w.a.row.id),
    "Session": _a_session,
    "AuditEntry": lambda w: _first(AuditEntry, subject_partner_id=w.a.row.id),
    "WebhookEndpoint": lambda w: _first(WebhookEndpoint, partner_id=w.a.row.id),
    "WebhookDelivery": lambda w: _first(WebhookDelivery, partner_id=w.a.row.id),
}
# Whose credential can see each type of A's object (the node controls).
NODE_OWNERS = {"Session": "A:session"}


async def a_ids(world: World, cred: Credential) -> dict[str, str]:
    out = {t: encode(t, await source(world)) for t, source in NODE_SOURCES.items()
           if t in NODE_TYPES}
    rich = world.a.workers[2]  # paid, departed, extended, updated: the most to leak
    out["Worker"] = rich["id"]
    out["Contribution"] = encode("Contribution", await _first(
        Contribution, worker_id=pk_of(rich["id"])))
    owner = cred.owner if cred.owner in ("A", "B") else "B"
    out["attacker partner"] = encode("Partner", world.partners[owner].row.id)
    return out


async def worker_state(global_id: str) -> dict[str, Any]:
    row = await Worker.get(id=pk_of(global_id))
    return {"id": global_id, "nik": row.identifier(NIK), "version": row.version,
            "birthDate": row.birth_date.isoformat(), "gender": row.gender.value}


async def read_aim(world: World, cred: Credential) -> Aim:
    ids = await a_ids(world, cred)
    return Aim(world, cred, ids, await worker_state(ids["Worker"]))


# --- worlds and fixtures ------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _logs_hold_no_secrets(request: pytest.FixtureRequest,
                          caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Every test runs with logs captured at DEBUG (the service's loggers included);
    afterwards no key secret, session token, password, NIK, passport or family-card
    number used by the world may appear in them."""
    caplog.set_level(logging.DEBUG)
    for name in ("portal", "schema", "models", "strawberry", "uvicorn"):
        caplog.set_level(logging.DEBUG, logger=name)
    yield
    world = request.node.funcargs.get("world")
    if isinstance(world, World):
        found = leaks.secrets_in(caplog.text, world.never_logged)
        assert not found, f"secrets in the logs of {request.node.name}: {found}"


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture(scope="class")
def attack_database(request: pytest.FixtureRequest,
                    tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh migrated database for one test class (sync: the templates use asyncio.run)."""
    if BACKEND == "postgres":
        template = request.getfixturevalue("postgres_template")
        name = f"pp_atk_{uuid.uuid4().hex[:10]}"
        pg.create_database(name, template=template)
        yield pg.url(name)
        pg.drop_database(name)
        return
    template = request.getfixturevalue("sqlite_template")
    # In memory-backed /dev/shm when there is one: thousands of commits, no fsync cost.
    shm = Path("/dev/shm")
    folder = (Path(tempfile.mkdtemp(prefix="attack-", dir=shm)) if shm.is_dir()
              else tmp_path_factory.mktemp("attack"))
    path = folder / "portal.sqlite3"
    shutil.copy(template, path)
    yield f"sqlite://{path}"
    if folder.parent == shm:
        shutil.rmtree(folder, ignore_errors=True)


@pytest_asyncio.fixture(scope="class", loop_scope="module")
async def world(attack_database: str) -> AsyncIterator[World]:
    """A and B with their data, on a database of their own (one per test class). Rate
    limits are off: thousands of probes from one address are the point here."""
    from portal.app import create_app

    url = attack_database
    settings = settings_for(url, rate_limit_per_key=0, rate_limit_per_address=0)
    identifiers.configure(settings.vault())
    await open_database(url)
    root, service = logging.getLogger(), logging.getLogger("portal")
    collect, levels = _Collect(), (root.level, service.level)
    try:
        app = create_app(settings)
        root.addHandler(collect)
        root.setLevel(logging.DEBUG)
        service.setLevel(logging.DEBUG)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://portal.test",
                                     timeout=30) as http:
            built = await build_world(http)
            built.setup_log, built.database_url = collect.lines, url
            root.removeHandler(collect)
            root.setLevel(levels[0])
            service.setLevel(levels[1])
            yield built
    finally:
        root.removeHandler(collect)
        await close_database()


@pytest.fixture
def executions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every operation the schema executes during the test (to prove 'never executed')."""
    seen: list[str] = []
    real = root_schema.execute

    async def spy(query: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(str(query)[:60])
        return await real(query, *args, **kwargs)

    monkeypatch.setattr(root_schema, "execute", spy)
    return seen


# --- shared assertions --------------------------------------------------------------------


def assert_refused_at_the_edge(response: httpx.Response, cred: Credential,
                               executions: list[str]) -> None:
    assert response.status_code == 401, (cred.name, response.status_code, response.text)
    assert response.headers.get("www-authenticate", "").startswith("Bearer")
    body = response.json()
    assert "data" not in body, body
    error = body["errors"][0]
    assert len(error["message"]) > 15, error
    assert error["extensions"]["code"] == "UNAUTHENTICATED", error
    if cred.token:
        assert cred.token not in response.text
    assert executions == [], f"{cred.name}: the operation executed before authentication"


def assert_no_internal_errors(response: httpx.Response, what: str = "") -> None:
    assert response.status_code < 500, f"{what}: HTTP {response.status_code} {response.text}"
    try:
        body = response.json()
    except ValueError:
        return
    for error in (body.get("errors") or []) if isinstance(body, dict) else []:
        code = (error.get("extensions") or {}).get("code")
        assert code != "INTERNAL_SERVER_ERROR", f"{what}: unexpected error {error}"


def assert_no_leaks(raw: str, m: Markers, world: World, sent: list[str], what: str) -> None:
    found = leaks.find(raw, m, sent=sent)
    assert not found, f"{what} leaked A's data: {found}\n{raw[:3000]}"
    secrets = leaks.secrets_in(raw, world.secrets)
    assert not secrets, f"{what} carried secrets: {secrets}"


async def markers_for(world: World, cred: Credential, **kwargs: Any) -> Markers:
    """A's own credentials with too little role or scope must not see A's workers; they
    may of course see their own partner, key and account."""
    viewer = world.partners[cred.owner].row.id if cred.owner in ("A", "B") else None
    return await markers(world.a.row, tenant=cred.owner != "A", viewer_partner=viewer,
                         **kwargs)


def normalized(response: httpx.Response, value: str) -> tuple[int, str]:
    """Status and body with the id that was sent replaced: what must not differ."""
    return response.status_code, response.text.replace(json.dumps(value)[1:-1], "<ID>")


MISSING_PK = 2_000_000_000
EXISTENCE = ("foreign (A's)", "missing")


def id_variants(type_name: str, foreign: str) -> dict[str, str]:
    """A's id and ids that point at nothing; node lookups and mutations must answer all
    of them with the same bytes, other queries at least A's and the missing one."""
    return {
        "foreign (A's)": foreign,
        "missing": encode(type_name, MISSING_PK),
        "malformed": "not-an-id",
        "malformed base64": base64.urlsafe_b64encode(b"Worker:12x").decode().rstrip("="),
        "unknown type": encode("Bogus", pk_of(foreign)),
        "missing, of another type": encode(
            "Partner" if type_name != "Partner" else "Worker", MISSING_PK),
    }


def differing(answers: dict[str, tuple[int, str]]) -> str:
    return json.dumps({k: f"{v[0]} {v[1][:500]}" for k, v in answers.items()}, indent=1)


QUERY_LIKE = [(k, n) for k in ("query", "subscription") for n in ROOT[k]]
MUTATIONS = list(ROOT["mutation"])


def _label(value: Any) -> str:
    if isinstance(value, tuple):
        return ".".join(_label(v) for v in value)
    return str(value)


# --- the coverage guard -------------------------------------------------------------------


def test_every_root_field_and_node_type_has_a_probe() -> None:
    problems: list[str] = []
    for kind, fields in ROOT.items():
        for name in fields:
            if (kind, name) not in PROBES:
                problems.append(f"{kind} field {name} has no probe: add it to PROBES in "
                                "tests/test_attack_suite.py")
    for kind, name in PROBES:
        if name not in ROOT.get(kind, {}):
            problems.append(f"PROBES has {kind} field {name}, which the schema no longer "
                            "has: remove it from PROBES in tests/test_attack_suite.py")
    for t in NODE_TYPES:
        if t not in NODE_SOURCES:
            problems.append(f"Node type {t} has no probe: add how to find one of A's to "
                            "NODE_SOURCES in tests/test_attack_suite.py")
    for kind, fields in ROOT.items():
        for name in fields:
            probe = probe_for(kind, name)
            for path in walk.id_paths(SCHEMA, kind, name):
                if path[0] in probe.args:
                    continue
                if path == ("id",) and not probe.id_type:
                    problems.append(f"{kind} field {name}: say which node type its `id` "
                                    "takes: PROBES[...].id_type in tests/test_attack_suite.py")
                elif path != ("id",) and id_type_of(probe, path) is None:
                    problems.append(f"{kind} field {name}: {'.'.join(path)} takes an ID of "
                                    "unknown type: add its name to ID_ARGUMENT_TYPES in "
                                    "tests/attack/walk.py")
    assert not problems, "\n".join(problems)


# --- reads --------------------------------------------------------------------------------


@pytest.mark.asyncio(loop_scope="module")
class TestReads:
    async def test_the_served_schema_is_the_one_walked(self, world: World) -> None:
        response = await world.post(world.creds["B:session"],
                                    get_introspection_query(descriptions=False))
        assert response.status_code == 200, response.text
        served = walk.client_schema(response.json()["data"])
        for kind, fields in walk.root_fields(served).items():
            assert list(fields) == list(ROOT[kind])
        assert walk.node_types(served) == NODE_TYPES

    async def test_the_execution_spy_sees_what_runs(self, world: World,
                                                    executions: list[str]) -> None:
        """The control of every 'never executed' assertion: a valid request is seen."""
        await world.run("B:viewer", "{ viewer { role } }")
        assert executions, "the spy on schema.execute saw nothing: it watches the wrong thing"

    async def test_building_the_world_logged_no_secret(self, world: World) -> None:
        assert world.setup_log, "the setup log was not captured"
        found = leaks.secrets_in("\n".join(world.setup_log), world.never_logged)
        assert not found, found

    @pytest.mark.parametrize("cred_name", READ_ATTACKERS)
    @pytest.mark.parametrize(("kind", "name"), QUERY_LIKE, ids=_label)
    async def test_query_probe_leaks_nothing(self, world: World, kind: str, name: str,
                                            cred_name: str, executions: list[str]) -> None:
        cred = world.creds[cred_name]
        aim = await read_aim(world, cred)
        op = build(kind, name, aim)
        executions.clear()
        response = await world.post(cred, op.document, op.variables)
        if not cred.valid:
            assert_refused_at_the_edge(response, cred, executions)
            return
        assert_no_internal_errors(response, f"{name} as {cred_name}")
        assert_no_leaks(response.text, await markers_for(world, cred), world, op.sent_ids,
                        f"{kind} {name} as {cred.name}")

    @pytest.mark.parametrize(("kind", "name"), [p for p in QUERY_LIKE if probe_for(*p).control],
                             ids=_label)
    async def test_query_probe_reaches_a_data_for_a_itself(self, world: World, kind: str,
                                                          name: str) -> None:
        """The control: the same operation sent by A shows A's data."""
        probe = probe_for(kind, name)
        assert probe.control is not None
        cred = world.creds[probe.control]
        aim = await read_aim(world, cred)
        op = build(kind, name, aim)
        response = await world.post(cred, op.document, op.variables)
        assert response.status_code == 200, response.text
        assert "errors" not in response.json(), response.text
        found = leaks.find(response.text, await markers(world.a.row), sent=op.sent_ids)
        assert found, f"{kind} {name} as {cred.name} shows none of A's data: {response.text}"

    @pytest.mark.parametrize("type_name", NODE_TYPES)
    async def test_node_resolves_each_type_for_its_owner(self, world: World,
                                                        type_name: str) -> None:
        """The control of the node probes: A reads its own object of every Node type."""
        cred = world.creds[NODE_OWNERS.get(type_name, "A:admin")]
        aim = await read_aim(world, cred)
        gid = aim.ids[type_name]
        data = await world.run(cred, "query($id: ID!) { node(id: $id) { __typename id } }",
                               {"id": gid})
        assert data["node"] == {"__typename": type_name, "id": gid}, (
            f"node() does not resolve A's own {type_name} for {cred.name}")

    @pytest.mark.parametrize("cred_name", ["A:viewer", "A:officer", "A:admin[READ]"])
    @pytest.mark.parametrize("type_name", ["ApiKey", "Account", "AuditEntry",
                                           "WebhookEndpoint", "WebhookDelivery"])
    async def test_node_is_no_way_around_admin_only_lists(
            self, world: World, type_name: str, cred_name: str) -> None:
        """Keys, accounts, the audit log and webhooks are listed for partner admins only
        (apiKeys, accounts, auditLog, webhookEndpoints refuse anyone else); fetching one
        of them by id must not give a lesser role or scope what the list refuses."""
        if type_name not in NODE_TYPES:
            pytest.skip(f"{type_name} is not a Node type")
        cred = world.creds[cred_name]
        aim = await read_aim(world, cred)
        data = await world.run(cred, "query($id: ID!) { node(id: $id) { __typename id } }",
                               {"id": aim.ids[type_name]})
        assert data["node"] is None, (
            f"{cred_name} reads A's {type_name} through node(), which the list refuses it")

    @pytest.mark.parametrize("cred_name", [*B_ALL, "A:officer[WRITE]"])
    @pytest.mark.parametrize("type_name", NODE_TYPES)
    async def test_node_of_another_partner_is_null_like_a_missing_one(
            self, world: World, type_name: str, cred_name: str) -> None:
        cred = world.creds[cred_name]
        aim = await read_aim(world, cred)
        if cred.owner == "A" and type_name in ("Partner", "ApiKey"):
            pytest.skip("A's own partner and keys are not foreign to A's key")
        m = await markers_for(world, cred)
        # Shallow: the answer must be null anyway (the generic probe of `node` goes deep).
        selection = walk.selection(SCHEMA.get_type("Node"), 1, 3, 2)
        query = f"query($id: ID!) {{ node(id: $id) {selection} }}"
        variants = id_variants(type_name, aim.ids[type_name])
        answers: dict[str, tuple[int, str]] = {}
        for label, gid in variants.items():
            response = await world.post(cred, query, {"id": gid})
            assert_no_internal_errors(response, f"node {label}")
            assert_no_leaks(response.text, m, world, [gid], f"node({label}) as {cred.name}")
            assert response.json()["data"]["node"] is None, (label, response.text)
            answers[label] = normalized(response, gid)
        assert len(set(answers.values())) == 1, (
            f"node: an existence oracle for {type_name} ids ({cred.name}): "
            + differing(answers))
        # nodes: all variants in one list, every one of them null.
        response = await world.post(
            cred, f"query($ids: [ID!]!) {{ nodes(ids: $ids) {selection} }}",
            {"ids": list(variants.values())})
        assert_no_internal_errors(response, "nodes")
        assert_no_leaks(response.text, m, world, list(variants.values()),
                        f"nodes as {cred.name}")
        assert response.json()["data"]["nodes"] == [None] * len(variants), response.text

    @pytest.mark.parametrize("cred_name", [*B_ALL, "A:officer[WRITE]"])
    @pytest.mark.parametrize(
        ("name", "path"),
        [(n, p) for n in ROOT["query"] if n not in ("node", "nodes")
         for p in walk.id_paths(SCHEMA, "query", n)] + [("workerByNik", ("nik",))],
        ids=_label)
    async def test_query_id_arguments_are_no_existence_oracle(
            self, world: World, name: str, path: tuple[str, ...], cred_name: str) -> None:
        cred = world.creds[cred_name]
        aim = await read_aim(world, cred)
        probe = probe_for("query", name)
        if path == ("nik",):
            from datetime import date

            born = date.fromisoformat(aim.worker["birthDate"])
            variants = {"foreign (A's)": aim.worker["nik"],
                        "missing": f.nik_for(born, aim.worker["gender"])}
        else:
            type_name = id_type_of(probe, path)
            assert type_name is not None
            variants = id_variants(type_name, aim.ids[type_name])
        op = build("query", name, aim, {path[0]: {}} if len(path) > 1 else None)
        answers = {}
        for label, value in variants.items():
            variables = copy.deepcopy(op.variables)
            walk.set_path(variables, path, value)
            response = await world.post(cred, op.document, variables)
            assert_no_internal_errors(response, f"{name} {label}")
            assert_no_leaks(response.text, await markers_for(world, cred), world, [value],
                            f"{name}({label}) as {cred_name}")
            answers[label] = normalized(response, value)
        same = {answers[k] for k in EXISTENCE}
        assert len(same) == 1, (f"{name}({_label(path)}) tells A's id from a missing one "
                                f"({cred_name}): " + differing(answers))

    @pytest.mark.parametrize("cred_name", [*B_ALL, "A:officer[WRITE]", "OP:operator",
                                           "A:admin"])
    async def test_aggregates_count_only_what_the_caller_may_see(
            self, world: World, cred_name: str) -> None:
        cred = world.creds[cred_name]
        owner = cred.owner or "B"
        partner_ids = ([p.id for p in await Partner.all()] if owner == "OP"
                       else [world.partners[owner].row.id])
        reads = cred.has(Scope.READ) or cred.has(Scope.SUBSCRIBE)
        owners = partner_ids if reads else []
        workers = Worker.filter(partner_id__in=owners)
        today = today_jakarta()
        a_worker = world.a.workers[0]
        expected = {
            "total": await workers.count(),
            "hk": await workers.filter(destination_country="HK").count(),
            "expiring": await workers.filter(
                status=MembershipStatus.ACTIVE, covered_until__gte=today,
                covered_until__lte=today + timedelta(days=366)).count(),
            "events": sorted(await WorkerEvent.filter(partner_id__in=owners).values_list(
                "id", flat=True))[:100],
        }
        a_visible = world.a.row.id in owners
        response = await world.post(cred, """query($name: String!, $nik: String!) {
          all: workerStats { total byDestinationCountry { key count } byStatus { count }
                             byPhase { count } byPlacementStatus { count }
                             byJobSector { count } }
          hk: workerStats(filter: {destinationCountry: "HK"}) { total }
          byName: workerStats(filter: {search: $name}) { total }
          list: workers(first: 1) { totalCount }
          listByNik: workers(filter: {search: $nik}) { totalCount }
          expiring: expiringCoverage(withinDays: 366) { totalCount }
          events(first: 100) { edges { node { id } } }
          partners(first: 100) { edges { node { id } } }
        }""", {"name": a_worker["fullName"], "nik": a_worker["nik"]})
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body
        data = body["data"]
        stats = data["all"]
        assert stats["total"] == expected["total"], (stats, expected)
        for by in ("byDestinationCountry", "byStatus", "byPhase", "byPlacementStatus",
                   "byJobSector"):
            assert sum(c["count"] for c in stats[by]) == expected["total"], (by, stats)
        assert data["hk"]["total"] == expected["hk"]
        assert data["byName"]["total"] == (1 if a_visible else 0)
        assert data["list"]["totalCount"] == expected["total"]
        assert data["listByNik"]["totalCount"] == (1 if a_visible else 0)
        assert data["expiring"]["totalCount"] == expected["expiring"]
        assert sorted(pk_of(e["node"]["id"]) for e in data["events"]["edges"]) == (
            expected["events"])
        assert sorted(pk_of(e["node"]["id"]) for e in data["partners"]["edges"]) == sorted(
            partner_ids)
        if owner == "B":
            assert_no_leaks(response.text, await markers_for(world, cred), world, [],
                            f"aggregates as {cred_name}")

    @pytest.mark.parametrize("cred_name", ["B:admin", "B:session", "OP:operator"])
    async def test_audit_log_keys_accounts_and_webhooks_hold_only_the_callers_rows(
            self, world: World, cred_name: str) -> None:
        cred = world.creds[cred_name]
        partner = world.partners[cred.owner or "B"].row
        if cred.owner == "OP":
            entries, keys, people = AuditEntry.all(), ApiKey.all(), Account.all()
        else:
            entries = AuditEntry.filter(Q(partner_id=partner.id)
                                        | Q(subject_partner_id=partner.id))
            keys = ApiKey.filter(partner_id=partner.id)
            people = Account.filter(partner_id=partner.id)
        expected = sorted(await entries.values_list("id", flat=True), reverse=True)[:100]
        a_worker = world.a.workers[2]["id"]
        response = await world.post(cred, """query($t: ID!) {
          auditLog(first: 100) { edges { node { id } } }
          aimed: auditLog(first: 100, filter: {targetId: $t}) { edges { node { id } } }
          apiKeys { id } accounts { id } }""", {"t": a_worker})
        assert response.status_code == 200, response.text
        data = response.json()["data"]
        assert [pk_of(e["node"]["id"]) for e in data["auditLog"]["edges"]] == expected
        aimed = [pk_of(e["node"]["id"]) for e in data["aimed"]["edges"]]
        assert sorted(pk_of(k["id"]) for k in data["apiKeys"]) == sorted(
            await keys.values_list("id", flat=True))
        assert sorted(pk_of(a["id"]) for a in data["accounts"]) == sorted(
            await people.values_list("id", flat=True))
        if cred.owner == "OP":
            assert aimed, "the control: the operator sees the audit entries of A's worker"
            return
        assert aimed == [], "filtering the audit log by A's worker found entries"
        assert_no_leaks(response.text, await markers_for(world, cred), world, [a_worker],
                        f"audit log as {cred_name}")
        hooks = await world.post(cred, """{ webhookEndpoints { id }
          webhookDeliveries(first: 100) { edges { node { id } } }
          webhookDeadLetters(first: 100) { edges { node { id } } } }""")
        data = hooks.json()["data"]
        assert sorted(pk_of(e["id"]) for e in data["webhookEndpoints"]) == sorted(
            await WebhookEndpoint.filter(partner_id=partner.id).values_list("id", flat=True))
        deliveries = WebhookDelivery.filter(partner_id=partner.id)
        assert sorted(pk_of(e["node"]["id"]) for e in data["webhookDeliveries"]["edges"]) == (
            sorted(await deliveries.values_list("id", flat=True))[-100:])
        assert [pk_of(e["node"]["id"]) for e in data["webhookDeadLetters"]["edges"]] == (
            await deliveries.filter(status=DeliveryStatus.FAILED).order_by(
                "-id").values_list("id", flat=True))

    # --- the HTTP edge (extends tests/test_http_edge.py and tests/test_access.py) ---------

    @staticmethod
    def _edge_cases(world: World) -> dict[str, tuple[dict[str, str], str]]:
        b = world.creds["B:admin"].token or ""
        session = world.creds["A:session"].token or ""
        signed_out = world.creds["A:signed-out-session"].token or ""
        expired = world.creds["A:expired-key"].token or ""
        flipped = session[:-1] + ("A" if session[-1] != "A" else "B")
        return {
            "16 KB bearer": ({"authorization": "Bearer " + "A" * 16_384}, "too long"),
            "valid key padded to 16 KB": ({"authorization": f"Bearer {b}" + " x" * 8_192},
                                          "too long"),
            "16 KB cookie": ({"cookie": "portal_session=pps_" + "x" * 16_384},
                             "Authentication required"),
            "Token scheme": ({"authorization": f"Token {b}"}, "Unsupported"),
            "Basic scheme": ({"authorization": "Basic YWRtaW5AaGs6YXR0YWNr"}, "Unsupported"),
            "Digest scheme": ({"authorization": 'Digest username="a", response="b"'},
                              "Unsupported"),
            "Bearer with a colon": ({"authorization": f"Bearer: {b}"}, "Unsupported"),
            "tab instead of space": ({"authorization": f"Bearer\t{b}"}, "Unsupported"),
            "bare key": ({"authorization": b}, "Unsupported"),
            "two keys": ({"authorization": f"Bearer {b} {b}"}, "Malformed"),
            "key with a changed character": (
                {"authorization": f"Bearer {b[:-1]}{'A' if b[-1] != 'A' else 'B'}"},
                "not known"),
            "key one character longer": ({"authorization": f"Bearer {b}x"}, "malformed"),
            "non-ASCII key": ({"authorization": "Bearer ppk_" + "é" * 40}, "malformed"),
            "lower-case scheme, expired key": ({"authorization": f"bearer {expired}"},
                                               "expired"),
            "tampered session": ({"cookie": f"portal_session={flipped}"}, "unknown"),
            "session one character longer": ({"cookie": f"portal_session={session}x"},
                                             "unknown"),
            "truncated session": ({"cookie": f"portal_session={session[:20]}"}, "unknown"),
            "signed-out session": ({"cookie": f"portal_session={signed_out}"}, "signed out"),
            "tampered session before a valid one": (
                {"cookie": f"portal_session={flipped}; portal_session={session}"}, "unknown"),
            "empty session cookie": ({"cookie": "portal_session="}, "Authentication required"),
            "key as session cookie": ({"cookie": f"portal_session={b}"}, "malformed"),
            "expired key beats a valid session": (
                {"authorization": f"Bearer {expired}",
                 "cookie": f"portal_session={session}"}, "expired"),
        }

    @pytest.mark.parametrize("endpoint", ["/graphql", "/graphql/stream",
                                          "/export/workers.csv", "/import/workers.csv",
                                          "/auth/session"])
    async def test_bad_credentials_are_a_clear_401_on_every_endpoint(
            self, world: World, endpoint: str, executions: list[str]) -> None:
        failures = []
        m = await markers(world.a.row)
        for label, (headers, fragment) in self._edge_cases(world).items():
            world.http.cookies.clear()
            # The CSRF header lets cookie cases reach the session check on every endpoint.
            raw = {k: v.encode("utf-8") for k, v in headers.items()}
            raw["x-portal-csrf"] = b"1"
            body = json.dumps({"query": "{ workers { edges { node { id nik } } } }"}).encode()
            if endpoint == "/graphql/stream":
                raw["accept"] = b"text/event-stream"
            if endpoint == "/import/workers.csv":
                raw["content-type"], body = b"text/csv", b"nik\n3174054505900003\n"
            else:
                raw["content-type"] = b"application/json"
            method = "GET" if endpoint in ("/export/workers.csv", "/auth/session") else "POST"
            r = await world.http.request(method, endpoint, headers=raw,
                                         content=body if method == "POST" else None)
            tokens = [v.split()[-1] for v in headers.values() if len(v.split()[-1]) > 20]
            if r.status_code != 401:
                failures.append(f"{label}: HTTP {r.status_code} {r.text[:200]}")
            elif fragment.lower() not in r.text.lower():
                failures.append(f"{label}: the message lacks {fragment!r}: {r.text[:200]}")
            elif any(t in r.text for t in tokens):
                failures.append(f"{label}: the credential is echoed")
            assert_no_leaks(r.text, m, world, [], label)
        assert not failures, "\n".join(failures)
        assert executions == []

    async def test_an_oversized_unrelated_header_is_no_server_error(self, world: World) -> None:
        cred = world.creds["B:admin"]
        response = await world.http.post(
            "/graphql", json={"query": "{ viewer { role } }"},
            headers={**cred.headers(), "x-junk": "y" * 16_384})
        assert response.status_code == 200, response.text


# --- writes -------------------------------------------------------------------------------


async def make_target(world: World, probe: Probe) -> dict[str, str]:
    """Fresh A objects for one mutation probe, so no probe depends on another."""
    a = world.a.row
    if probe.target in ("worker", "departed"):
        w = await world.register("A", heirs=[{"fullName": "Heir Hongkongtarget",
                                              "relation": "SIBLING"}])
        if probe.target == "departed":
            await world.depart("A", w)
        return {"Worker": w["id"]}
    if probe.target == "key":
        await world.key("A", Role.PARTNER_VIEWER, frozenset({Scope.READ}),
                        name=unique(f"{A_CODE}-target-key-"))
        return {"ApiKey": encode("ApiKey", await _first(ApiKey, partner_id=a.id))}
    if probe.target == "account":
        invitation = await accounts.invite(None, a, unique("target") + "@hk.example",
                                           "Target Person", Role.PARTNER_OFFICER)
        world.secrets.add(invitation.token)
        return {"Account": encode("Account", invitation.account.id)}
    if probe.target == "session":
        account = world.a.admin_account
        assert account is not None
        opened = await accounts.open_session(account, "attack-suite", "127.0.0.1")
        world.secrets.add(opened.token)
        return {"Session": encode("Session", opened.session.id)}
    if probe.target in ("endpoint", "delivery"):
        # Made directly (a partner may hold 20 endpoints; earlier targets are dropped).
        await WebhookEndpoint.filter(partner_id=a.id, created_by="attack-suite").delete()
        endpoint = await WebhookEndpoint.create(
            partner_id=a.id, url=PUBLIC_URL.format(unique("hongkong-target-")),
            description="hongkong target endpoint", event_types=[],
            secret_sealed=seal_secret(new_secret()), cursor=0, created_at=now(),
            created_by="attack-suite")
        if probe.target == "endpoint":
            return {"WebhookEndpoint": encode("WebhookEndpoint", endpoint.id)}
        event = await _first(WorkerEvent, partner_id=a.id)
        delivery = await WebhookDelivery.create(
            endpoint_id=endpoint.id, partner_id=a.id, event_id=event,
            worker_id=await _first(Worker, partner_id=a.id),
            status=DeliveryStatus.SUCCEEDED, attempts=1, next_attempt_at=now(),
            delivered_at=now(), created_at=now())
        return {"WebhookDelivery": encode("WebhookDelivery", delivery.id)}
    return {}


async def write_aim(world: World, cred: Credential, probe: Probe) -> Aim:
    ids = {**await a_ids(world, cred), **await make_target(world, probe)}
    return Aim(world, cred, ids, await worker_state(ids["Worker"]))


def _big_id_cases() -> list[tuple[str, str, tuple[str, ...], str]]:
    cases = [("query", "node", ("id",), t) for t in NODE_TYPES]
    for kind in ("query", "mutation"):
        for name in ROOT[kind]:
            if name in ("node", "nodes"):
                continue
            probe = probe_for(kind, name)
            for path in walk.id_paths(SCHEMA, kind, name):
                type_name = id_type_of(probe, path)
                if type_name and not (path[0] in probe.args and len(path) == 1):
                    cases.append((kind, name, path, type_name))
    return cases



@pytest.mark.asyncio(loop_scope="module")
class TestWrites:
    @pytest.mark.parametrize("cred_name", WRITE_ATTACKERS)
    @pytest.mark.parametrize("name", MUTATIONS)
    async def test_mutation_probe_changes_nothing_of_a_and_leaks_nothing(
            self, world: World, name: str, cred_name: str, executions: list[str]) -> None:
        cred = world.creds[cred_name]
        probe = probe_for("mutation", name)
        # Refused at the edge: aimed at A's standing objects, no fresh target needed.
        aim = (await write_aim(world, cred, probe) if cred.valid
               else await read_aim(world, cred))
        op = build("mutation", name, aim)
        before = await snapshot(world.a.row)
        executions.clear()
        response = await world.post(cred, op.document, op.variables)
        after = await snapshot(world.a.row)
        assert before == after, f"{name} as {cred_name} changed A's data: {diff(before, after)}"
        if not cred.valid:
            assert_refused_at_the_edge(response, cred, executions)
            return
        assert_no_internal_errors(response, f"{name} as {cred_name}")
        body = response.json()
        assert "errors" not in body, body
        result = body["data"][name]
        assert result["__typename"] in expected_answer(cred, probe), (
            f"{name} as {cred_name}: {result}")
        if result["__typename"] == "ImportWorkersSuccess":
            assert (result["created"], result["failed"]) == (0, 1), result
        if result["__typename"] in ("DuplicateNikError", "ImportWorkersSuccess"):
            assert "elsewhere" in json.dumps(result), result
        assert_no_leaks(response.text, await markers_for(world, cred), world, op.sent_ids,
                        f"{name} as {cred_name}")

    @pytest.mark.parametrize("name", [n for n in MUTATIONS if probe_for("mutation", n).control])
    async def test_mutation_probe_succeeds_for_its_rightful_caller(
            self, world: World, name: str) -> None:
        """The control: the same operation on the same kind of target, sent by A (or the
        operator), succeeds and changes A's snapshot — so the attempts above were valid
        and the snapshot would have seen them succeed."""
        probe = probe_for("mutation", name)
        assert probe.control is not None
        cred = world.creds[probe.control]
        aim = await write_aim(world, cred, probe)
        op = build("mutation", name, aim, dict(probe.control_args))
        before = await snapshot(world.a.row)
        response = await world.post(cred, op.document, op.variables)
        assert response.status_code == 200, response.text
        result = response.json()["data"][name]
        for secret_field in ("secret", "invitationToken"):
            if isinstance(result.get(secret_field), str):
                world.secrets.add(result[secret_field])
        assert result["__typename"].endswith("Success"), f"{name} control: {result}"
        if name == "importWorkers":
            assert result["created"] == 1, result
        assert before != await snapshot(world.a.row), f"{name}: the snapshot missed it"

    @pytest.mark.parametrize("cred_name", [*B_ALL, "A:viewer"])
    @pytest.mark.parametrize(("name", "path"), [(n, p) for n in MUTATIONS
                                                for p in walk.id_paths(SCHEMA, "mutation", n)],
                             ids=_label)
    async def test_mutation_id_arguments_are_no_existence_oracle(
            self, world: World, name: str, path: tuple[str, ...], cred_name: str) -> None:
        cred = world.creds[cred_name]
        probe = probe_for("mutation", name)
        if path[0] in probe.args and len(path) == 1:
            pytest.skip(f"{name}.{path[0]} is the attacker's own object in this probe")
        aim = await write_aim(world, cred, probe)
        type_name = id_type_of(probe, path)
        assert type_name is not None
        op = build("mutation", name, aim)
        before = await snapshot(world.a.row)
        answers = {}
        for label, value in id_variants(type_name, aim.ids[type_name]).items():
            variables = copy.deepcopy(op.variables)
            walk.set_path(variables, path, value)
            response = await world.post(cred, op.document, variables)
            assert_no_internal_errors(response, f"{name} {label}")
            answers[label] = normalized(response, value)
        assert before == await snapshot(world.a.row), diff(before, await snapshot(world.a.row))
        assert len(set(answers.values())) == 1, (
            f"{name}({_label(path)}) answers differently as {cred_name}: "
            + differing(answers))

    async def test_a_worker_transferred_away_vanishes_for_its_old_owner(
            self, world: World) -> None:
        moved = await world.register("B", employerName="Singapuratransfer Employer")
        result = await world.run("OP:operator", """mutation($id: ID!, $to: ID!) {
            transferWorker(id: $id, toPartner: $to, reason: "Moved to Hong Kong") {
            __typename } }""", {"id": moved["id"], "to": encode("Partner", world.a.row.id)})
        assert result["transferWorker"]["__typename"] == "TransferWorkerSuccess"
        state = await worker_state(moved["id"])
        changed = await world.run("A:officer", """mutation($id: ID!, $v: Int!) {
            updateWorker(id: $id, version: $v, input: {employerName:
            "Hongkongzulu Newco Employer", phone: "+85298765432"}) { __typename } }""",
                                  {"id": moved["id"], "v": state["version"]})
        assert changed["updateWorker"]["__typename"] == "UpdateWorkerSuccess"
        # B knew the worker's id and identity; what A did with it since is A's alone.
        m = await markers(world.a.row, skip_workers=frozenset({pk_of(moved["id"])}),
                          viewer_partner=world.b.row.id)
        m.texts["Hongkongzulu Newco Employer"] = "A's change after the transfer"
        m.texts["+85298765432"] = "A's change after the transfer"
        # B's own TRANSFERRED_OUT no longer names the receiving partner. A's code may still
        # show as the *previous* owner of workers transferred from A to B: the new owner
        # receives the whole history by design. Nothing else of A may show.
        m.texts.pop(A_CODE)
        assert any(label.endswith("cursor") for label in m.ids.values())
        for cred_name in B_ALL:
            cred = world.creds[cred_name]
            answers = []
            for gid in (moved["id"], encode("Worker", MISSING_PK)):
                r = await world.post(cred, """query($id: ID!) { worker(id: $id) { id }
                    node(id: $id) { id } }""", {"id": gid})
                answers.append(normalized(r, gid))
            assert answers[0] == answers[1], answers
            r = await world.post(cred, """query($nik: String!) {
                workerByNik(nik: $nik) { id }
                events(first: 100) { edges { node { id type workerId changes
                  worker { id employerName phone } } } }
                workerStats { total } }""", {"nik": moved["nik"]})
            data = r.json()["data"]
            assert data["workerByNik"] is None
            mine = [e["node"]["type"] for e in data["events"]["edges"]
                    if e["node"]["workerId"] == moved["id"]]
            assert mine == ["REGISTERED", "TRANSFERRED_OUT"], mine
            out = [e["node"] for e in data["events"]["edges"]
                   if e["node"]["type"] == "TRANSFERRED_OUT"][-1]
            assert out["changes"] == {"partner": {"from": world.b.code, "to": None}}, out
            assert out["worker"] is None, out
            assert data["workerStats"]["total"] == await Worker.filter(
                partner_id=world.b.row.id).count()
            assert_no_leaks(r.text, m, world, [], f"after the transfer, as {cred_name}")
            before = await snapshot(world.a.row)
            r = await world.post(cred, """mutation($id: ID!, $v: Int!) { updateWorker(
                id: $id, version: $v, input: {employerName: "Taken Back"}) { __typename } }""",
                                 {"id": moved["id"], "v": state["version"] + 1})
            assert r.json()["data"]["updateWorker"]["__typename"] in (
                "NotFoundError", "NotAllowedError")
            assert before == await snapshot(world.a.row)

    # Global ids decode to any pk up to 18 digits; a pk beyond the column's range must
    # answer like any missing id, not with an internal error (PostgreSQL `integer` keys).
    @pytest.mark.parametrize(("kind", "name", "path", "type_name"), _big_id_cases(),
                             ids=_label)
    async def test_an_id_beyond_the_key_range_answers_like_a_missing_one(
            self, world: World, kind: str, name: str, path: tuple[str, ...],
            type_name: str) -> None:
        probe = probe_for(kind, name) if name != "node" else Probe(id_type=type_name)
        cred = world.creds[{"operator": "OP:operator", "session": "B:session"}.get(
            probe.needs, "B:admin")]
        aim = await write_aim(world, cred, Probe(target="none"))
        op = build(kind, name, aim, {path[0]: {}} if len(path) > 1 else None, probe=probe)
        answers = {}
        # (Not MISSING_PK: other tests' attempts on it are in B's own audit trail.)
        for label, pk in (("missing", 1_234_567_890), ("2^31", 2**31),
                          ("10^18 - 1", 10**18 - 1)):
            value = encode(type_name, pk)
            variables = copy.deepcopy(op.variables)
            walk.set_path(variables, path, value)
            response = await world.post(cred, op.document, variables)
            answers[label] = normalized(response, value)
        assert len(set(answers.values())) == 1, (
            f"{name}({_label(path)}) as {cred.name}: " + differing(answers))


# --- live: WebSocket against a real server ------------------------------------------------


@pytest.fixture(scope="class")
def server(world: World, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    log = tmp_path_factory.mktemp("server") / "server.log"
    env = {"PORTAL_LOG_LEVEL": "DEBUG", "PORTAL_RATE_LIMIT_PER_KEY": "0",
           "PORTAL_RATE_LIMIT_PER_ADDRESS": "0"}
    with running_server(world.database_url, log_path=log, extra_env=env) as base:
        yield base, log


class Live:
    """The world, spoken to through the real server."""

    def __init__(self, world: World, base: str) -> None:
        self.world, self.base = world, base
        self.ws_url = base.replace("http://", "ws://") + "/graphql"

    async def run(self, cred_name: str, query: str,
                  variables: dict[str, Any] | None = None) -> dict[str, Any]:
        async with httpx.AsyncClient(base_url=self.base, timeout=15) as http:
            r = await http.post("/graphql", json={"query": query, "variables": variables or {}},
                                headers=self.world.creds[cred_name].headers())
        assert r.status_code == 200, r.text
        body = r.json()
        assert "errors" not in body, body
        return body["data"]

    async def connect(self, cred: Credential) -> wsc.Connection | wsc.Rejected:
        payload, headers = cred.ws_init()
        if payload is None:
            return await wsc.open_connection(self.ws_url, headers=headers)
        return await wsc.open_connection(self.ws_url, payload, headers)


DEPART_LIVE = """mutation($id: ID!, $v: Int!) { changeWorkerStatus(id: $id, version: $v,
  placementStatus: DEPARTED, reason: "live departure") { __typename } }"""
SUBSCRIBERS = [*B_ALL, "A:officer[WRITE]"]


@pytest.mark.asyncio(loop_scope="module")
class TestLive:
    async def test_subscriptions_deliver_no_foreign_event(
            self, world: World, server: tuple[str, Path]) -> None:
        """Every subscription field, for B in every role and A's key without SUBSCRIBE:
        once aimed at everything from B's first event on (catch-up, then live), once aimed
        at A's worker. A changes its workers, then B's sentinel departs: B receives its
        own events exactly, never one of A's."""
        live = Live(world, server[0])
        b_first = await WorkerEvent.filter(partner_id=world.b.row.id).order_by("id").first()
        assert b_first is not None
        sentinel = await world.register("B")
        connections: dict[str, wsc.Connection] = {}
        plans: dict[str, dict[str, tuple[str, list[str], bool]]] = {}
        for cred_name in SUBSCRIBERS:
            cred = world.creds[cred_name]
            conn = await live.connect(cred)
            assert isinstance(conn, wsc.Connection), (cred_name, conn)
            connections[cred_name], plans[cred_name] = conn, {}
            aim = await read_aim(world, cred)
            for name, f_ in ROOT["subscription"].items():
                resume = {"after": event_cursor(b_first.id)} if "after" in f_.args else {}
                for variant, extra in (("everything", {"workerId": None}), ("aimed", {})):
                    op = build("subscription", name, aim, {**resume, **extra})
                    op_id = f"{name}:{variant}"
                    plans[cred_name][op_id] = (name, op.sent_ids, variant == "everything")
                    await conn.subscribe(op_id, op.document, op.variables)
        for w in world.a.workers[:2]:  # A's live changes, through the server
            state = await worker_state(w["id"])
            r = await live.run("A:officer", DEPART_LIVE, {"id": w["id"], "v": state["version"]})
            assert r["changeWorkerStatus"]["__typename"] == "ChangeWorkerStatusSuccess", r
        r = await live.run("B:officer", DEPART_LIVE, {"id": sentinel["id"], "v": 1})
        assert r["changeWorkerStatus"]["__typename"] == "ChangeWorkerStatusSuccess", r

        def saw_sentinel(cred_name: str) -> Callable[[list[dict[str, Any]]], bool]:
            def done(frames: list[dict[str, Any]]) -> bool:
                return all(any(sentinel["id"] in json.dumps(fr) for fr in frames
                               if fr.get("id") == op_id)
                           for op_id, plan in plans[cred_name].items() if plan[2])
            return done

        for cred_name, conn in connections.items():
            cred = world.creds[cred_name]
            if cred.has(Scope.SUBSCRIBE):
                await conn.receive_until(saw_sentinel(cred_name), 20)
            await conn.receive_until(lambda frames: False, 0.5)  # anything more
            await conn.ws.close()
            sent = [i for plan in plans[cred_name].values() for i in plan[1]]
            assert_no_leaks(conn.raw(), await markers_for(world, cred), world, sent,
                            f"subscriptions as {cred_name}")
            for op_id, (name, _, everything) in plans[cred_name].items():
                frames = conn.for_op(op_id)
                if not cred.has(Scope.SUBSCRIBE):
                    # Refused: an `error` frame, or one `next` carrying only the error.
                    assert frames, (op_id, "no answer")
                    assert all(fr["type"] in ("error", "complete") or (
                        fr["payload"].get("data") is None
                        and fr["payload"]["errors"][0]["extensions"]["code"] == "FORBIDDEN")
                        for fr in frames), (op_id, frames)
                    continue
                nexts = [fr for fr in frames if fr["type"] == "next"]
                if not everything:
                    assert nexts == [], f"{cred_name} {op_id} received events of A's worker"
                    continue
                assert any(sentinel["id"] in json.dumps(fr) for fr in nexts), (
                    cred_name, op_id, frames[-3:])
                if name == "workerEvents":
                    expected = await WorkerEvent.filter(partner_id=world.b.row.id,
                                                        id__gt=b_first.id).count()
                    assert len(nexts) == expected, (cred_name, len(nexts), expected)
        found = leaks.secrets_in(server[1].read_text(errors="replace"), world.never_logged)
        assert not found, f"secrets in the server log: {found}"

    @pytest.mark.parametrize("cred_name", ["B:admin", "B:viewer", "B:session"])
    async def test_queries_over_the_websocket_leak_nothing(
            self, world: World, server: tuple[str, Path], cred_name: str) -> None:
        cred = world.creds[cred_name]
        conn = await Live(world, server[0]).connect(cred)
        assert isinstance(conn, wsc.Connection), conn
        aim = await read_aim(world, cred)
        sent: list[str] = []
        names = list(ROOT["query"])
        for name in names:
            op = build("query", name, aim)
            sent += op.sent_ids
            await conn.subscribe(name, op.document, op.variables)

        def all_done(frames: list[dict[str, Any]]) -> bool:
            return {fr.get("id") for fr in frames
                    if fr["type"] in ("complete", "error")} >= set(names)

        await conn.receive_until(all_done, 20)
        await conn.ws.close()
        assert all_done(conn.frames), conn.frames[-5:]
        node = [fr for fr in conn.for_op("node") if fr["type"] == "next"]
        assert node and node[0]["payload"]["data"]["node"] is None, node
        assert_no_leaks(conn.raw(), await markers_for(world, cred), world, sent,
                        f"queries over the WebSocket as {cred_name}")

    @pytest.mark.parametrize("case", [
        "A:expired-key", "A:revoked-key", "A:signed-out-session", "none", "number", "list",
        "Basic scheme", "16 KB", "tampered key", "null payload"])
    async def test_the_websocket_refuses_bad_credentials(
            self, world: World, server: tuple[str, Path], case: str) -> None:
        live = Live(world, server[0])
        b = world.creds["B:admin"].token or ""
        payloads: dict[str, Any] = {
            "number": {"authorization": 12345},
            "list": {"authorization": [f"Bearer {b}"]},
            "Basic scheme": {"Authorization": "Basic YTpi"},
            "16 KB": {"authorization": "Bearer " + "A" * 16_384},
            "tampered key": {"authorization": f"Bearer {b[:-1]}{'A' if b[-1] != 'A' else 'B'}"},
            "null payload": None,
        }
        if case in world.creds:
            outcome = await live.connect(world.creds[case])
        else:
            outcome = await wsc.open_connection(live.ws_url, payloads[case])
        assert isinstance(outcome, wsc.Rejected), f"{case}: the connection was accepted"
        assert outcome.code in (4400, 4401, 4403), outcome
        assert b not in outcome.reason
        async with httpx.AsyncClient(base_url=server[0]) as http:
            assert (await http.get("/healthz")).status_code == 200
