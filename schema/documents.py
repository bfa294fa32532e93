"""Each GraphQL document is parsed and validated once per process, not once per request.

Partner frontends send the same few dozen operations all day (frontend-contract's trusted
documents), so parsing and running the 30-odd standard validation rules on every request
was most of the cost of a small query (bench/RESULTS.md: 53% of a worker detail). Both
results depend only on the document's text and the schema, so they are cached by text.

The limits that depend on the request — variables that size pages, the transport, the
caller's right to introspect — are not part of this cache: schema.limits checks them on
every request, right after this cached validation.

Only documents up to ``MAX_CACHED_CHARS`` characters are cached, so a client that sends
many distinct large documents cannot make the cache hold more than a few megabytes; a
document that fails to parse is never cached (it fails again, as cheaply, next time).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import lru_cache

from graphql import DocumentNode, GraphQLError, GraphQLSchema, parse, print_ast
from graphql.validation import ASTValidationRule
from strawberry.schema.schema import validate_document

MAX_CACHED_CHARS = 16_384
CACHE_SIZE = 512


@lru_cache(maxsize=CACHE_SIZE)
def _parse(text: str, max_tokens: int) -> DocumentNode:
    return parse(text, max_tokens=max_tokens)


def parse_once(text: str, max_tokens: int) -> DocumentNode | None:
    """The document for this text, or None when it does not parse (the caller then lets
    Strawberry parse it and report the error in its usual shape)."""
    try:
        if len(text) > MAX_CACHED_CHARS:
            return parse(text, max_tokens=max_tokens)
        return _parse(text, max_tokens)
    except GraphQLError:
        return None


@lru_cache(maxsize=CACHE_SIZE)
def _validate(schema: GraphQLSchema, text: str, max_tokens: int,
              rules: tuple[type[ASTValidationRule], ...]) -> tuple[GraphQLError, ...]:
    return tuple(validate_document(schema, _parse(text, max_tokens), rules))


def validate_once(schema: GraphQLSchema, text: str | None, document: DocumentNode,
                  max_tokens: int,
                  rules: Sequence[type[ASTValidationRule]]) -> list[GraphQLError]:
    """The standard rules' errors for this document (a fresh list: callers may extend it)."""
    if (text is None or len(text) > MAX_CACHED_CHARS
            or parse_once(text, max_tokens) is not document):
        return list(validate_document(schema, document, tuple(rules)))
    return list(_validate(schema, text, max_tokens, tuple(rules)))


@lru_cache(maxsize=CACHE_SIZE)
def _text_hash(text: str, max_tokens: int) -> str:
    return hashlib.sha256(print_ast(_parse(text, max_tokens)).encode()).hexdigest()


def normalised_hash(document: DocumentNode, text: str | None = None,
                    max_tokens: int | None = None) -> str:
    """SHA-256 of the printed document: the key of the trusted documents manifest, so
    whitespace and comments do not matter. Cached by text when the text is known."""
    if (text is not None and max_tokens is not None and len(text) <= MAX_CACHED_CHARS
            and parse_once(text, max_tokens) is document):
        return _text_hash(text, max_tokens)
    return hashlib.sha256(print_ast(document).encode()).hexdigest()
