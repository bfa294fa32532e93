"""Media types of GraphQL over HTTP: which one to answer with, and which status.

With ``application/graphql-response+json`` the status says whether the request was
executed: a document that does not parse or validate, or variables that do not coerce,
answer 400 without a ``data`` entry. With legacy ``application/json`` those answer 200, as
the specification asks for clients that do not understand the new type.
"""

from __future__ import annotations

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
_PREFERENCE = (GRAPHQL_RESPONSE, JSON)


def _ranges(accept: str) -> list[tuple[str, float]]:
    out = []
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if media:
            out.append((media.lower(), q))
    return out


def _matches(media_range: str, media_type: str) -> bool:
    if media_range in ("*/*", media_type):
        return True
    kind, _, sub = media_range.partition("/")
    return sub == "*" and media_type.startswith(kind + "/")


def negotiate(accept: str | None) -> str | None:
    """The response media type, or None when nothing the client accepts can be served.

    A client that names application/graphql-response+json gets it unless it ranks JSON
    higher; a bare ``*/*`` (or no Accept) gets JSON, as the specification recommends for
    clients that may predate the new type.
    """
    if accept is None or not accept.strip():
        return JSON
    ranges = _ranges(accept)
    explicit = {r: q for r, q in ranges if r in _PREFERENCE}
    if explicit.get(GRAPHQL_RESPONSE, 0) > 0 and explicit[GRAPHQL_RESPONSE] >= explicit.get(
            JSON, 0):
        return GRAPHQL_RESPONSE
    for media_type in (JSON, GRAPHQL_RESPONSE):
        q = explicit.get(media_type)
        if q is None:
            q = max((q for r, q in ranges if _matches(r, media_type)), default=0.0)
        if q > 0:
            return media_type
    return None
