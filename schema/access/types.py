"""Viewer, API keys, accounts, sessions and audit entries."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from models import access as m
from schema import ids
from schema.context import Info
from schema.enums import Role, Scope
from schema.node import Node
from schema.pagination import Edge, PageInfo
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

    @strawberry.field(description="Who created it.")
    def created_by(self) -> str:
        return self.row.created_by

    @strawberry.field(description="Expiry time; null when it does not expire.")
    def expires_at(self) -> datetime | None:
        return self.row.expires_at

    @strawberry.field(description="Revocation time; null while valid.")
    def revoked_at(self) -> datetime | None:
        return self.row.revoked_at

    @strawberry.field(description="Last time it authenticated a request (to the minute).")
    def last_used_at(self) -> datetime | None:
        return self.row.last_used_at

    @strawberry.field(description="True when the key may run only the published operations.")
    def trusted_documents_only(self) -> bool:
        return self.row.trusted_documents_only

    @strawberry.field(description="Until when the secret replaced by the last rotation works.")
    def previous_secret_valid_until(self) -> datetime | None:
        return self.row.previous_valid_until


@strawberry.type(description="A person's account (staff of a partner or of BPJS).")
class Account(Node):
    row: strawberry.Private[m.Account]

    @strawberry.field(description="Global, opaque id.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(ids.encode("Account", self.row.id))

    @strawberry.field(description="Sign-in email.")
    def email(self) -> str:
        return self.row.email

    @strawberry.field(description="Name shown in the audit log.")
    def display_name(self) -> str:
        return self.row.display_name

    @strawberry.field(description="Role.")
    def role(self) -> Role:
        return self.row.role

    @strawberry.field(description="False once deactivated; a deactivated account cannot sign in.")
    def active(self) -> bool:
        return self.row.active

    @strawberry.field(description="True until the invitation is accepted.")
    def invitation_pending(self) -> bool:
        return self.row.password_hash is None

    @strawberry.field(description="Creation time.")
    def created_at(self) -> datetime:
        return self.row.created_at

    @strawberry.field(description="Last successful sign-in.")
    def last_login_at(self) -> datetime | None:
        return self.row.last_login_at


@strawberry.type(description="A signed-in browser session of yours.")
class Session(Node):
    row: strawberry.Private[m.Session]

    @strawberry.field(description="Global, opaque id.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(ids.encode("Session", self.row.id))

    @strawberry.field(description="When you signed in.")
    def created_at(self) -> datetime:
        return self.row.created_at

    @strawberry.field(description="When it stops working.")
    def expires_at(self) -> datetime:
        return self.row.expires_at

    @strawberry.field(description="Last request (to the minute).")
    def last_seen_at(self) -> datetime | None:
        return self.row.last_seen_at

    @strawberry.field(description="The browser, as it announced itself.")
    def user_agent(self) -> str | None:
        return self.row.user_agent

    @strawberry.field(description="The address it signed in from.")
    def source_address(self) -> str | None:
        return self.row.source_address

    @strawberry.field(description="True for the session making this request.")
    def current(self, info: Info) -> bool:
        viewer = info.context.viewer
        return viewer is not None and viewer.session_id == self.row.id


@strawberry.type(description="One entry of the append-only audit log.")
class AuditEntry(Node):
    row: strawberry.Private[m.AuditEntry]

    @strawberry.field(description="Global, opaque id.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(ids.encode("AuditEntry", self.row.id))

    @strawberry.field(description="When (UTC).")
    def occurred_at(self) -> datetime:
        return self.row.occurred_at

    @strawberry.field(description="Who: account email, `key:<name>`, or `system:…`.")
    def actor(self) -> str:
        return self.row.actor

    @strawberry.field(description="account, api_key, system or anonymous.")
    def actor_kind(self) -> str:
        return self.row.actor_kind

    @strawberry.field(
        description="What: `mutation:<name>`, `login`, `logout`, `reveal_identifiers`, …")
    def operation(self) -> str:
        return self.row.operation

    @strawberry.field(description="Kind of the objects concerned (Worker, ApiKey, …).")
    def target_type(self) -> str | None:
        return self.row.target_type

    @strawberry.field(description="Global ids of the objects concerned.")
    def target_ids(self) -> list[strawberry.ID]:
        kind = self.row.target_type
        if kind is None:
            return []
        return [strawberry.ID(ids.encode(kind, i)) for i in self.row.target_ids]

    @strawberry.field(description="`ok`, or the typed error / refusal that answered.")
    def outcome(self) -> str:
        return self.row.outcome

    @strawberry.field(description="Request id, as in the X-Request-ID response header.")
    def request_id(self) -> str | None:
        return self.row.request_id

    @strawberry.field(description="Client address.")
    def source_address(self) -> str | None:
        return self.row.source_address

    @strawberry.field(description="Extra facts (argument names, counts); never identifiers.")
    def detail(self) -> JSON:
        return self.row.detail


AuditEntryEdge = Edge[AuditEntry]


@strawberry.type(description="A page of audit entries, newest first.")
class AuditEntryConnection:
    edges: list[AuditEntryEdge] = strawberry.field(description="The rows of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page sits.")


@strawberry.type(description="Who you are: partner, role and scopes.")
class Viewer:
    partner: Partner = strawberry.field(
        description="Your partner; BPJS operators belong to a BPJS_OFFICE partner that owns "
        "no workers.")
    role: Role = strawberry.field(description="Your role.")
    scopes: list[Scope] = strawberry.field(description="Your effective scopes.")
    account: Account | None = strawberry.field(
        description="Your account when signed in; null for an API key.")
    api_key: ApiKey | None = strawberry.field(
        description="The key you authenticated with; null for a session.")
