"""The frontend contract: what partner frontends build against, kept in step by CI.

``portal contract write`` regenerates ``frontend-contract/schema.graphql`` and the trusted
documents manifest from ``frontend-contract/operations/*.graphql``; ``portal contract
check`` fails when either is stale, when an operation no longer validates, or when the
schema broke compatibility with the previous commit's without a CHANGELOG entry that
names what broke.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from graphql import (
    BreakingChange,
    DocumentNode,
    GraphQLSchema,
    OperationDefinitionNode,
    build_schema,
    find_breaking_changes,
    parse,
    print_ast,
    validate,
)

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = ROOT / "frontend-contract"
SCHEMA_FILE = CONTRACT / "schema.graphql"
OPERATIONS = CONTRACT / "operations"
MANIFEST = CONTRACT / "trusted-documents.json"
CHANGELOG = CONTRACT / "CHANGELOG.md"


def server_sdl() -> str:
    from schema.root import schema

    return schema.as_str() + "\n"


def normalise(document: str) -> str:
    """The canonical text of a document: what manifest hashes are computed over."""
    return print_ast(parse(document))


def document_hash(document: str) -> str:
    return hashlib.sha256(normalise(document).encode()).hexdigest()


@dataclass(frozen=True)
class Operation:
    path: Path
    name: str
    text: str


def operations(directory: Path = OPERATIONS) -> list[Operation]:
    out = []
    for path in sorted(directory.glob("*.graphql")):
        text = path.read_text()
        document = parse(text)
        ops = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        if len(ops) != 1 or ops[0].name is None:
            raise ValueError(f"{path.name}: one named operation per file")
        out.append(Operation(path, ops[0].name.value, text))
    return out


def manifest(ops: list[Operation]) -> dict[str, str]:
    return {document_hash(op.text): normalise(op.text) for op in ops}


def manifest_text(ops: list[Operation]) -> str:
    return json.dumps(manifest(ops), indent=2, sort_keys=True) + "\n"


def load_manifest(path: Path = MANIFEST) -> dict[str, str]:
    return json.loads(path.read_text()) if path.exists() else {}


def write() -> list[str]:
    ops = operations()
    SCHEMA_FILE.write_text(server_sdl())
    MANIFEST.write_text(manifest_text(ops))
    return [str(SCHEMA_FILE.relative_to(ROOT)), str(MANIFEST.relative_to(ROOT))]


def invalid_operations(schema: GraphQLSchema, ops: list[Operation]) -> list[str]:
    problems = []
    for op in ops:
        document: DocumentNode = parse(op.text)
        for error in validate(schema, document):
            problems.append(f"{op.path.name}: {error.message}")
    return problems


def previous_schema() -> str | None:
    """schema.graphql as of the previous commit (HEAD^), or None when there is none."""
    for revision in ("HEAD^",):
        try:
            result = subprocess.run(  # noqa: S603 (fixed git arguments)
                ["git", "show", f"{revision}:frontend-contract/schema.graphql"],  # noqa: S607
                cwd=ROOT, capture_output=True, text=True, timeout=30, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return None
        if result.returncode == 0:
            return result.stdout
    return None


def undocumented_breaks(old_sdl: str, new_sdl: str, changelog: str) -> list[BreakingChange]:
    """Breaking changes whose type (or Type.field) the CHANGELOG does not mention."""
    breaks = find_breaking_changes(build_schema(old_sdl), build_schema(new_sdl))
    missing = []
    for change in breaks:
        names = [n for n in _NAME.findall(change.description) if n not in _WORDS]
        # "Worker.phase" names a field precisely; otherwise the type name will do.
        coordinate = next((n for n in names if "." in n), names[0] if names else "")
        if not coordinate or coordinate not in changelog:
            missing.append(change)
    return missing


_NAME = re.compile(r"[A-Z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)?")
_WORDS = {"Field", "Type", "Argument", "Enum", "Value", "Input", "Union", "Interface",
          "Directive", "Scalar", "An", "A", "The", "Object", "Member"}


def check() -> list[str]:
    problems = []
    sdl = server_sdl()
    if not SCHEMA_FILE.exists() or SCHEMA_FILE.read_text() != sdl:
        problems.append("frontend-contract/schema.graphql differs from `portal export-schema`: "
                        "run `portal contract write`")
    ops = operations()
    schema = build_schema(sdl)
    problems += invalid_operations(schema, ops)
    if load_manifest() != manifest(ops):
        problems.append("frontend-contract/trusted-documents.json is stale: run "
                        "`portal contract write`")
    old = previous_schema()
    if old is not None:
        changelog = CHANGELOG.read_text() if CHANGELOG.exists() else ""
        for change in undocumented_breaks(old, sdl, changelog):
            problems.append(f"breaking change not in frontend-contract/CHANGELOG.md: "
                            f"{change.description}")
    return problems
