"""The Partner type."""

from __future__ import annotations

import strawberry

from models import partners as m
from schema.enums import PartnerKind
from schema.node import Node
from schema.rows import from_row


@strawberry.type(
    description="A partner organisation: an embassy, consulate, consortium, agency, or the "
    "BPJS office. Each worker has exactly one owning partner."
)
class Partner(Node):
    row: strawberry.Private[m.Partner]
    id: strawberry.ID = from_row("Global, opaque id.")

    code: str = from_row('Short stable code, e.g. "kbri-hongkong".')
    name: str = from_row("Full name.")
    kind: PartnerKind = from_row("Kind of organisation.")
    country: str = from_row("Country of the partner (ISO 3166-1 alpha-2).")
    region: str | None = from_row('Region within the country, e.g. "Sabah".')
