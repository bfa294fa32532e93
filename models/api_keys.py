"""Creating and checking API keys.

A secret is ``ppk_`` followed by 40 random base62 characters: the prefix lets secret
scanners recognise a leaked key. Only a SHA-256 digest is stored (the secret carries 238
bits of entropy, so a slow hash adds nothing), and the secret is returned once.
"""

from __future__ import annotations

import hashlib
import secrets
import string
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from models.access import ROLE_SCOPES, ApiKey, Viewer
from models.clock import now
from models.enums import PartnerKind, Role, Scope
from models.errors import FieldProblem, ValidationFailed
from models.partners import Partner

SECRET_PREFIX = "ppk_"  # noqa: S105 (a public marker, not a secret)
_ALPHABET = string.ascii_letters + string.digits
SECRET_LENGTH = len(SECRET_PREFIX) + 40
LAST_USED_RESOLUTION = timedelta(minutes=1)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    return SECRET_PREFIX + "".join(secrets.choice(_ALPHABET) for _ in range(40))


def looks_like_secret(token: str) -> bool:
    return (
        len(token) == SECRET_LENGTH
        and token.startswith(SECRET_PREFIX)
        and all(c in _ALPHABET for c in token[len(SECRET_PREFIX):])
    )


def check_grant(partner: Partner, role: Role, scopes: Iterable[Scope]) -> frozenset[Scope]:
    problems: list[FieldProblem] = []
    wanted = frozenset(scopes)
    operator_partner = partner.kind == PartnerKind.BPJS_OFFICE
    if (role == Role.OPERATOR) != operator_partner:
        problems.append(FieldProblem(
            "role", "role_for_partner",
            "OPERATOR is the only role of the BPJS office, and only the BPJS office has it.",
        ))
    extra = wanted - ROLE_SCOPES[role]
    if extra:
        problems.append(FieldProblem(
            "scopes", "scopes_within_role",
            f"Role {role.value} cannot hold scopes "
            f"{', '.join(sorted(s.value for s in extra))}.",
        ))
    if not wanted:
        problems.append(FieldProblem("scopes", "required", "Give at least one scope."))
    if problems:
        raise ValidationFailed(problems)
    return wanted


@dataclass(frozen=True, slots=True)
class IssuedKey:
    key: ApiKey
    secret: str  # shown once


async def issue(
    partner: Partner,
    name: str,
    role: Role,
    scopes: Iterable[Scope],
    expires_at: datetime | None = None,
) -> IssuedKey:
    granted = check_grant(partner, role, scopes)
    clean_name = " ".join(name.split())
    if not 1 <= len(clean_name) <= 100:
        raise ValidationFailed.single("name", "length", "A key name is 1 to 100 characters.")
    if expires_at is not None and expires_at <= now():
        raise ValidationFailed.single("expiresAt", "future", "expiresAt must be in the future.")
    secret = new_secret()
    key = await ApiKey.create(
        partner_id=partner.id,
        name=clean_name,
        display_prefix=secret[:10],
        secret_digest=digest(secret),
        role=role,
        scopes=sorted(s.value for s in granted),
        expires_at=expires_at,
    )
    return IssuedKey(key, secret)


class KeyRejected(Exception):
    """The key is unknown, expired or revoked. The message is safe to show."""


async def viewer_for_secret(secret: str, request_id: str | None = None) -> Viewer:
    if not looks_like_secret(secret):
        raise KeyRejected("The API key is malformed (expected ppk_ and 40 letters or digits).")
    key = await ApiKey.get_or_none(secret_digest=digest(secret)).select_related("partner")
    at = now()
    if key is None:
        raise KeyRejected("The API key is not known.")
    if key.revoked_at is not None and key.revoked_at <= at:
        raise KeyRejected("The API key was revoked.")
    if key.expires_at is not None and key.expires_at <= at:
        raise KeyRejected("The API key has expired.")
    if key.last_used_at is None or at - key.last_used_at >= LAST_USED_RESOLUTION:
        # Recorded to the minute, so a busy key costs one write a minute, not one a request.
        await ApiKey.filter(id=key.id).update(last_used_at=at)
    return Viewer(
        partner_id=key.partner_id,
        partner_kind=key.partner.kind,
        role=key.role,
        scopes=frozenset(Scope(s) for s in key.scopes),
        actor=f"key:{key.name}",
        api_key_id=key.id,
        request_id=request_id,
    )
