"""Input types for worker mutations, and their conversion to the domain's plain dicts."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Any

import strawberry

from schema.enums import EmployerType, Gender, HeirRelation, JobSector, PlacementScheme


@strawberry.input(description="An heir, in the order of entitlement.")
class HeirInput:
    full_name: str = strawberry.field(description="Name as on the ID card.")
    relation: HeirRelation = strawberry.field(description="Relation to the worker.")
    phone: str | None = strawberry.field(default=None, description="E.164 phone number.")


@strawberry.input(description="Identifiers of the worker in other systems.")
class ExternalIdsInput:
    siskop2mi_id: str | None = strawberry.field(default=None,
                                                description="SISKOP2MI candidate id.")
    kpj_number: str | None = strawberry.field(default=None,
                                              description="BPJS card number (KPJ).")


@strawberry.input(
    description="A new worker. The owning partner is always the caller's; there is no "
    "partner argument."
)
class RegisterWorkerInput:
    nik: str = strawberry.field(
        description="16-digit NIK; must agree with birthDate and gender (women: day + 40).")
    full_name: str = strawberry.field(
        description="As on the passport: 1-150 letters, spaces, ' . -")
    birth_date: date = strawberry.field(description="Age 18-60 at registration.")
    gender: Gender = strawberry.field(description="Gender, as encoded in the NIK.")
    destination_country: str = strawberry.field(
        description="ISO 3166-1 alpha-2, not ID.")
    job_sector: JobSector = strawberry.field(description="Job sector.")
    placement_scheme: PlacementScheme = strawberry.field(description="Placement scheme.")
    birth_place: str | None = strawberry.field(default=None, description="Place of birth.")
    passport_number: str | None = strawberry.field(
        default=None, description="Required before the worker can move to DEPARTED.")
    family_card_number: str | None = strawberry.field(
        default=None, description="Family card (KK) number, 16 digits.")
    phone: str | None = strawberry.field(default=None, description="E.164, e.g. +6281234567890.")
    destination_region: str | None = strawberry.field(
        default=None, description="Malaysia: Peninsular, Sabah or Sarawak.")
    employer_name: str | None = strawberry.field(default=None, description="Employer's name.")
    employer_type: EmployerType | None = strawberry.field(default=None,
                                                          description="Kind of employer.")
    contract_start: date | None = strawberry.field(
        default=None, description="Required (with contractEnd) before DEPARTED.")
    contract_end: date | None = strawberry.field(
        default=None, description="After contractStart.")
    heirs: list[HeirInput] | None = strawberry.field(
        default=None, description="Heirs in the order of entitlement (at most 10).")
    external_ids: ExternalIdsInput | None = strawberry.field(
        default=None, description="Identifiers in other systems.")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def to_raw(value: Any) -> Any:
    """An input object as the domain's dict with API field names (camelCase), None dropped."""
    if isinstance(value, list):
        return [to_raw(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if hasattr(value, "__strawberry_definition__"):
        out: dict[str, Any] = {}
        for f in value.__strawberry_definition__.fields:
            item = getattr(value, f.python_name)
            if item is not None and item is not strawberry.UNSET:
                out[_camel(f.python_name)] = to_raw(item)
        return out
    return value
