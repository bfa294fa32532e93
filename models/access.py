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

    class Meta:
        table = "api_key"


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
    request_id: str | None = field(default=None, compare=False)

    @property
    def is_operator(self) -> bool:
        return self.role == Role.OPERATOR and self.partner_kind == PartnerKind.BPJS_OFFICE

    @property
    def sees_identifiers(self) -> bool:
        return self.role in ROLES_SEEING_IDENTIFIERS

    def has(self, scope: Scope) -> bool:
        return scope in self.scopes and scope in ROLE_SCOPES[self.role]
