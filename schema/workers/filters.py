"""WorkerFilter and WorkerOrder: how lists and aggregates narrow and sort workers.

``apply`` is shared by the list, the stats, and the CSV export, so the same filter means
the same rows everywhere. It narrows a queryset that already came from the choke point.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from enum import Enum

import strawberry
from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from models import validators as v
from models.clock import JAKARTA
from models.errors import FieldInvalid
from models.identifiers import vault
from models.stats import PartnerWorkerCount
from models.workers import NIK, PASSPORT, Worker
from schema.enums import JobSector, MembershipStatus, Phase, PlacementStatus
from schema.errors import QueryInputError
from schema.pagination import SortKey

MAX_SEARCH_LENGTH = 100


@strawberry.input(description="Narrow a list of workers; every given condition must hold.")
class WorkerFilter:
    placement_status: PlacementStatus | None = strawberry.field(
        default=None, description="Only this placement status.")
    phase: Phase | None = strawberry.field(default=None, description="Only this phase.")
    status: MembershipStatus | None = strawberry.field(
        default=None, description="Only this membership status.")
    destination_country: str | None = strawberry.field(
        default=None, description="Only this destination (ISO 3166-1 alpha-2).")
    destination_region: str | None = strawberry.field(
        default=None, description="Only this destination region (e.g. Sabah).")
    job_sector: JobSector | None = strawberry.field(default=None, description="Only this sector.")
    registered_from: date | None = strawberry.field(
        default=None, description="Registered on or after this day (Asia/Jakarta).")
    registered_to: date | None = strawberry.field(
        default=None, description="Registered on or before this day (Asia/Jakarta).")
    covered_until_before: date | None = strawberry.field(
        default=None,
        description="Cover ends before this day, or there is no cover: who is about to lapse.",
    )
    search: str | None = strawberry.field(
        default=None,
        description="Part of the name, or an exact NIK or passport number.",
    )


@strawberry.enum(description="What to sort workers by.")
class WorkerOrderField(Enum):
    REGISTERED_AT = strawberry.enum_value(
        "registered_at", description="Time of registration.")
    UPDATED_AT = strawberry.enum_value("updated_at", description="Time of the last change.")
    FULL_NAME = strawberry.enum_value("full_name", description="Full name.")
    COVERED_UNTIL = strawberry.enum_value(
        "covered_until", description="End of cover; workers without cover come last.")


@strawberry.enum(description="Sort direction.")
class OrderDirection(Enum):
    ASC = strawberry.enum_value("ASC", description="Smallest (or earliest) first.")
    DESC = strawberry.enum_value("DESC", description="Largest (or latest) first.")


@strawberry.input(description="Sort order of a worker list; ties are broken by id.")
class WorkerOrder:
    field: WorkerOrderField = strawberry.field(
        default=WorkerOrderField.REGISTERED_AT, description="Sort key.")
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.DESC, description="Direction.")


SORT_KEYS: dict[WorkerOrderField, SortKey] = {
    WorkerOrderField.REGISTERED_AT: SortKey("reg", "registered_at", "datetime"),
    WorkerOrderField.UPDATED_AT: SortKey("upd", "updated_at", "datetime"),
    WorkerOrderField.FULL_NAME: SortKey("name", "full_name", "str"),
    WorkerOrderField.COVERED_UNTIL: SortKey("cov", "covered_until", "date", nullable=True),
}


def _day_start(d: date) -> datetime:
    return datetime.combine(d, time.min, JAKARTA)


def _search_q(text: str) -> Q:
    text = " ".join(text.split())
    if not text:
        raise QueryInputError("filter.search", "min_length", "search cannot be empty.")
    if len(text) > MAX_SEARCH_LENGTH:
        raise QueryInputError(
            "filter.search", "max_length", f"search is at most {MAX_SEARCH_LENGTH} characters.")
    q = Q(full_name__icontains=text)
    compact = text.replace(" ", "")
    if compact.isdigit() and len(compact) == 16:
        q |= Q(nik_digest=vault().digest(NIK, compact))
    elif compact[:2].isalpha() or compact[:1].isalpha():
        upper = compact.upper()
        if 7 <= len(upper) <= 9:
            q |= Q(passport_digest=vault().digest(PASSPORT, upper))
    return q


def apply_to_counters(
    qs: QuerySet[PartnerWorkerCount], f: WorkerFilter | None
) -> QuerySet[PartnerWorkerCount] | None:
    """The same filter over the maintained counters, or None when they cannot answer it."""
    if f is None:
        return qs
    if any(getattr(f, name) is not None for name in _ROW_ONLY_FILTERS):
        return None
    for name in ("placement_status", "phase", "status", "job_sector"):
        value = getattr(f, name)
        if value is not None:
            qs = qs.filter(**{name: value.value})
    if f.destination_country is not None:
        qs = qs.filter(destination_country=_country(f.destination_country))
    return qs


_ROW_ONLY_FILTERS = ("destination_region", "registered_from", "registered_to",
                     "covered_until_before", "search")


def _country(value: str) -> str:
    try:
        return v.country(value, "filter.destinationCountry")
    except FieldInvalid as exc:
        raise QueryInputError(exc.problem.field, exc.problem.rule, exc.message) from None


def apply(qs: QuerySet[Worker], f: WorkerFilter | None) -> QuerySet[Worker]:
    if f is None:
        return qs
    if f.placement_status is not None:
        qs = qs.filter(placement_status=f.placement_status)
    if f.phase is not None:
        qs = qs.filter(phase=f.phase)
    if f.status is not None:
        qs = qs.filter(status=f.status)
    if f.destination_country is not None:
        qs = qs.filter(destination_country=_country(f.destination_country))
    if f.destination_region is not None:
        qs = qs.filter(destination_region__iexact=f.destination_region.strip())
    if f.job_sector is not None:
        qs = qs.filter(job_sector=f.job_sector)
    if f.registered_from is not None and f.registered_to is not None and (
        f.registered_from > f.registered_to
    ):
        raise QueryInputError("filter.registeredTo", "date_order",
                              "registeredTo must be on or after registeredFrom.")
    if f.registered_from is not None:
        qs = qs.filter(registered_at__gte=_day_start(f.registered_from))
    if f.registered_to is not None:
        qs = qs.filter(registered_at__lt=_day_start(f.registered_to) + timedelta(days=1))
    if f.covered_until_before is not None:
        qs = qs.filter(
            Q(covered_until__lt=f.covered_until_before) | Q(covered_until__isnull=True)
        )
    if f.search is not None:
        qs = qs.filter(_search_q(f.search))
    return qs

