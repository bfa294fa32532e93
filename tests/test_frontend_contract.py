"""The frontend contract stays in step with the server."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from portal import contract
from tests.conftest import BACKEND, IN_CI


def test_schema_manifest_and_operations_are_in_step_with_the_server():
    assert contract.check() == []


def test_every_operation_is_in_the_trusted_manifest():
    ops = contract.operations()
    manifest = contract.load_manifest()
    assert {contract.document_hash(op.text) for op in ops} == set(manifest)


def test_a_breaking_change_needs_a_changelog_entry_naming_it():
    old = "type Query { worker: Worker } type Worker { id: ID! phase: String }"
    new = "type Query { worker: Worker } type Worker { id: ID! }"
    assert [c.description for c in contract.undocumented_breaks(old, new, "")] == [
        "Field Worker.phase was removed."]
    assert contract.undocumented_breaks(old, new, "- Removed `Worker.phase`: use …") == []
    assert contract.undocumented_breaks(new, old, "") == []  # additions never break


def test_typescript_types_are_current():
    if BACKEND == "postgres":
        pytest.skip("runs once, in the SQLite pass")
    bin_path = contract.CONTRACT / "node_modules" / ".bin" / "graphql-codegen"
    if shutil.which("node") is None or not bin_path.exists():
        if IN_CI:
            pytest.fail("node and frontend-contract/node_modules are required under CI=true")
        pytest.skip("node or frontend-contract/node_modules missing (npm ci)")
    result = subprocess.run([str(bin_path), "--config", "codegen.yml", "--check"],
                            cwd=contract.CONTRACT, capture_output=True, text=True, timeout=180,
                            check=False)
    assert result.returncode == 0, "types.ts is stale: npm run codegen\n" + result.stdout
