"""GraphQL over HTTP: the public graphql-http audit suite, every MUST and SHOULD."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from pathlib import Path

import pytest

from tests import factories as f
from tests.conftest import BACKEND, IN_CI
from tests.server import running_server

CONTRACT = Path(__file__).resolve().parent.parent / "frontend-contract"
pytestmark = pytest.mark.slow


def _node_ready() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed"
    if not (CONTRACT / "node_modules" / "graphql-http").is_dir():
        return "frontend-contract/node_modules is missing (npm ci in frontend-contract)"
    return None


@pytest.fixture
def node_tools() -> None:
    missing = _node_ready()
    if missing:
        if IN_CI:
            pytest.fail(f"required under CI=true: {missing}")
        pytest.skip(missing)
    if BACKEND == "postgres":
        pytest.skip("runs once, in the SQLite pass")


async def test_graphql_http_audit_passes_every_must_and_should(node_tools, db, database_url,
                                                               tmp_path):
    p = await f.partner()
    secret = await f.key(p)
    with running_server(database_url, log_path=tmp_path / "server.log") as base:
        result = await asyncio.to_thread(
            subprocess.run, ["node", "checks/http-audit.mjs", f"{base}/graphql", secret],
            cwd=CONTRACT, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "MUST: 13/13 passed" in result.stdout
    assert "SHOULD: 23/23 passed" in result.stdout


async def test_media_type_negotiation_and_status_codes(client):
    p = await f.partner()
    c = client.as_key(await f.key(p))
    new = {"accept": "application/graphql-response+json"}
    ok = await c.post("{ viewer { role } }", **new)
    assert ok.headers["content-type"].startswith("application/graphql-response+json")
    broken = await c.post("{ viewer { role }", **new)
    assert broken.status_code == 400 and "data" not in broken.json()
    invalid = await c.post("{ nope }", **new)
    assert invalid.status_code == 400 and "data" not in invalid.json()
    legacy = await c.post("{ nope }", accept="application/json")
    assert legacy.status_code == 200 and legacy.headers["content-type"].startswith(
        "application/json")
    refused = await c.post("{ viewer { role } }", accept="text/csv")
    assert refused.status_code == 406


async def test_mutations_are_refused_over_get(client):
    p = await f.partner()
    secret = await f.key(p)
    response = await client.http.get(
        "/graphql", params={"query": "mutation { revokeSession(id: \"x\") { __typename } }"},
        headers={"authorization": f"Bearer {secret}", "accept": "application/json"})
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


async def test_a_subscription_over_plain_http_is_a_clear_400(client):
    p = await f.partner()
    c = client.as_key(await f.key(p))
    response = await c.post("subscription { workerEvents { cursor } }",
                            accept="application/graphql-response+json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "SUBSCRIPTION_TRANSPORT"
