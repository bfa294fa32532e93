"""Persisted and trusted documents at the HTTP edge.

Clients may send a manifest document by reference instead of its text: ``documentId``
(``sha256:<hex>`` or the bare hex, GraphQL-over-HTTP persisted documents) or Apollo's APQ
wire format ``extensions.persistedQuery.sha256Hash``. The manifest is
``frontend-contract/trusted-documents.json``; it is read once at start.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.requests import Request

from portal.contract import MANIFEST, load_manifest
from schema.trusted import normalised_hash

NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"


@dataclass(frozen=True)
class Reference:
    """What the request names: a hash, and the text it also sent (APQ registration)."""

    sha256: str
    query: str | None


class PersistedError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def load(path: Path = MANIFEST) -> Mapping[str, str]:
    try:
        return load_manifest(path)
    except (OSError, json.JSONDecodeError):
        return {}


def _from_mapping(data: Mapping[str, Any]) -> Reference | None:
    document_id = data.get("documentId")
    query = data.get("query") if isinstance(data.get("query"), str) else None
    if isinstance(document_id, str) and document_id:
        return Reference(document_id.removeprefix("sha256:").lower(), query)
    extensions = data.get("extensions")
    if isinstance(extensions, str):
        try:
            extensions = json.loads(extensions)
        except json.JSONDecodeError:
            return None
    if isinstance(extensions, Mapping):
        persisted = extensions.get("persistedQuery")
        if isinstance(persisted, Mapping) and isinstance(persisted.get("sha256Hash"), str):
            return Reference(persisted["sha256Hash"].lower(), query)
    return None


async def reference(request: Request) -> Reference | None:
    if request.method == "GET":
        return _from_mapping(request.query_params)
    try:
        data = json.loads(await request.body())
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None  # the normal path answers the malformed body
    return _from_mapping(data) if isinstance(data, dict) else None


def resolve(ref: Reference, manifest: Mapping[str, str]) -> str:
    """The document to run for a reference, or a PersistedError saying why not."""
    if ref.query is not None:
        # APQ registration sends both; the hash must be of that very text.
        exact = hashlib.sha256(ref.query.encode()).hexdigest()
        try:
            from graphql import parse

            canonical = normalised_hash(parse(ref.query))
        except Exception:  # a syntax error is reported by the normal path
            canonical = ""
        if ref.sha256 not in (exact, canonical):
            raise PersistedError(400, "PERSISTED_QUERY_HASH_MISMATCH",
                                 "The sha256 hash does not match the query sent with it.")
        return ref.query
    document = manifest.get(ref.sha256)
    if document is None:
        raise PersistedError(200, NOT_FOUND, "PersistedQueryNotFound")
    return document


def operation_names(manifest: Mapping[str, str]) -> dict[str, str]:
    """Published operation names → their hash (bounded metric labels, GraphiQL tabs)."""
    from graphql import OperationDefinitionNode, parse

    names: dict[str, str] = {}
    for digest, document in manifest.items():
        for definition in parse(document).definitions:
            if isinstance(definition, OperationDefinitionNode) and definition.name:
                names[definition.name.value] = digest
    return names
