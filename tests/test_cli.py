"""The portal command: help everywhere, one-line failures, and the operator tools."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from models import identifiers
from models.identifiers import IdentifierVault, derive_key
from models.worker_changes import register_worker
from models.workers import Worker
from tests import factories as f
from tests.conftest import TEST_SECRET

PORTAL = [sys.executable, "-m", "portal.cli"]
ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, env: dict[str, str] | None = None, stdin: str | None = None,
        timeout: float = 60) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PORTAL_SECRET_KEY": TEST_SECRET, **(env or {})}
    return subprocess.run([*PORTAL, *args], capture_output=True, text=True, env=full_env,
                          input=stdin, timeout=timeout, cwd=ROOT, check=False)


COMMANDS = ["migrate", "serve", "demo", "export-schema", "create-partner", "create-api-key",
            "create-account", "rotate-data-key", "export-worker-data"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command):
    result = run(command, "--help")
    assert result.returncode == 0
    assert "usage: portal" in result.stdout


def test_export_schema_needs_no_database():
    from schema.root import schema

    result = run("export-schema", env={"PORTAL_DATABASE_URL": "postgres://x@127.0.0.1:1/none"})
    assert result.returncode == 0
    assert result.stdout == schema.as_str() + "\n"


@pytest.mark.parametrize(
    ("args", "env", "fragment"),
    [
        (["serve", "--port", "99999"], {}, "--port"),
        (["demo", "--workers", "-1"], {}, "--workers"),
        (["migrate"], {"PORTAL_ENV": "production", "PORTAL_SECRET_KEY": ""},
         "PORTAL_SECRET_KEY"),
        (["serve"], {"PORTAL_ENV": "production"}, "PORTAL_DATA_KEYS"),
        (["migrate"], {"PORTAL_ENV": "staging"}, "PORTAL_ENV"),
        (["migrate"], {"PORTAL_MAX_PAGE_SIZE": "lots"}, "PORTAL_MAX_PAGE_SIZE"),
        (["create-api-key", "--partner", "x", "--name", "n", "--role", "NOPE"], {}, "role"),
    ],
)
def test_bad_input_exits_2_with_one_line(args, env, fragment):
    result = run(*args, env=env)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    # The last line is the one reason (argparse prints its usage above it).
    assert lines[-1].startswith("portal") and fragment in lines[-1]
    assert "Traceback" not in result.stderr


def test_unknown_partner_is_a_one_line_failure(database_url):
    result = run("create-api-key", "--partner", "nope", "--name", "k", "--role",
                 "PARTNER_OFFICER", env={"PORTAL_DATABASE_URL": database_url})
    assert result.returncode == 2
    assert result.stderr.strip() == "portal: error: no partner with code 'nope'"


def test_partner_key_and_account_from_the_cli(database_url):
    env = {"PORTAL_DATABASE_URL": database_url}
    created = run("create-partner", "--code", "kjri-kuching", "--name", "KJRI Kuching",
                  "--kind", "CONSULATE", "--country", "MY", "--region", "Sarawak", env=env)
    assert created.returncode == 0, created.stderr
    bad = run("create-partner", "--code", "Bad Code", "--name", "x", "--kind", "AGENCY",
              "--country", "ZZ", env=env)
    assert bad.returncode == 2 and "code:" in bad.stderr and "country:" in bad.stderr
    key = run("create-api-key", "--partner", "kjri-kuching", "--name", "ops", "--role",
              "PARTNER_ADMIN", "--scopes", "read,write,admin", env=env)
    assert key.returncode == 0 and key.stdout.strip().startswith("ppk_")
    account = run("create-account", "--partner", "kjri-kuching", "--email", "a@kjri.example",
                  "--name", "Ayu", "--role", "PARTNER_OFFICER", "--password-stdin",
                  env=env, stdin="a long enough password\n")
    assert account.returncode == 0 and "ready to sign in" in account.stdout


async def test_rotate_data_key_reseals_every_identifier_under_the_new_key(db):
    p = await f.partner()
    for _ in range(3):
        await register_worker(f.viewer(p), f.worker_input(familyCardNumber="3201012345670001"))
    old = base64.b64encode(derive_key(TEST_SECRET, "data")).decode()
    new = base64.b64encode(b"n" * 32).decode()
    keys = f"k2:{new},dev:{old}"
    result = run("rotate-data-key", env={"PORTAL_DATABASE_URL": db.database_url,
                                         "PORTAL_DATA_KEYS": keys})
    assert result.returncode == 0, result.stderr
    assert "re-sealed 3 worker(s) and 0 webhook signing secret(s)" in result.stdout
    only_new = IdentifierVault({"k2": b"n" * 32}, "k2", derive_key(TEST_SECRET, "digest"))
    identifiers.configure(only_new)
    for worker in await Worker.all():
        assert worker.nik_sealed.startswith("v1.k2.")
        assert worker.identifier("family_card") == "3201012345670001"
        assert len(worker.identifier("nik")) == 16


async def test_export_worker_data_includes_who_processed_the_record(db, tmp_path):
    p = await f.partner()
    data = f.worker_input()
    await register_worker(f.viewer(p), data)
    from models import audit

    worker = await Worker.first()
    await audit.record_reveal(f.viewer(p), [worker.id], "WorkerDetail")
    out = tmp_path / "export.json"
    result = run("export-worker-data", data["nik"], "--output", str(out),
                 env={"PORTAL_DATABASE_URL": db.database_url})
    assert result.returncode == 0, result.stderr
    exported = json.loads(out.read_text())
    assert exported["worker"]["nik"] == data["nik"]
    assert exported["owningPartner"]["code"] == "kbri-hongkong"
    assert [e["type"] for e in exported["events"]] == ["REGISTERED"]
    assert [a["operation"] for a in exported["processing"]] == ["reveal_identifiers"]
    assert oct(out.stat().st_mode)[-3:] == "600"
    missing = run("export-worker-data", "3171014101900001",
                  env={"PORTAL_DATABASE_URL": db.database_url})
    assert missing.returncode == 2 and "no worker" in missing.stderr
