"""Sign-in for people using GraphiQL: POST /auth/login, /auth/logout, GET /auth/session.

The session cookie is HttpOnly (scripts cannot read it), SameSite=Strict (not sent on
cross-site requests) and Secure in production. GraphQL requests that authenticate with it
must also pass the CSRF rule in portal.auth.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from models import accounts, audit
from models.accounts import LoginRefused
from models.errors import ValidationFailed
from portal.auth import SESSION_COOKIE, AuthError, csrf_safe, viewer_from_headers
from portal.request_meta import client_address, json_object, request_id_of
from portal.settings import Settings

MAX_BODY = 4096


def _error(status: int, message: str, request_id: str, **headers: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status,
                        headers={"X-Request-ID": request_id, **headers})


async def _json_body(request: Request) -> dict[str, Any] | None:
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        return None
    return await json_object(request, MAX_BODY)


def routes(settings: Settings) -> list[Route]:
    async def login(request: Request) -> Response:
        rid = request_id_of(request.scope)
        data = await _json_body(request)
        if data is None or not isinstance(data.get("email"), str) or not isinstance(
                data.get("password"), str):
            return _error(400, 'Send JSON {"email": "…", "password": "…"}.', rid)
        source = client_address(request.scope)
        try:
            account = await accounts.authenticate(data["email"], data["password"])
        except LoginRefused as exc:
            await audit.record("login", actor=data["email"].strip().lower()[:200],
                               outcome="refused", request_id=rid, source_address=source)
            if exc.retry_after:
                return _error(429, str(exc), rid, **{"Retry-After": str(exc.retry_after)})
            return _error(401, str(exc), rid)
        opened = await accounts.open_session(account, request.headers.get("user-agent"),
                                             source)
        await audit.record("login", actor=account.email, outcome="ok", request_id=rid,
                           source_address=source, subject_partner_id=account.partner_id,
                           target_type="Session", target_ids=[opened.session.id])
        response = JSONResponse(
            {"account": {"email": account.email, "displayName": account.display_name,
                         "role": account.role.value}},
            headers={"X-Request-ID": rid},
        )
        response.set_cookie(
            SESSION_COOKIE, opened.token, max_age=accounts.SESSION_HOURS * 3600,
            httponly=True, samesite="strict", secure=settings.production, path="/",
        )
        return response

    async def logout(request: Request) -> Response:
        rid = request_id_of(request.scope)
        if not csrf_safe(request.method, request.headers):
            return _error(403, "Send the X-Portal-CSRF header or a JSON body to sign out.", rid)
        try:
            viewer = await viewer_from_headers(request.headers, rid, method="POST")
        except AuthError:
            viewer = None
        if viewer is not None and viewer.session_id is not None:
            await accounts.close_session(viewer.session_id)
            await audit.record("logout", viewer=viewer, target_type="Session",
                               target_ids=[viewer.session_id])
        response = JSONResponse({"signedOut": True}, headers={"X-Request-ID": rid})
        response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict",
                               secure=settings.production)
        return response

    async def current(request: Request) -> Response:
        rid = request_id_of(request.scope)
        try:
            viewer = await viewer_from_headers(
                {**request.headers, "x-portal-csrf": "read"}, rid, method="GET")
        except AuthError as exc:
            return _error(401, str(exc), rid)
        return JSONResponse({"actor": viewer.actor, "role": viewer.role.value},
                            headers={"X-Request-ID": rid})

    async def accept(request: Request) -> Response:
        rid = request_id_of(request.scope)
        data = await _json_body(request)
        if data is None or not isinstance(data.get("token"), str) or not isinstance(
                data.get("password"), str):
            return _error(400, 'Send JSON {"token": "…", "password": "…"}.', rid)
        try:
            account = await accounts.accept_invitation(data["token"], data["password"])
        except ValidationFailed as exc:
            return _error(400, exc.message, rid)
        await audit.record("accept_invitation", actor=account.email, request_id=rid,
                           subject_partner_id=account.partner_id,
                           source_address=client_address(request.scope))
        return JSONResponse({"email": account.email}, headers={"X-Request-ID": rid})

    return [
        Route("/auth/login", login, methods=["POST"]),
        Route("/auth/logout", logout, methods=["POST"]),
        Route("/auth/session", current, methods=["GET"]),
        Route("/auth/accept-invitation", accept, methods=["POST"]),
    ]
