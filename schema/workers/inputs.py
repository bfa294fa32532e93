"""Input types for worker mutations, and their conversion to the domain's plain dicts."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import date
from enum import Enum
from typing import Any

import strawberry
from strawberry.types.arguments import InputContext
from strawberry.types.base import StrawberryList, StrawberryOptional, has_object_definition

from models.bulk_import import ImportMode as DomainImportMode
from schema.enums import (
    ContributionKind,
    EmployerType,
    Gender,
    HeirRelation,
    JobSector,
    PlacementScheme,
)


def _nested_input(type_: Any) -> bool:
    while isinstance(type_, StrawberryOptional | StrawberryList):
        type_ = type_.of_type
    return has_object_definition(type_)


def direct_from_input(cls: type) -> type:
    """Build ``cls`` from its GraphQL input value without Strawberry's generic conversion.

    importWorkers takes 10,000 RegisterWorkerInput rows; converting them field by field the
    generic way cost three quarters of the whole import. graphql-core has already coerced
    every leaf (scalars parsed, enums as members), so only nested inputs (heirs,
    externalIds) still need converting, which this leaves to Strawberry.
    """
    definition = cls.__strawberry_definition__  # type: ignore[attr-defined]
    plan: list[tuple[str, str, Any]] = []

    def from_input(type_: type, value: Mapping[str, Any], ctx: InputContext) -> Any:
        if not plan:
            for field in definition.fields:
                field_type = field.resolve_type(type_definition=definition)
                plan.append((ctx.config.name_converter.from_field(field), field.python_name,
                             field_type if _nested_input(field_type) else None))
        kwargs: dict[str, Any] = {}
        for graphql_name, python_name, nested in plan:
            if graphql_name in value:
                item = value[graphql_name]
                kwargs[python_name] = (item if nested is None or item is None
                                       else ctx.convert(item, nested, graphql_name))
        return type_(**kwargs)

    definition.from_input = from_input
    return cls


@direct_from_input
@strawberry.input(description="An heir, in the order of entitlement.")
class HeirInput:
    full_name: str = strawberry.field(description="Name as on the ID card.")
    relation: HeirRelation = strawberry.field(description="Relation to the worker.")
    phone: str | None = strawberry.field(default=None, description="E.164 phone number.")


@direct_from_input
@strawberry.input(description="Identifiers of the worker in other systems.")
class ExternalIdsInput:
    # UNSET rather than None: in updateWorker a null clears the identifier, absence keeps it.
    siskop2mi_id: str | None = strawberry.field(default=strawberry.UNSET,
                                                description="SISKOP2MI candidate id.")
    kpj_number: str | None = strawberry.field(default=strawberry.UNSET,
                                              description="BPJS card number (KPJ).")


@direct_from_input
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


@strawberry.input(
    description="Fields to change on a worker. Leave a field out to keep it; send null to "
    "clear an optional one. Identity (NIK, name, birth date, gender) is corrected by "
    "operators with correctIdentity."
)
class UpdateWorkerInput:
    birth_place: str | None = strawberry.field(
        default=strawberry.UNSET, description="Place of birth; null clears it.")
    passport_number: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="Passport number; null clears it (not while the worker is abroad).")
    family_card_number: str | None = strawberry.field(
        default=strawberry.UNSET, description="Family card (KK) number, 16 digits; null "
        "clears it.")
    phone: str | None = strawberry.field(
        default=strawberry.UNSET, description="E.164 phone number; null clears it.")
    destination_country: str | None = strawberry.field(
        default=strawberry.UNSET, description="ISO 3166-1 alpha-2, not ID. A new country "
        "clears a region that belonged to the old one.")
    destination_region: str | None = strawberry.field(
        default=strawberry.UNSET, description="Malaysia: Peninsular, Sabah or Sarawak; null "
        "clears it.")
    employer_name: str | None = strawberry.field(
        default=strawberry.UNSET, description="Employer's name; null clears it.")
    employer_type: EmployerType | None = strawberry.field(
        default=strawberry.UNSET, description="Kind of employer; null clears it.")
    job_sector: JobSector | None = strawberry.field(
        default=strawberry.UNSET, description="Job sector.")
    placement_scheme: PlacementScheme | None = strawberry.field(
        default=strawberry.UNSET, description="Placement scheme.")
    contract_start: date | None = strawberry.field(
        default=strawberry.UNSET, description="Contract start. Not changeable while the "
        "worker is abroad.")
    contract_end: date | None = strawberry.field(
        default=strawberry.UNSET, description="Contract end, after contractStart. While the "
        "worker is abroad the contract is lengthened with extendContract.")
    heirs: list[HeirInput] | None = strawberry.field(
        default=strawberry.UNSET, description="The whole list of heirs, replacing the one on "
        "record (at most 10); null or [] removes them all. addHeir and removeHeir change "
        "one at a time.")
    external_ids: ExternalIdsInput | None = strawberry.field(
        default=strawberry.UNSET, description="Identifiers in other systems; a null inside "
        "clears that one, null clears both.")


@strawberry.input(description="A contribution paid for a worker.")
class RecordContributionInput:
    worker_id: strawberry.ID = strawberry.field(description="The worker's global id.")
    kind: ContributionKind = strawberry.field(
        description="What it pays for. Extensions are paid with extendContract.")
    amount: int = strawberry.field(
        description="Amount paid, in whole rupiah. Must equal the amount the rules give "
        "(e.g. 37500 before placement; 332500 for a 24-month contract).")
    paid_on: date = strawberry.field(
        description="Day of payment (Asia/Jakarta); not in the future, not before "
        "2023-02-22 (Permenaker 4/2023).")
    months: int | None = strawberry.field(
        default=None, description="JHT: months paid for (1-60). Other kinds: optional, "
        "must match the months the rules give.")
    jht_monthly_amount: int | None = strawberry.field(
        default=None, description="JHT only: the chosen monthly amount (50000, 100000, "
        "200000, 300000, 400000, 500000 or 600000).")


@strawberry.input(description="Identity fields an operator corrects; give at least one.")
class CorrectIdentityInput:
    nik: str | None = strawberry.field(
        default=None, description="The correct NIK; must agree with birth date and gender.")
    full_name: str | None = strawberry.field(
        default=None, description="The name as on the passport.")
    birth_date: date | None = strawberry.field(
        default=None, description="The correct birth date (age 18-60 on the day of "
        "registration).")
    gender: Gender | None = strawberry.field(default=None, description="The correct gender.")


ImportMode = strawberry.enum(DomainImportMode, description="What happens to the good rows "
                             "of an import when some rows fail.")
for _value in ImportMode.__strawberry_definition__.values:
    _value.description = {
        "ALL_OR_NOTHING": "Write nothing if any row fails; every row's problems are "
        "reported.",
        "BEST_EFFORT": "Write the rows that pass; report the others.",
    }[_value.name]


@functools.cache
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


def to_patch(value: Any) -> dict[str, Any]:
    """An update input as the domain's dict: fields left out are absent, fields sent as
    null are present with None (to clear them)."""
    out: dict[str, Any] = {}
    for f in value.__strawberry_definition__.fields:
        item = getattr(value, f.python_name)
        if item is strawberry.UNSET:
            continue
        if hasattr(item, "__strawberry_definition__"):
            out[_camel(f.python_name)] = {
                _camel(g.python_name): to_raw(getattr(item, g.python_name))
                for g in item.__strawberry_definition__.fields
                if getattr(item, g.python_name) is not strawberry.UNSET
            }
        else:
            out[_camel(f.python_name)] = None if item is None else to_raw(item)
    return out
