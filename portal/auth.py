"""Authentication at the edge: a request or a connection_init payload becomes a Viewer.

Nothing below ``portal/`` reads headers (architecture invariant 4). An API key comes as
``Authorization: Bearer <key>``; a person in GraphiQL comes with the session cookie set by
``POST /auth/login``. Every refusal is a short sentence that names the problem and never
repeats the credential.
"""

from __future__ import annotations

from collections.abc import Mapping

from models.access import Viewer
from models.accounts import SessionRejected, viewer_for_session
from models.api_keys import KeyRejected, viewer_for_secret

MAX_AUTHORIZATION_LENGTH = 512
SESSION_COOKIE = "portal_session"
# Headers a browser cannot send cross-site without a CORS preflight (Apollo's CSRF rule).
CSRF_HEADERS = ("x-portal-csrf", "apollo-require-preflight", "x-apollo-operation-name")


class AuthError(Exception):
    """Authentication failed; the message is safe to show to the client."""


def bearer_token(header: str | None) -> str:
    if header is None or not header.strip():
        raise AuthError(
            "Authentication required: send 'Authorization: Bearer <API key>' or sign in."
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


def session_cookie(cookie_header: str | None) -> str | None:
    """The session token from a raw Cookie header (also used for WebSocket handshakes)."""
    if not cookie_header or len(cookie_header) > 8192:
        return None
    for part in cookie_header.split(";"):
        name, _, value = part.strip().partition("=")
        if name == SESSION_COOKIE and value:
            return value.strip('"')
    return None


def csrf_safe(method: str, headers: Mapping[str, str]) -> bool:
    """A cookie-authenticated request must be one a cross-site form cannot forge."""
    if any(headers.get(h) for h in CSRF_HEADERS):
        return True
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    return method == "POST" and content_type in (
        "application/json", "application/graphql-response+json"
    )


async def viewer_from_headers(
    headers: Mapping[str, str],
    request_id: str | None,
    *,
    method: str = "POST",
    source_address: str | None = None,
    allow_cookie: bool = True,
) -> Viewer:
    authorization = headers.get("authorization")
    token = session_cookie(headers.get("cookie")) if allow_cookie else None
    if authorization is None and token is not None:
        if not csrf_safe(method, headers):
            raise AuthError(
                "Cookie-authenticated requests need a JSON body or the X-Portal-CSRF "
                "header (cross-site request forgery protection)."
            )
        try:
            return await viewer_for_session(token, request_id, source_address)
        except SessionRejected as exc:
            raise AuthError(str(exc)) from None
    secret = bearer_token(authorization)
    try:
        return await viewer_for_secret(secret, request_id, source_address)
    except KeyRejected as exc:
        raise AuthError(str(exc)) from None


async def viewer_from_connection_params(
    params: Mapping[str, object] | None,
    request_id: str | None,
    *,
    cookie_header: str | None = None,
    source_address: str | None = None,
) -> Viewer:
    """``{"authorization": "Bearer <key>"}`` (header-style names in any case), or the
    session cookie sent with the WebSocket handshake."""
    value: object = None
    for name, item in (params or {}).items():
        if isinstance(name, str) and name.lower() == "authorization":
            value = item
            break
    if value is not None and not isinstance(value, str):
        raise AuthError("connection_init payload 'authorization' must be a string.")
    headers: dict[str, str] = {}
    if isinstance(value, str):
        headers["authorization"] = value
    elif cookie_header:
        headers["cookie"] = cookie_header
        # A WebSocket handshake cannot carry a JSON body; browsers send Origin, which the
        # view checks against the allow-list instead.
        headers["x-portal-csrf"] = "websocket"
    return await viewer_from_headers(headers, request_id, source_address=source_address)
