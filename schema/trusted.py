"""Trusted documents: callers held to the published operations may run nothing else.

The manifest (frontend-contract/trusted-documents.json) maps the SHA-256 of each
normalised operation to its text. Which callers are held to it is the edge's decision
(portal.graphql_view sets ``Context.trusted_only``); this extension refuses any other
document before validation, whatever the transport.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from graphql import GraphQLError, print_ast
from strawberry.extensions import SchemaExtension

from schema.context import Context

UNTRUSTED = "TRUSTED_DOCUMENT_REQUIRED"


def normalised_hash(document: object) -> str:
    return hashlib.sha256(print_ast(document).encode()).hexdigest()  # type: ignore[arg-type]


class TrustedDocuments(SchemaExtension):
    def on_validate(self) -> Iterator[None]:
        context = self.execution_context.context
        document = self.execution_context.graphql_document
        if (isinstance(context, Context) and context.trusted_only and document is not None
                and normalised_hash(document) not in context.trusted_documents):
            self.execution_context.pre_execution_errors = [GraphQLError(
                "Only the published operations (frontend-contract/trusted-documents.json) "
                "may run with these credentials; send their documentId or hash.",
                extensions={"code": UNTRUSTED})]
        yield
