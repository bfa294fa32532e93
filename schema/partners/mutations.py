"""Partner management (BPJS operators)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from models.authorization import require_operator
from models.errors import DomainError
from models.partner_admin import create_partner
from schema.context import Info
from schema.enums import PartnerKind
from schema.errors import NotAllowedError, ValidationError, from_domain
from schema.partners.types import Partner


@strawberry.input(description="A new partner organisation.")
class CreatePartnerInput:
    code: str = strawberry.field(description='Short stable code, e.g. "kbri-hongkong".')
    name: str = strawberry.field(description="Full name.")
    kind: PartnerKind = strawberry.field(description="Kind of organisation.")
    country: str = strawberry.field(description="ISO 3166-1 alpha-2 country.")
    region: str | None = strawberry.field(default=None, description='E.g. "Sabah".')


@strawberry.type(description="The partner was created.")
class CreatePartnerSuccess:
    partner: Partner = strawberry.field(description="The new partner.")


CreatePartnerResult = Annotated[
    CreatePartnerSuccess | ValidationError | NotAllowedError,
    strawberry.union("CreatePartnerResult", description="The new partner, or why not."),
]


@strawberry.type
class PartnerMutations:
    @strawberry.mutation(description="Create a partner organisation (BPJS operators only).")
    async def create_partner(
        self, info: Info,
        input: Annotated[CreatePartnerInput, strawberry.argument(
            description="The new partner.")],
    ) -> CreatePartnerResult:
        try:
            require_operator(info.context.require_viewer())
            row = await create_partner(code=input.code, name=input.name, kind=input.kind,
                                       country=input.country, region=input.region)
        except DomainError as exc:
            return from_domain(exc)  # type: ignore[return-value]
        return CreatePartnerSuccess(partner=Partner(row=row))
