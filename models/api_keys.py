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

from models import prepared
from models.access import ROLE_SCOPES, ApiKey, Viewer
from models.authorization import managed_by, require_partner_admin
from models.clock import now
from models.enums import PartnerKind, Role, Scope
from models.errors import FieldProblem, NotFound, ValidationFailed
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
    created_by: str = "cli",
    trusted_documents_only: bool = False,
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
        created_by=created_by,
        trusted_documents_only=trusted_documents_only,
    )
    return IssuedKey(key, secret)


async def issue_for(viewer: Viewer, partner_id: int | None, name: str, role: Role,
                    scopes: Iterable[Scope], expires_at: datetime | None,
                    trusted_documents_only: bool = False) -> IssuedKey:
    """createApiKey: partner admins for their partner; operators for any partner."""
    require_partner_admin(viewer)
    target = partner_id if partner_id is not None else viewer.partner_id
    if target != viewer.partner_id and not viewer.is_operator:
        raise NotFound("partner")
    partner = await Partner.get_or_none(id=target)
    if partner is None:
        raise NotFound("partner")
    return await issue(partner, name, role, scopes, expires_at, created_by=viewer.actor,
                       trusted_documents_only=trusted_documents_only)


async def _managed_key(viewer: Viewer, key_id: int) -> ApiKey:
    key = await managed_by(viewer, ApiKey.filter(id=key_id)).first()
    if key is None:
        raise NotFound("API key")
    return key


async def revoke(viewer: Viewer, key_id: int) -> ApiKey:
    key = await _managed_key(viewer, key_id)
    if key.revoked_at is None:
        key.revoked_at = now()
        await key.save(update_fields=["revoked_at"])
    return key


MAX_OVERLAP = timedelta(days=30)


async def rotate(viewer: Viewer, key_id: int, overlap: timedelta) -> IssuedKey:
    """A new secret; the old one keeps working until now + overlap, then stops."""
    if not timedelta(0) <= overlap <= MAX_OVERLAP:
        raise ValidationFailed.single(
            "overlapSeconds", "range", "The overlap is 0 seconds to 30 days.")
    key = await _managed_key(viewer, key_id)
    at = now()
    if key.revoked_at is not None or (key.expires_at is not None and key.expires_at <= at):
        raise ValidationFailed.single("id", "key_inactive",
                                      "A revoked or expired key cannot be rotated.")
    secret = new_secret()
    key.previous_secret_digest = key.secret_digest if overlap else None
    key.previous_valid_until = at + overlap if overlap else None
    key.secret_digest = digest(secret)
    key.display_prefix = secret[:10]
    await key.save()
    return IssuedKey(key, secret)


async def partner_keys(viewer: Viewer) -> list[ApiKey]:
    return list(await managed_by(viewer, ApiKey.all()).order_by("id"))


class KeyRejected(Exception):
    """The key is unknown, expired or revoked. The message is safe to show."""


async def _key_by(column: str, hashed: str) -> ApiKey | None:
    found = await prepared.fetch(("api key by", column),
                                 lambda v: ApiKey.filter(**{column: v[0]}), [hashed])
    return found[0] if found else None


async def viewer_for_secret(secret: str, request_id: str | None = None,
                            source_address: str | None = None) -> Viewer:
    if not looks_like_secret(secret):
        raise KeyRejected("The API key is malformed (expected ppk_ and 40 letters or digits).")
    hashed = digest(secret)
    # Every request starts here: the two lookups reuse their SQL (models.prepared).
    key = await _key_by("secret_digest", hashed)
    at = now()
    if key is None:
        # A rotated-out secret still works during its overlap.
        key = await _key_by("previous_secret_digest", hashed)
        if key is not None and (key.previous_valid_until is None
                                or key.previous_valid_until <= at):
            raise KeyRejected("The API key was rotated and its overlap has ended.")
    if key is None:
        raise KeyRejected("The API key is not known.")
    if key.revoked_at is not None and key.revoked_at <= at:
        raise KeyRejected("The API key was revoked.")
    if key.expires_at is not None and key.expires_at <= at:
        raise KeyRejected("The API key has expired.")
    if key.last_used_at is None or at - key.last_used_at >= LAST_USED_RESOLUTION:
        # Recorded to the minute, so a busy key costs one write a minute, not one a request.
        await ApiKey.filter(id=key.id).update(last_used_at=at)
    partners = await prepared.fetch(("partner by id",),
                                    lambda v: Partner.filter(id=v[0]), [key.partner_id])
    partner = partners[0]
    return Viewer(
        partner_id=key.partner_id,
        partner_kind=partner.kind,
        role=key.role,
        scopes=frozenset(Scope(s) for s in key.scopes),
        actor=f"key:{key.name}",
        api_key_id=key.id,
        trusted_documents_only=key.trusted_documents_only,
        partner_code=partner.code,
        request_id=request_id,
        source_address=source_address,
    )


async def key_alive(key_id: int, connected_at: datetime | None = None) -> bool:
    """For long-lived connections: does this key still authenticate right now, and was the
    connection not force-disconnected since it opened?"""
    return key_usable(await ApiKey.get_or_none(id=key_id), now(), connected_at)


def key_usable(key: ApiKey | None, at: datetime, connected_at: datetime | None = None) -> bool:
    """The rule of key_alive on a key already read (portal.liveness checks many at once)."""
    if key is None or (key.revoked_at is not None and key.revoked_at <= at):
        return False
    if key.expires_at is not None and key.expires_at <= at:
        return False
    reset = key.connections_reset_at
    return not (reset is not None and connected_at is not None and reset >= connected_at)


async def disconnect(viewer: Viewer, key_id: int) -> ApiKey:
    """Close every open subscription of a key (within seconds, on every process) without
    revoking it: operators for any key, partner admins for their partner's."""
    key = await _managed_key(viewer, key_id)
    key.connections_reset_at = now()
    await key.save(update_fields=["connections_reset_at"])
    return key
