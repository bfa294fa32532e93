"""Validation of a worker's fields as they arrive from GraphQL, the CLI import or demo data.

Input uses the API's field names (camelCase); the result uses column names, with
identifiers still in plaintext (sealing happens when the row is written, in
``new_worker_row`` or ``models.worker_changes``). Every problem is reported at once, each
naming its field and rule. Three shapes of input: a registration (``validate``), a partial
update that may also clear fields (``validate_update``) and an operator's identity
correction (``validate_identity``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from models import lifecycle
from models import validators as v
from models.coverage import contract_months
from models.enums import (
    EmployerType,
    Gender,
    HeirRelation,
    JobSector,
    MembershipStatus,
    PlacementScheme,
    PlacementStatus,
)
from models.errors import Problems, ValidationFailed
from models.workers import FAMILY_CARD, NIK, PASSPORT, sealed_pair

MAX_HEIRS = 10
MAX_CONTRACT_MONTHS = 120
EARLIEST_CONTRACT = date(2000, 1, 1)
_ISO_DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")

REQUIRED_FOR_REGISTRATION = (
    "nik",
    "fullName",
    "birthDate",
    "gender",
    "destinationCountry",
    "jobSector",
    "placementScheme",
)
# Fields a partner may change with updateWorker. Identity (NIK, name, birth date, gender)
# is corrected by operators only, through correctIdentity.
UPDATABLE = (
    "birthPlace",
    "passportNumber",
    "familyCardNumber",
    "phone",
    "destinationCountry",
    "destinationRegion",
    "employerName",
    "employerType",
    "jobSector",
    "placementScheme",
    "contractStart",
    "contractEnd",
    "heirs",
    "externalIds",
)

COLUMN_OF: dict[str, str] = {
    "nik": "nik",
    "fullName": "full_name",
    "birthDate": "birth_date",
    "gender": "gender",
    "birthPlace": "birth_place",
    "passportNumber": "passport",
    "familyCardNumber": "family_card",
    "phone": "phone",
    "destinationCountry": "destination_country",
    "destinationRegion": "destination_region",
    "employerName": "employer_name",
    "employerType": "employer_type",
    "jobSector": "job_sector",
    "placementScheme": "placement_scheme",
    "contractStart": "contract_start",
    "contractEnd": "contract_end",
    "heirs": "heirs",
}
EXTERNAL_ID_COLUMNS: dict[str, str] = {"siskop2miId": "siskop2mi_id", "kpjNumber": "kpj_number"}
# Optional fields an update may clear by sending null; the value they are cleared to.
CLEARABLE: dict[str, Any] = {
    "birthPlace": None,
    "passportNumber": None,
    "familyCardNumber": None,
    "phone": None,
    "destinationRegion": None,
    "employerName": None,
    "employerType": None,
    "heirs": [],
    "externalIds": None,
}
IDENTITY_FIELDS = ("nik", "fullName", "birthDate", "gender")
# Columns holding identifiers, by the kind their seal is bound to (models.identifiers).
IDENTIFIER_COLUMNS = {"nik": NIK, "passport": PASSPORT, "family_card": FAMILY_CARD}


@dataclass(frozen=True, slots=True)
class Current:
    """What is on record already, for rules that compare new with existing values."""

    destination_country: str | None
    destination_region: str | None
    contract_start: date | None
    contract_end: date | None


def _enum(problems: Problems, enum: type, value: Any, field: str) -> Any:
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(m.value for m in enum)
        problems.add(field, "enum", f"{field} must be one of {allowed}.")
        return None


def _date(problems: Problems, value: Any, field: str) -> date | None:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    # fromisoformat alone would also take 20240101 or 2024-W01-1.
    if isinstance(value, str) and _ISO_DATE_RE.match(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    problems.add(field, "date", f"{field} must be a date in the form YYYY-MM-DD.")
    return None


def _heirs(problems: Problems, value: Any) -> list[dict[str, Any]] | None:
    if not isinstance(value, list):
        problems.add("heirs", "type", "heirs must be a list.")
        return None
    if len(value) > MAX_HEIRS:
        problems.add("heirs", "max_items", f"At most {MAX_HEIRS} heirs.")
        return None
    cleaned: list[dict[str, Any]] = []
    for i, heir in enumerate(value):
        prefix = f"heirs[{i}]"
        if not isinstance(heir, Mapping):
            problems.add(prefix, "type", f"{prefix} must be an object.")
            continue
        name: str | None = None
        relation: HeirRelation | None = None
        if heir.get("fullName") is None:
            problems.add(f"{prefix}.fullName", "required", f"{prefix}.fullName is required.")
        else:
            name = problems.run(v.full_name, heir["fullName"], f"{prefix}.fullName")
        if heir.get("relation") is None:
            problems.add(f"{prefix}.relation", "required", f"{prefix}.relation is required.")
        else:
            relation = _enum(problems, HeirRelation, heir["relation"], f"{prefix}.relation")
        item: dict[str, Any] = {"fullName": name, "relation": relation and relation.value}
        if heir.get("phone") is not None:
            item["phone"] = problems.run(v.phone, heir["phone"], f"{prefix}.phone")
        cleaned.append(item)
    return cleaned


def validate(
    raw: Mapping[str, Any], *, today: date, current: Current | None = None
) -> dict[str, Any]:
    """Registration when ``current`` is None (all required fields), an update otherwise."""
    p = Problems()
    out: dict[str, Any] = {}
    registering = current is None
    if registering:
        for name in REQUIRED_FOR_REGISTRATION:
            if raw.get(name) is None:
                p.add(name, "required", f"{name} is required.")
    else:
        for name in raw:
            if name not in UPDATABLE:
                p.add(name, "not_updatable", f"{name} cannot be changed with updateWorker.")

    def given(name: str) -> bool:
        # On update, a field that may not change is reported once (not_updatable), not
        # validated as well.
        return raw.get(name) is not None and (registering or name in UPDATABLE)

    if given("fullName"):
        out["full_name"] = p.run(v.full_name, raw["fullName"])
    if given("gender"):
        out["gender"] = _enum(p, Gender, raw["gender"], "gender")
    if given("birthDate"):
        born = _date(p, raw["birthDate"], "birthDate")
        out["birth_date"] = born and p.run(v.birth_date, born, today)
    if given("nik"):
        nik = p.run(v.nik, raw["nik"])
        if nik and out.get("birth_date") and out.get("gender"):
            p.run(v.nik_agrees, nik, out["birth_date"], out["gender"])
        out["nik"] = nik
    if given("birthPlace"):
        out["birth_place"] = p.run(v.bounded_text, raw["birthPlace"], "birthPlace", 100)
    if given("passportNumber"):
        out["passport"] = p.run(v.passport_number, raw["passportNumber"])
    if given("familyCardNumber"):
        out["family_card"] = p.run(v.family_card_number, raw["familyCardNumber"])
    if given("phone"):
        out["phone"] = p.run(v.phone, raw["phone"])
    if given("destinationCountry"):
        out["destination_country"] = p.run(v.destination_country, raw["destinationCountry"])
    country = out.get("destination_country") or (current and current.destination_country)
    if given("destinationRegion"):
        out["destination_region"] = p.run(
            v.destination_region, raw["destinationRegion"], country
        )
    elif not registering and given("destinationCountry") and current:
        # A new country invalidates a region that belonged to the old one.
        if current.destination_region and country != current.destination_country:
            out["destination_region"] = None
    if given("employerName"):
        out["employer_name"] = p.run(v.bounded_text, raw["employerName"], "employerName", 200)
    if given("employerType"):
        out["employer_type"] = _enum(p, EmployerType, raw["employerType"], "employerType")
    if given("jobSector"):
        out["job_sector"] = _enum(p, JobSector, raw["jobSector"], "jobSector")
    if given("placementScheme"):
        out["placement_scheme"] = _enum(
            p, PlacementScheme, raw["placementScheme"], "placementScheme"
        )
    _contract(p, raw, out, current)
    if given("heirs"):
        out["heirs"] = _heirs(p, raw["heirs"])
    ext = raw.get("externalIds")
    if given("externalIds"):
        if not isinstance(ext, Mapping):
            p.add("externalIds", "type", "externalIds must be an object.")
        else:
            if ext.get("siskop2miId") is not None:
                out["siskop2mi_id"] = p.run(v.siskop2mi_id, ext["siskop2miId"])
            if ext.get("kpjNumber") is not None:
                out["kpj_number"] = p.run(v.kpj_number, ext["kpjNumber"])
    p.raise_if_any()
    return out


def _contract(
    p: Problems, raw: Mapping[str, Any], out: dict[str, Any], current: Current | None
) -> None:
    for name, column in (("contractStart", "contract_start"), ("contractEnd", "contract_end")):
        if raw.get(name) is not None:
            d = _date(p, raw[name], name)
            if d is not None and d < EARLIEST_CONTRACT:
                p.add(name, "too_early", f"{name} cannot be before {EARLIEST_CONTRACT}.")
                d = None
            out[column] = d
    start = out.get("contract_start") or (current and current.contract_start)
    end = out.get("contract_end") or (current and current.contract_end)
    if p.has("contractStart") or p.has("contractEnd"):
        return
    if ("contract_start" in out) != ("contract_end" in out) and current is None:
        missing = "contractEnd" if "contract_start" in out else "contractStart"
        p.add(missing, "contract_pair", "contractStart and contractEnd are given together.")
        return
    if start and end:
        p.run(v.date_order, start, end, "contractEnd", "contractStart")
        # Counted as contributions count it: 1 Jan 2024 to 1 Jan 2034 is 121 months.
        if end > start and contract_months(start, end) > MAX_CONTRACT_MONTHS:
            p.add("contractEnd", "max_length", "A contract is at most 10 years long.")


def validate_update(
    patch: Mapping[str, Any], *, today: date, current: Current, abroad: bool
) -> dict[str, Any]:
    """A partial update: given fields are validated as on registration, fields sent as
    null are cleared when they are optional. ``abroad``: the worker is in a DURING status,
    where the passport must stay and the contract moves only with extendContract."""
    p = Problems()
    given = {k: val for k, val in patch.items() if val is not None}
    cleared = [k for k, val in patch.items() if val is None]
    ext = given.get("externalIds")
    if isinstance(ext, Mapping):
        # externalIds {kpjNumber: null} clears that one identifier.
        cleared_ext = [k for k, val in ext.items() if val is None and k in EXTERNAL_ID_COLUMNS]
        given["externalIds"] = {k: val for k, val in ext.items() if val is not None}
    else:
        cleared_ext = []
    try:
        out = validate(given, today=today, current=current)
    except ValidationFailed as exc:
        p.items.extend(exc.problems)
        out = {}
    for name in cleared:
        if name not in UPDATABLE:
            p.add(name, "not_updatable", f"{name} cannot be changed with updateWorker.")
        elif name not in CLEARABLE:
            p.add(name, "required", f"{name} cannot be cleared; send a new value instead.")
        elif name == "externalIds":
            out.update(dict.fromkeys(EXTERNAL_ID_COLUMNS.values()))
        else:
            out[COLUMN_OF[name]] = CLEARABLE[name]
    for name in cleared_ext:
        out[EXTERNAL_ID_COLUMNS[name]] = None
    if abroad:
        for name in ("contractStart", "contractEnd"):
            if name in patch:
                p.add(name, "use_extend_contract",
                      f"While the worker is abroad {name} does not change with updateWorker; "
                      "lengthen the contract with extendContract.")
        if "passportNumber" in cleared:
            p.add("passportNumber", "required_abroad",
                  "A worker abroad keeps a passport number on record.")
    if not patch:
        p.add("input", "empty", "Give at least one field to change.")
    p.raise_if_any()
    return out


@dataclass(frozen=True, slots=True)
class Identity:
    """The identity on record, against which a correction is checked."""

    nik: str
    full_name: str
    birth_date: date
    gender: Gender
    registered_on: date


def validate_identity(raw: Mapping[str, Any], current: Identity) -> dict[str, Any]:
    """An operator's correction of NIK, name, birth date or gender (any of them).

    The NIK must still agree with the birth date and gender, whichever of the three
    changed; the age rule is judged on the day of registration, as it was then.
    """
    p = Problems()
    out: dict[str, Any] = {}
    for name in raw:
        if name not in IDENTITY_FIELDS:
            p.add(name, "not_identity", f"{name} is not an identity field.")
    if not any(raw.get(name) is not None for name in IDENTITY_FIELDS):
        p.add("input", "empty", "Give at least one of nik, fullName, birthDate, gender.")
    if raw.get("fullName") is not None:
        out["full_name"] = p.run(v.full_name, raw["fullName"])
    if raw.get("gender") is not None:
        out["gender"] = _enum(p, Gender, raw["gender"], "gender")
    if raw.get("birthDate") is not None:
        born = _date(p, raw["birthDate"], "birthDate")
        out["birth_date"] = born and p.run(v.birth_date, born, current.registered_on)
    if raw.get("nik") is not None:
        out["nik"] = p.run(v.nik, raw["nik"])
    if not (p.has("nik") or p.has("birthDate") or p.has("gender")):
        nik = out.get("nik") or current.nik
        born = out.get("birth_date") or current.birth_date
        gender = out.get("gender") or current.gender
        # Named after the field the caller touched, so the error points at their input.
        field = "nik" if "nik" in out else ("birthDate" if "birth_date" in out else "gender")
        p.run(v.nik_agrees, nik, born, gender, field)
    p.raise_if_any()
    return out


def new_worker_row(
    partner_id: int, clean: Mapping[str, Any], registered_at: Any
) -> dict[str, Any]:
    """Column values of a new worker from validated input (identifiers sealed here)."""
    row: dict[str, Any] = {}
    for column, value in clean.items():
        if column in IDENTIFIER_COLUMNS:
            sealed, digest = sealed_pair(IDENTIFIER_COLUMNS[column], value)
            row[f"{column}_sealed"], row[f"{column}_digest"] = sealed, digest
        else:
            row[column] = value
    row.setdefault("heirs", [])
    row.update(
        partner_id=partner_id,
        placement_status=PlacementStatus.CANDIDATE,
        phase=lifecycle.phase_of(PlacementStatus.CANDIDATE),
        status=MembershipStatus.REGISTERED,
        version=1,
        registered_at=registered_at,
        updated_at=registered_at,
    )
    return row


def registered_changes() -> dict[str, dict[str, str | None]]:
    """The REGISTERED event's changes: the statuses every new worker starts in."""
    return {
        "placementStatus": {"from": None, "to": PlacementStatus.CANDIDATE.value},
        "status": {"from": None, "to": MembershipStatus.REGISTERED.value},
    }
