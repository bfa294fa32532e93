"""Trusted documents: callers held to the published operations may run nothing else.

The manifest (frontend-contract/trusted-documents.json) maps the SHA-256 of each
normalised operation to its text. Which callers are held to it is the edge's decision
(portal.graphql_view sets ``Context.trusted_only``); this extension refuses any other
document before validation, whatever the transport.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from schema.context import Context
from schema.documents import normalised_hash

__all__ = ["UNTRUSTED", "TrustedDocuments", "normalised_hash"]

UNTRUSTED = "TRUSTED_DOCUMENT_REQUIRED"


class TrustedDocuments(SchemaExtension):
    def on_validate(self) -> Iterator[None]:
        context = self.execution_context.context
        document = self.execution_context.graphql_document
        if (isinstance(context, Context) and context.trusted_only and document is not None
                and normalised_hash(document, self.execution_context.query,
                                    context.limits.max_tokens)
                not in context.trusted_documents):
            self.execution_context.pre_execution_errors = [GraphQLError(
                "Only the published operations (frontend-contract/trusted-documents.json) "
                "may run with these credentials; send their documentId or hash.",
                extensions={"code": UNTRUSTED})]
        yield
