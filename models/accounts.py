"""Staff accounts and their browser sessions (GraphiQL).

Passwords are hashed with argon2id. Failed logins are throttled per account: after
``MAX_FAILED_LOGINS`` wrong passwords the account is locked for ``LOCK_MINUTES``; the refusal
for an unknown email, a wrong password and a deactivated account is the same sentence, so
the login form is no oracle for which emails exist.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from models.access import Account, Session, Viewer
from models.authorization import managed_by, require_partner_admin
from models.clock import now
from models.enums import PartnerKind, Role, Scope
from models.errors import FieldProblem, NotAllowed, NotFound, ValidationFailed
from models.partners import Partner

MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15
SESSION_HOURS = 12
INVITATION_DAYS = 7
MIN_PASSWORD = 12
MAX_PASSWORD = 256
SESSION_PREFIX = "pps_"
INVITATION_PREFIX = "ppi_"
LAST_SEEN_RESOLUTION = timedelta(minutes=1)
_hasher = PasswordHasher()
# Verifying against this when the email is unknown keeps the timing of both refusals alike.
_DUMMY_HASH = _hasher.hash("partner-portal-timing-equaliser")


class LoginRefused(Exception):
    """The message is safe to show; ``retry_after`` is set when the account is locked."""

    def __init__(self, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class SessionRejected(Exception):
    """The session cookie is unknown, expired, logged out, or its account is deactivated."""


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _email(value: str) -> str:
    email = value.strip().lower()
    local, at, domain = email.partition("@")
    if not at or not local or "." not in domain or len(email) > 254 or " " in email:
        raise ValidationFailed.single("email", "email_format", "Give a valid email address.")
    return email


def check_password(password: str) -> str:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise ValidationFailed.single(
            "password", "length",
            f"A password is {MIN_PASSWORD} to {MAX_PASSWORD} characters long.",
        )
    return password


def _check_role_for_partner(partner: Partner, role: Role) -> None:
    if (role == Role.OPERATOR) != (partner.kind == PartnerKind.BPJS_OFFICE):
        raise ValidationFailed([FieldProblem(
            "role", "role_for_partner",
            "OPERATOR is the only role of the BPJS office, and only the BPJS office has it.",
        )])


@dataclass(frozen=True, slots=True)
class Invitation:
    account: Account
    token: str  # shown once, sent to the person out of band
    expires_at: datetime


async def invite(
    viewer: Viewer | None, partner: Partner, email: str, display_name: str, role: Role
) -> Invitation:
    """A partner admin invites into their own partner; ``viewer=None`` is the CLI."""
    if viewer is not None:
        require_partner_admin(viewer)
        if not viewer.is_operator and viewer.partner_id != partner.id:
            raise NotFound("partner")
    _check_role_for_partner(partner, role)
    clean = _email(email)
    name = " ".join(display_name.split())
    if not 1 <= len(name) <= 150:
        raise ValidationFailed.single("displayName", "length", "A name is 1 to 150 characters.")
    if await Account.filter(email=clean).exists():
        raise ValidationFailed.single("email", "unique", "An account with this email exists.")
    token = INVITATION_PREFIX + secrets.token_urlsafe(32)
    expires = now() + timedelta(days=INVITATION_DAYS)
    account = await Account.create(
        partner_id=partner.id, email=clean, display_name=name, role=role,
        created_by=viewer.actor if viewer else "cli",
        invitation_digest=digest(token), invitation_expires_at=expires,
    )
    return Invitation(account, token, expires)


async def accept_invitation(token: str, password: str) -> Account:
    check_password(password)
    account = await Account.get_or_none(invitation_digest=digest(token))
    if (account is None or not account.active or account.invitation_expires_at is None
            or account.invitation_expires_at <= now()):
        raise ValidationFailed.single(
            "token", "invitation", "This invitation is unknown, used or expired.")
    account.password_hash = _hasher.hash(password)
    account.invitation_digest = None
    account.invitation_expires_at = None
    await account.save()
    return account


async def set_password(account: Account, password: str) -> None:
    account.password_hash = _hasher.hash(check_password(password))
    await account.save(update_fields=["password_hash"])


async def authenticate(email: str, password: str) -> Account:
    wrong = LoginRefused("Email or password is wrong.")
    account = await Account.get_or_none(email=email.strip().lower())
    at = now()
    if account is None or account.password_hash is None or not account.active:
        try:
            _hasher.verify(_DUMMY_HASH, password)
        except VerificationError:
            pass
        raise wrong
    if account.locked_until is not None and account.locked_until > at:
        seconds = int((account.locked_until - at).total_seconds()) + 1
        raise LoginRefused(
            f"Too many failed logins; try again in {seconds // 60 + 1} minute(s).", seconds)
    try:
        _hasher.verify(account.password_hash, password)
    except (VerificationError, InvalidHashError):
        failed = account.failed_logins + 1
        locked = at + timedelta(minutes=LOCK_MINUTES) if failed >= MAX_FAILED_LOGINS else None
        await Account.filter(id=account.id).update(
            failed_logins=0 if locked else failed, locked_until=locked)
        raise wrong from None
    account.failed_logins = 0
    account.locked_until = None
    account.last_login_at = at
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = _hasher.hash(password)
    await account.save()
    return account


@dataclass(frozen=True, slots=True)
class NewSession:
    session: Session
    token: str  # goes into the cookie, never stored


async def open_session(account: Account, user_agent: str | None,
                       source_address: str | None) -> NewSession:
    token = SESSION_PREFIX + secrets.token_urlsafe(32)
    at = now()
    session = await Session.create(
        account_id=account.id, token_digest=digest(token), created_at=at,
        expires_at=at + timedelta(hours=SESSION_HOURS), last_seen_at=at,
        user_agent=(user_agent or "")[:200] or None, source_address=source_address,
    )
    return NewSession(session, token)


async def viewer_for_session(token: str, request_id: str | None = None,
                             source_address: str | None = None) -> Viewer:
    if not token.startswith(SESSION_PREFIX) or len(token) > 100:
        raise SessionRejected("The session cookie is malformed; sign in again.")
    session = await Session.get_or_none(token_digest=digest(token)).select_related(
        "account__partner")
    at = now()
    if session is None:
        raise SessionRejected("The session is unknown; sign in again.")
    if session.revoked_at is not None:
        raise SessionRejected("You signed out of this session; sign in again.")
    if session.expires_at <= at:
        raise SessionRejected("The session expired; sign in again.")
    account = session.account
    if not account.active:
        raise SessionRejected("This account was deactivated.")
    if session.last_seen_at is None or at - session.last_seen_at >= LAST_SEEN_RESOLUTION:
        await Session.filter(id=session.id).update(last_seen_at=at)
    return Viewer(
        partner_id=account.partner_id,
        partner_kind=account.partner.kind,
        role=account.role,
        # A person holds every scope of their role; keys are what narrow scopes.
        scopes=frozenset(Scope),
        actor=account.email,
        account_id=account.id,
        session_id=session.id,
        partner_code=account.partner.code,
        request_id=request_id,
        source_address=source_address,
    )


async def session_alive(session_id: int) -> bool:
    """For long-lived connections: is the session still valid right now?"""
    session = await Session.get_or_none(id=session_id).select_related("account")
    return bool(session and session.revoked_at is None and session.expires_at > now()
                and session.account.active)


async def close_session(session_id: int) -> None:
    await Session.filter(id=session_id, revoked_at=None).update(revoked_at=now())


async def my_sessions(viewer: Viewer) -> list[Session]:
    if viewer.account_id is None:
        return []
    return list(await Session.filter(account_id=viewer.account_id, revoked_at=None,
                                     expires_at__gt=now()).order_by("-id"))


async def revoke_my_session(viewer: Viewer, session_id: int) -> Session:
    if viewer.account_id is None:
        raise NotAllowed("Only a signed-in person has sessions; API keys have none.",
                         needed="session")
    session = await Session.get_or_none(id=session_id, account_id=viewer.account_id)
    if session is None:
        raise NotFound("session")
    if session.revoked_at is None:
        session.revoked_at = now()
        await session.save(update_fields=["revoked_at"])
    return session


async def deactivate(viewer: Viewer, account_id: int) -> Account:
    account = await managed_by(viewer, Account.filter(id=account_id)).first()
    if account is None:
        raise NotFound("account")
    if account.id == viewer.account_id:
        raise ValidationFailed.single("id", "not_self", "You cannot deactivate yourself.")
    account.active = False
    await account.save(update_fields=["active"])
    await Session.filter(account_id=account.id, revoked_at=None).update(revoked_at=now())
    return account


async def partner_accounts(viewer: Viewer) -> list[Account]:
    return list(await managed_by(viewer, Account.all()).order_by("id"))
