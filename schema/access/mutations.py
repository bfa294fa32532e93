"""Managing access: API keys, accounts, sessions (each a thin call into models/)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

import strawberry

from models import accounts, api_keys
from models.authorization import require_partner_admin
from models.errors import DomainError, NotFound
from models.partners import Partner as PartnerRow
from schema import ids
from schema.access.types import Account, ApiKey, Session
from schema.context import Info
from schema.enums import Role, Scope
from schema.errors import NotAllowedError, NotFoundError, ValidationError, from_domain


@strawberry.type(description="The key was created. Store the secret now: it is shown once.")
class CreateApiKeySuccess:
    api_key: ApiKey = strawberry.field(description="The new key.")
    secret: str = strawberry.field(description="The secret (`ppk_…`), shown only this once.")


@strawberry.type(description="The key was revoked; it stops working at once.")
class RevokeApiKeySuccess:
    api_key: ApiKey = strawberry.field(description="The revoked key.")


@strawberry.type(
    description="The key has a new secret; the old one works until previousSecretValidUntil.")
class RotateApiKeySuccess:
    api_key: ApiKey = strawberry.field(description="The rotated key.")
    secret: str = strawberry.field(description="The new secret, shown only this once.")


@strawberry.type(
    description="Every open subscription of the key is being closed (within seconds).")
class DisconnectApiKeySuccess:
    api_key: ApiKey = strawberry.field(description="The key; it stays valid for new requests.")


@strawberry.type(description="The account was created; send the invitation token to the person.")
class InviteAccountSuccess:
    account: Account = strawberry.field(description="The new account (no password yet).")
    invitation_token: str = strawberry.field(
        description="One-time token for POST /auth/accept-invitation, shown only this once.")
    expires_at: datetime = strawberry.field(description="When the invitation lapses.")


@strawberry.type(description="The account was deactivated and its sessions closed.")
class DeactivateAccountSuccess:
    account: Account = strawberry.field(description="The deactivated account.")


@strawberry.type(description="The session was closed.")
class RevokeSessionSuccess:
    session: Session = strawberry.field(description="The closed session.")


CreateApiKeyResult = Annotated[
    CreateApiKeySuccess | ValidationError | NotAllowedError | NotFoundError,
    strawberry.union("CreateApiKeyResult", description="The new key, or why not."),
]
RevokeApiKeyResult = Annotated[
    RevokeApiKeySuccess | NotFoundError | NotAllowedError,
    strawberry.union("RevokeApiKeyResult", description="The revoked key, or why not."),
]
RotateApiKeyResult = Annotated[
    RotateApiKeySuccess | NotFoundError | NotAllowedError | ValidationError,
    strawberry.union("RotateApiKeyResult", description="The new secret, or why not."),
]
DisconnectApiKeyResult = Annotated[
    DisconnectApiKeySuccess | NotFoundError | NotAllowedError,
    strawberry.union("DisconnectApiKeyResult", description="The key, or why not."),
]
InviteAccountResult = Annotated[
    InviteAccountSuccess | ValidationError | NotAllowedError | NotFoundError,
    strawberry.union("InviteAccountResult", description="The invitation, or why not."),
]
DeactivateAccountResult = Annotated[
    DeactivateAccountSuccess | NotFoundError | NotAllowedError | ValidationError,
    strawberry.union("DeactivateAccountResult", description="The account, or why not."),
]
RevokeSessionResult = Annotated[
    RevokeSessionSuccess | NotFoundError | NotAllowedError,
    strawberry.union("RevokeSessionResult", description="The session, or why not."),
]


def _pk(type_name: str, global_id: str | None) -> int | None:
    return None if global_id is None else (ids.decode_as(type_name, global_id) or 0)


@strawberry.type
class AccessMutations:
    @strawberry.mutation(
        description="Create an API key for your partner (partner admins), or for any partner "
        "(operators, with partnerId). Scopes must lie within the role."
    )
    async def create_api_key(
        self,
        info: Info,
        name: Annotated[str, strawberry.argument(
            description="A name for the key (1-100 characters), shown as the actor.")],
        role: Annotated[Role, strawberry.argument(description="The key's role.")],
        scopes: Annotated[list[Scope], strawberry.argument(
            description="Scopes within the role.")],
        expires_at: Annotated[datetime | None, strawberry.argument(
            description="When it stops working; never when null.")] = None,
        partner_id: Annotated[strawberry.ID | None, strawberry.argument(
            description="Operators only: the partner to create the key for.")] = None,
        trusted_documents_only: Annotated[bool, strawberry.argument(
            description="The key may run only the published operations "
            "(frontend-contract/trusted-documents.json).")] = False,
    ) -> CreateApiKeyResult:
        try:
            issued = await api_keys.issue_for(
                info.context.require_viewer(), _pk("Partner", partner_id), name, role,
                scopes, expires_at, trusted_documents_only)
        except DomainError as exc:
            return from_domain(exc, id=partner_id or "")  # type: ignore[return-value]
        return CreateApiKeySuccess(api_key=ApiKey(row=issued.key), secret=issued.secret)

    @strawberry.mutation(description="Revoke an API key of your partner; it stops at once.")
    async def revoke_api_key(
        self, info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The key's id.")],
    ) -> RevokeApiKeyResult:
        try:
            key = await api_keys.revoke(info.context.require_viewer(), _pk("ApiKey", id) or 0)
        except DomainError as exc:
            return from_domain(exc, id=id)  # type: ignore[return-value]
        return RevokeApiKeySuccess(api_key=ApiKey(row=key))

    @strawberry.mutation(
        description="Give an API key a new secret. The old secret keeps working for "
        "overlapSeconds (default one day, at most 30 days) so integrators can switch."
    )
    async def rotate_api_key(
        self, info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The key's id.")],
        overlap_seconds: Annotated[int, strawberry.argument(
            description="How long the old secret keeps working (0 to 30 days).")] = 86_400,
    ) -> RotateApiKeyResult:
        try:
            issued = await api_keys.rotate(info.context.require_viewer(),
                                           _pk("ApiKey", id) or 0,
                                           timedelta(seconds=overlap_seconds))
        except DomainError as exc:
            return from_domain(exc, id=id)  # type: ignore[return-value]
        return RotateApiKeySuccess(api_key=ApiKey(row=issued.key), secret=issued.secret)

    @strawberry.mutation(
        description="Close every open WebSocket and SSE subscription of an API key without "
        "revoking it (operators: any key; partner admins: their partner's). Clients "
        "reconnect and resume from their cursor."
    )
    async def disconnect_api_key(
        self, info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The key's id.")],
    ) -> DisconnectApiKeyResult:
        try:
            key = await api_keys.disconnect(info.context.require_viewer(),
                                            _pk("ApiKey", id) or 0)
        except DomainError as exc:
            return from_domain(exc, id=id)  # type: ignore[return-value]
        return DisconnectApiKeySuccess(api_key=ApiKey(row=key))

    @strawberry.mutation(
        description="Invite a person to your partner (partner admins; operators may name "
        "any partner). They set a password with the invitation token."
    )
    async def invite_account(
        self,
        info: Info,
        email: Annotated[str, strawberry.argument(description="The person's sign-in email.")],
        display_name: Annotated[str, strawberry.argument(
            description="Name shown in the audit log.")],
        role: Annotated[Role, strawberry.argument(description="Their role.")],
        partner_id: Annotated[strawberry.ID | None, strawberry.argument(
            description="Operators only: the partner to invite into.")] = None,
    ) -> InviteAccountResult:
        viewer = info.context.require_viewer()
        try:
            # Role first, then the lookup: no one learns which partners exist.
            require_partner_admin(viewer)
            pk = viewer.partner_id if partner_id is None else _pk("Partner", partner_id)
            if pk != viewer.partner_id and not viewer.is_operator:
                raise NotFound("partner")
            partner = await PartnerRow.get_or_none(id=pk)
            if partner is None:
                raise NotFound("partner")
            invitation = await accounts.invite(viewer, partner, email, display_name, role)
        except DomainError as exc:
            return from_domain(exc, id=partner_id or "")  # type: ignore[return-value]
        return InviteAccountSuccess(account=Account(row=invitation.account),
                                    invitation_token=invitation.token,
                                    expires_at=invitation.expires_at)

    @strawberry.mutation(
        description="Deactivate an account of your partner; its sessions close at once.")
    async def deactivate_account(
        self, info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The account's id.")],
    ) -> DeactivateAccountResult:
        try:
            account = await accounts.deactivate(info.context.require_viewer(),
                                                _pk("Account", id) or 0)
        except DomainError as exc:
            return from_domain(exc, id=id)  # type: ignore[return-value]
        return DeactivateAccountSuccess(account=Account(row=account))

    @strawberry.mutation(description="Close one of your own sessions (sign out elsewhere).")
    async def revoke_session(
        self, info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The session's id.")],
    ) -> RevokeSessionResult:
        try:
            session = await accounts.revoke_my_session(info.context.require_viewer(),
                                                       _pk("Session", id) or 0)
        except DomainError as exc:
            return from_domain(exc, id=id)  # type: ignore[return-value]
        return RevokeSessionSuccess(session=Session(row=session))
