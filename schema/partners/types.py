"""The Partner type."""

from __future__ import annotations

import strawberry

from models import partners as m
from schema import ids
from schema.enums import PartnerKind
from schema.node import Node


@strawberry.type(
    description="A partner organisation: an embassy, consulate, consortium, agency, or the "
    "BPJS office. Each worker has exactly one owning partner."
)
class Partner(Node):
    row: strawberry.Private[m.Partner]

    @strawberry.field(description="Global, opaque id.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(ids.encode("Partner", self.row.id))

    @strawberry.field(description='Short stable code, e.g. "kbri-hongkong".')
    def code(self) -> str:
        return self.row.code

    @strawberry.field(description="Full name.")
    def name(self) -> str:
        return self.row.name

    @strawberry.field(description="Kind of organisation.")
    def kind(self) -> PartnerKind:
        return self.row.kind

    @strawberry.field(description="Country of the partner (ISO 3166-1 alpha-2).")
    def country(self) -> str:
        return self.row.country

    @strawberry.field(description='Region within the country, e.g. "Sabah".')
    def region(self) -> str | None:
        return self.row.region
