"""Viewer and API key types."""

from __future__ import annotations

from datetime import datetime

import strawberry

from models import access as m
from schema import ids
from schema.enums import Role, Scope
from schema.node import Node
from schema.partners.types import Partner


@strawberry.type(description="An API key (its secret is shown only once, at creation).")
class ApiKey(Node):
    row: strawberry.Private[m.ApiKey]

    @strawberry.field(description="Global, opaque id.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(ids.encode("ApiKey", self.row.id))

    @strawberry.field(description="Name given at creation; shown as the actor of its changes.")
    def name(self) -> str:
        return self.row.name

    @strawberry.field(description="The secret's first characters, to tell keys apart.")
    def prefix(self) -> str:
        return self.row.display_prefix

    @strawberry.field(description="Role.")
    def role(self) -> Role:
        return self.row.role

    @strawberry.field(description="Scopes.")
    def scopes(self) -> list[Scope]:
        return [m.Scope(s) for s in self.row.scopes]

    @strawberry.field(description="Creation time.")
    def created_at(self) -> datetime:
        return self.row.created_at

    @strawberry.field(description="Expiry time; null when it does not expire.")
    def expires_at(self) -> datetime | None:
        return self.row.expires_at

    @strawberry.field(description="Revocation time; null while valid.")
    def revoked_at(self) -> datetime | None:
        return self.row.revoked_at

    @strawberry.field(description="Last time it authenticated a request (to the minute).")
    def last_used_at(self) -> datetime | None:
        return self.row.last_used_at


@strawberry.type(description="Who you are: partner, role and scopes.")
class Viewer:
    partner: Partner = strawberry.field(
        description="Your partner; BPJS operators belong to a BPJS_OFFICE partner that owns "
        "no workers.")
    role: Role = strawberry.field(description="Your role.")
    scopes: list[Scope] = strawberry.field(description="Your effective scopes.")
    api_key: ApiKey | None = strawberry.field(
        description="The key you authenticated with; null for a session.")
