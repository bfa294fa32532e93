"""Who is asking: API keys, and the Viewer every layer below the edge receives."""

from __future__ import annotations

from dataclasses import dataclass, field

from tortoise import fields
from tortoise.models import Model

from models.enums import PartnerKind, Role, Scope
from models.partners import Partner

# What each role may do at most; a key's scopes narrow this, never widen it.
ROLE_SCOPES: dict[Role, frozenset[Scope]] = {
    Role.OPERATOR: frozenset(Scope),
    Role.PARTNER_ADMIN: frozenset(Scope),
    Role.PARTNER_OFFICER: frozenset({Scope.READ, Scope.WRITE, Scope.SUBSCRIBE}),
    Role.PARTNER_VIEWER: frozenset({Scope.READ, Scope.SUBSCRIBE}),
}
# Roles that see full NIK, passport and family-card numbers.
ROLES_SEEING_IDENTIFIERS: frozenset[Role] = frozenset(
    {Role.PARTNER_ADMIN, Role.PARTNER_OFFICER, Role.OPERATOR}
)


class ApiKey(Model):
    id = fields.IntField(primary_key=True)
    partner: fields.ForeignKeyRelation[Partner] = fields.ForeignKeyField(
        "portal.Partner", related_name="api_keys", on_delete=fields.CASCADE
    )
    partner_id: int
    name = fields.CharField(max_length=100)
    # The first characters of the secret, shown in lists so a person can tell keys apart.
    display_prefix = fields.CharField(max_length=24)
    secret_digest = fields.CharField(max_length=64, unique=True)
    role = fields.CharEnumField(Role, max_length=16)
    scopes: list[str] = fields.JSONField(default=list)  # type: ignore[assignment]
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    last_used_at = fields.DatetimeField(null=True)
    created_by = fields.CharField(max_length=200, default="cli")
    # Rotation: the replaced secret keeps working until previous_valid_until.
    previous_secret_digest = fields.CharField(max_length=64, null=True, unique=True)
    previous_valid_until = fields.DatetimeField(null=True)
    # Manage-access keys refuse ad-hoc documents when set (trusted documents only).
    trusted_documents_only = fields.BooleanField(default=False)
    # Long-lived connections opened before this moment are closed (force-disconnect).
    connections_reset_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_key"


class Account(Model):
    """A person: embassy staff, agency officers, BPJS operators (GraphiQL sessions)."""

    id = fields.IntField(primary_key=True)
    partner: fields.ForeignKeyRelation[Partner] = fields.ForeignKeyField(
        "portal.Partner", related_name="accounts", on_delete=fields.CASCADE
    )
    partner_id: int
    email = fields.CharField(max_length=254, unique=True)
    display_name = fields.CharField(max_length=150)
    password_hash = fields.CharField(max_length=200, null=True)  # null until invitation accepted
    role = fields.CharEnumField(Role, max_length=16)
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    created_by = fields.CharField(max_length=200, default="cli")
    invitation_digest = fields.CharField(max_length=64, null=True, unique=True)
    invitation_expires_at = fields.DatetimeField(null=True)
    failed_logins = fields.IntField(default=0)
    locked_until = fields.DatetimeField(null=True)
    last_login_at = fields.DatetimeField(null=True)

    class Meta:
        table = "account"


class Session(Model):
    """A signed-in browser: the cookie holds the token, the database only its digest."""

    id = fields.BigIntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "portal.Account", related_name="sessions", on_delete=fields.CASCADE
    )
    account_id: int
    token_digest = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)
    last_seen_at = fields.DatetimeField(null=True)
    user_agent = fields.CharField(max_length=200, null=True)
    source_address = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "session"
        indexes = (("account_id", "id"),)


class AuditEntry(Model):
    """Append-only record of who did what: mutations, logins, keys, identifier reveals."""

    id = fields.BigIntField(primary_key=True)
    occurred_at = fields.DatetimeField()
    actor = fields.CharField(max_length=200)
    actor_kind = fields.CharField(max_length=10)  # account | api_key | system | anonymous
    partner_id = fields.IntField(null=True)  # the actor's partner
    subject_partner_id = fields.IntField(null=True)  # the partner whose data was touched
    operation = fields.CharField(max_length=60)
    target_type = fields.CharField(max_length=30, null=True)
    target_ids: list[int] = fields.JSONField(default=list)  # type: ignore[assignment]
    outcome = fields.CharField(max_length=40)
    detail: dict[str, object] = fields.JSONField(default=dict)  # type: ignore[assignment]
    request_id = fields.CharField(max_length=64, null=True)
    source_address = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "audit_entry"
        indexes = (("partner_id", "id"), ("subject_partner_id", "id"), ("operation", "id"))


@dataclass(frozen=True, slots=True)
class Viewer:
    """The authenticated caller, as every layer below ``portal/`` sees it."""

    partner_id: int
    partner_kind: PartnerKind
    role: Role
    scopes: frozenset[Scope]
    actor: str
    api_key_id: int | None = None
    account_id: int | None = None
    session_id: int | None = None
    partner_code: str = field(default="", compare=False)
    # The key may only run the published (trusted) documents.
    trusted_documents_only: bool = False
    request_id: str | None = field(default=None, compare=False)
    source_address: str | None = field(default=None, compare=False)

    @property
    def actor_kind(self) -> str:
        if self.account_id is not None:
            return "account"
        return "api_key" if self.api_key_id is not None else "system"

    @property
    def is_operator(self) -> bool:
        return self.role == Role.OPERATOR and self.partner_kind == PartnerKind.BPJS_OFFICE

    @property
    def sees_identifiers(self) -> bool:
        return self.role in ROLES_SEEING_IDENTIFIERS

    def has(self, scope: Scope) -> bool:
        return scope in self.scopes and scope in ROLE_SCOPES[self.role]
