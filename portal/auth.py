"""Authentication at the edge: a request or a connection_init payload becomes a Viewer.

Nothing below ``portal/`` reads headers (architecture invariant 4). Every refusal is a
short sentence that names the problem and never repeats the credential.
"""

from __future__ import annotations

from collections.abc import Mapping

from models.access import Viewer
from models.api_keys import KeyRejected, viewer_for_secret

MAX_AUTHORIZATION_LENGTH = 512


class AuthError(Exception):
    """Authentication failed; the message is safe to show to the client."""


def bearer_token(header: str | None) -> str:
    if header is None or not header.strip():
        raise AuthError(
            "Authentication required: send 'Authorization: Bearer <API key>'."
        )
    if len(header) > MAX_AUTHORIZATION_LENGTH:
        raise AuthError("The Authorization header is too long.")
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        raise AuthError("Unsupported authorization scheme: use 'Bearer <API key>'.")
    token = token.strip()
    if not token or " " in token:
        raise AuthError("Malformed Authorization header: use 'Bearer <API key>'.")
    return token


async def viewer_from_headers(headers: Mapping[str, str], request_id: str | None) -> Viewer:
    token = bearer_token(headers.get("authorization"))
    try:
        return await viewer_for_secret(token, request_id)
    except KeyRejected as exc:
        raise AuthError(str(exc)) from None


async def viewer_from_connection_params(
    params: Mapping[str, object] | None, request_id: str | None
) -> Viewer:
    """``{"authorization": "Bearer <key>"}``; header-style key names in any case."""
    value: object = None
    for name, item in (params or {}).items():
        if isinstance(name, str) and name.lower() == "authorization":
            value = item
            break
    if value is not None and not isinstance(value, str):
        raise AuthError("connection_init payload 'authorization' must be a string.")
    return await viewer_from_headers(
        {"authorization": value} if isinstance(value, str) else {}, request_id
    )
