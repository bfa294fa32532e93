"""The Worker type and what hangs off it (heirs, coverages, contributions, events)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Annotated, Any

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.utils.str_converters import to_camel_case

from models import workers as m
from models.contributions import Contribution as ContributionRow
from models.contributions import Coverage as CoverageRow
from models.partners import Partner as PartnerRow
from models.validators import mask_identifier
from schema.context import Info
from schema.enums import (
    ContributionKind,
    EmployerType,
    Gender,
    HeirRelation,
    JobSector,
    MembershipStatus,
    Phase,
    PlacementScheme,
    PlacementStatus,
    Program,
)
from schema.events.types import EVENT_ORDER, WorkerEvent
from schema.loaders import Loaders
from schema.node import Node
from schema.pagination import (
    ID_ONLY,
    Edge,
    Page,
    PageInfo,
    SortKey,
    decode_cursor,
    encode_cursor,
    page_size,
)
from schema.partners.types import Partner
from schema.rows import from_row

FirstArg = Annotated[int | None, strawberry.argument(
    description="Page size (default 50, at most 100).")]
AfterArg = Annotated[str | None, strawberry.argument(
    description="Start after this cursor (an edge's `cursor` or `pageInfo.endCursor`).")]


async def _child_page(
    info: Info, loader: DataLoader[Any, Any], worker_id: int, key: SortKey,
    first: int | None, after: str | None,
) -> Page[Any]:
    """A page of a worker's rows through a batched loader (one query for a whole list)."""
    size, _ = page_size(info.context.limits, first, None)
    after_id = decode_cursor(key, after, "after")[1] if after is not None else 0
    rows = list(await loader.load((worker_id, size, after_id))) if size else []
    more = len(rows) > size
    rows = rows[:size]
    return Page(rows, [encode_cursor(key, r) for r in rows], has_next=more,
                has_previous=after is not None)


@strawberry.type(description="An heir, in the order of entitlement.")
class Heir:
    full_name: str = strawberry.field(description="Name as on the ID card.")
    relation: HeirRelation = strawberry.field(description="Relation to the worker.")
    phone: str | None = strawberry.field(description="E.164 phone number.")


@strawberry.type(description="Identifiers of the worker in other systems.")
class ExternalIds:
    siskop2mi_id: str | None = strawberry.field(description="SISKOP2MI candidate id.")
    kpj_number: str | None = strawberry.field(description="BPJS membership card number (KPJ).")


@strawberry.type(description="A window during which one program covers the worker.")
class Coverage:
    row: strawberry.Private[CoverageRow]

    program: Program = from_row("The program.")
    starts_on: date = from_row("First covered day (Asia/Jakarta).")
    ends_on: date = from_row("Last covered day (Asia/Jakarta), inclusive.")


@strawberry.type(description="A contribution paid for the worker.")
class Contribution(Node):
    row: strawberry.Private[ContributionRow]
    id: strawberry.ID = from_row("Global, opaque id.")

    kind: ContributionKind = from_row("What it pays for.")
    amount: int = from_row("Amount in rupiah.")
    months: int = from_row("Months it pays for.")
    paid_on: date = from_row("Day of payment.")
    covers_from: date = from_row("First day it covers.")
    covers_until: date = from_row("Last day it covers, inclusive.")
    recorded_at: datetime = from_row("When it was recorded (UTC).")
    recorded_by: str = from_row("Who recorded it: account email or API key name.")


ContributionEdge = Edge[Contribution]
WorkerEventEdge = Edge[WorkerEvent]


@strawberry.type(description="A page of contributions.")
class ContributionConnection:
    edges: list[ContributionEdge] = strawberry.field(description="The rows of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page sits.")


@strawberry.type(description="A page of worker events, in commit order.")
class WorkerEventConnection:
    edges: list[WorkerEventEdge] = strawberry.field(description="The rows of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page sits.")


def _partner(row: PartnerRow | None) -> Partner:
    if row is None:  # the worker was visible, so its partner is too
        raise PermissionError("partner not visible")
    return Partner(row=row)


def _identifier(info: Info, row: m.Worker, kind: str) -> str | None:
    value = row.identifier(kind)
    if value is None:
        return None
    viewer = info.context.require_viewer()
    if not viewer.sees_identifiers:
        return mask_identifier(value)
    info.context.revealed_workers.add(row.id)
    return value


@strawberry.type(description="An Indonesian migrant worker (PMI) registered by a partner.")
class Worker(Node):
    row: strawberry.Private[m.Worker]
    id: strawberry.ID = from_row("Global, opaque id.")
    # Relations already loaded for this row, by GraphQL field name (see load_relations).
    related: strawberry.Private[dict[str, Any] | None] = None

    @strawberry.field(
        description="National identity number (16 digits); masked (e.g. "
        "`3174••••••••0003`) for roles without identifier access."
    )
    def nik(self, info: Info) -> str:
        return _identifier(info, self.row, m.NIK) or ""

    full_name: str = from_row("Full name as on the passport.")
    birth_date: date = from_row("Date of birth.")
    birth_place: str | None = from_row("Place of birth.")
    gender: Gender = from_row("Gender.")

    @strawberry.field(description="Passport number; masked for roles without identifier access.")
    def passport_number(self, info: Info) -> str | None:
        return _identifier(info, self.row, m.PASSPORT)

    @strawberry.field(
        description="Family card (KK) number; masked for roles without identifier access."
    )
    def family_card_number(self, info: Info) -> str | None:
        return _identifier(info, self.row, m.FAMILY_CARD)

    phone: str | None = from_row("Phone number in E.164 form.")
    destination_country: str = from_row("Destination country (ISO 3166-1 alpha-2).")
    destination_region: str | None = from_row(
        "Destination region (Malaysia: Peninsular, Sabah, Sarawak).")
    employer_name: str | None = from_row("Employer's name.")
    employer_type: EmployerType | None = from_row("Kind of employer.")
    job_sector: JobSector = from_row("Job sector.")
    placement_scheme: PlacementScheme = from_row("Who arranged the placement.")
    placement_status: PlacementStatus = from_row("Placement status.")
    phase: Phase = from_row("Phase derived from the placement status.")
    status: MembershipStatus = from_row("Membership status.")
    contract_start: date | None = from_row("Contract start date.")
    contract_end: date | None = from_row("Contract end date.")
    departed_on: date | None = from_row("Day of departure.")
    returned_on: date | None = from_row("Day of return.")
    covered_until: date | None = from_row("End of the current cover window; null when none.")

    @strawberry.field(description="Heirs in the order of entitlement.")
    def heirs(self) -> list[Heir]:
        return [
            Heir(full_name=h["fullName"], relation=h["relation"], phone=h.get("phone"))
            for h in self.row.heirs
        ]

    @strawberry.field(description="Identifiers in other systems.")
    def external_ids(self) -> ExternalIds:
        return ExternalIds(siskop2mi_id=self.row.siskop2mi_id, kpj_number=self.row.kpj_number)

    # The relations below either come with the object — a list page loads them for all its
    # rows at once (load_relations) and they answer synchronously — or each resolver
    # returns an awaitable of its batched DataLoader, which graphql-core awaits.
    @strawberry.field(description="The owning partner.", graphql_type=Partner)
    def partner(self, info: Info) -> Partner | Awaitable[Partner]:
        if self.related is not None and "partner" in self.related:
            return _partner(self.related["partner"])
        return self._load_partner(info)

    async def _load_partner(self, info: Info) -> Partner:
        return _partner(await info.context.loaders.partner.load(self.row.partner_id))

    @strawberry.field(description="Cover windows bought by contributions, oldest first.",
                      graphql_type=list[Coverage])
    def coverages(self, info: Info) -> list[Coverage] | Awaitable[list[Coverage]]:
        if self.related is not None and "coverages" in self.related:
            return [Coverage(row=r) for r in self.related["coverages"]]
        return self._load_coverages(info)

    async def _load_coverages(self, info: Info) -> list[Coverage]:
        return [Coverage(row=r) for r in await info.context.loaders.coverages.load(self.row.id)]

    @strawberry.field(
        description="The most recently recorded contribution; null before the first payment.",
        graphql_type=Contribution | None,
    )
    def latest_contribution(
        self, info: Info
    ) -> Contribution | None | Awaitable[Contribution | None]:
        if self.related is not None and "latestContribution" in self.related:
            row = self.related["latestContribution"]
            return Contribution(row=row) if row else None
        return self._load_latest_contribution(info)

    async def _load_latest_contribution(self, info: Info) -> Contribution | None:
        row = await info.context.loaders.latest_contribution.load(self.row.id)
        return Contribution(row=row) if row else None

    @strawberry.field(description="Contributions, oldest first.")
    async def contributions(
        self, info: Info, first: FirstArg = None, after: AfterArg = None
    ) -> ContributionConnection:
        page = await _child_page(info, info.context.loaders.contribution_page, self.row.id,
                                 ID_ONLY, first, after)
        return ContributionConnection(
            edges=[ContributionEdge(cursor=c, node=Contribution(row=r))
                   for r, c in zip(page.rows, page.cursors, strict=True)],
            page_info=page.page_info(),
        )

    @strawberry.field(description="The worker's event history, oldest first (commit order).")
    async def events(
        self, info: Info, first: FirstArg = None, after: AfterArg = None
    ) -> WorkerEventConnection:
        page = await _child_page(info, info.context.loaders.event_page, self.row.id,
                                 EVENT_ORDER, first, after)
        return WorkerEventConnection(
            edges=[WorkerEventEdge(cursor=c, node=WorkerEvent(row=r))
                   for r, c in zip(page.rows, page.cursors, strict=True)],
            page_info=page.page_info(),
        )

    version: int = from_row("Optimistic concurrency token: send it back when you update.")
    registered_at: datetime = from_row("When the worker was registered (UTC).")
    updated_at: datetime = from_row("When the record last changed (UTC).")


# Relations a list page loads for all its rows at once, by GraphQL field name.
RELATION_LOADERS: dict[str, Callable[[Loaders, m.Worker], tuple[DataLoader[Any, Any], int]]] = {
    "partner": lambda loaders, row: (loaders.partner, row.partner_id),
    "coverages": lambda loaders, row: (loaders.coverages, row.id),
    "latestContribution": lambda loaders, row: (loaders.latest_contribution, row.id),
}


async def load_relations(info: Info, rows: list[m.Worker], selected: frozenset[str]
                         ) -> list[Worker]:
    """Workers of a list page with the selected relations loaded for the whole page: one
    batched query per relation, through the same tenancy-scoped DataLoaders as a single
    worker, and no awaitable per row."""
    wanted = [name for name in RELATION_LOADERS if name in selected]
    if not wanted or not rows:
        return [Worker(row=r) for r in rows]
    loaders = info.context.loaders
    found = await asyncio.gather(*(
        RELATION_LOADERS[name](loaders, rows[0])[0].load_many(
            [RELATION_LOADERS[name](loaders, r)[1] for r in rows])
        for name in wanted))
    return [Worker(row=r, related={name: values[i] for name, values in zip(wanted, found,
                                                                          strict=True)})
            for i, r in enumerate(rows)]


# The columns each Worker field reads, where they differ from the field's own name, so a
# list page reads only what was selected (a row is 33 columns, sealed identifiers and the
# heirs' JSON among them; a list page typically shows ten).
_FIELD_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id",),
    "nik": ("nik_sealed",),
    "passportNumber": ("passport_sealed",),
    "familyCardNumber": ("family_card_sealed",),
    "heirs": ("heirs",),
    "externalIds": ("siskop2mi_id", "kpj_number"),
    "partner": ("partner_id",),
    "coverages": (),
    "latestContribution": (),
    "contributions": (),
    "events": (),
    "__typename": (),
}
_PLAIN_COLUMNS = {to_camel_case(f.python_name): f.python_name
                  for f in Worker.__strawberry_definition__.fields
                  if f.base_resolver is None and f.python_name in m.Worker._meta.db_fields}


def worker_columns(selected: frozenset[str], *also: str) -> list[str] | None:
    """The columns a page of workers must read for these selected Worker fields (plus
    ``also``: the sort key); None — read every column — when a selected field is not
    known here, so a new field is never read from a column that was not loaded."""
    columns = {"id", "partner_id", *also}
    for name in selected:
        if name in _FIELD_COLUMNS:
            columns.update(_FIELD_COLUMNS[name])
        elif name in _PLAIN_COLUMNS:
            columns.add(_PLAIN_COLUMNS[name])
        else:
            return None
    return sorted(columns)
