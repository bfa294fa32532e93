"""The Worker type and what hangs off it (heirs, coverages, contributions, events)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import strawberry
from strawberry.dataloader import DataLoader

from models import workers as m
from models.contributions import Contribution as ContributionRow
from models.contributions import Coverage as CoverageRow
from models.validators import mask_identifier
from schema import ids
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

    @strawberry.field(description="The program.")
    def program(self) -> Program:
        return self.row.program

    @strawberry.field(description="First covered day (Asia/Jakarta).")
    def starts_on(self) -> date:
        return self.row.starts_on

    @strawberry.field(description="Last covered day (Asia/Jakarta), inclusive.")
    def ends_on(self) -> date:
        return self.row.ends_on


@strawberry.type(description="A contribution paid for the worker.")
class Contribution(Node):
    row: strawberry.Private[ContributionRow]

    @strawberry.field(description="Global, opaque id.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(ids.encode("Contribution", self.row.id))

    @strawberry.field(description="What it pays for.")
    def kind(self) -> ContributionKind:
        return self.row.kind

    @strawberry.field(description="Amount in rupiah.")
    def amount(self) -> int:
        return self.row.amount

    @strawberry.field(description="Months it pays for.")
    def months(self) -> int:
        return self.row.months

    @strawberry.field(description="Day of payment.")
    def paid_on(self) -> date:
        return self.row.paid_on

    @strawberry.field(description="First day it covers.")
    def covers_from(self) -> date:
        return self.row.covers_from

    @strawberry.field(description="Last day it covers, inclusive.")
    def covers_until(self) -> date:
        return self.row.covers_until

    @strawberry.field(description="When it was recorded (UTC).")
    def recorded_at(self) -> datetime:
        return self.row.recorded_at

    @strawberry.field(description="Who recorded it: account email or API key name.")
    def recorded_by(self) -> str:
        return self.row.recorded_by


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

    @strawberry.field(description="Global, opaque id.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(ids.encode("Worker", self.row.id))

    @strawberry.field(
        description="National identity number (16 digits); masked (e.g. "
        "`3174••••••••0003`) for roles without identifier access."
    )
    def nik(self, info: Info) -> str:
        return _identifier(info, self.row, m.NIK) or ""

    @strawberry.field(description="Full name as on the passport.")
    def full_name(self) -> str:
        return self.row.full_name

    @strawberry.field(description="Date of birth.")
    def birth_date(self) -> date:
        return self.row.birth_date

    @strawberry.field(description="Place of birth.")
    def birth_place(self) -> str | None:
        return self.row.birth_place

    @strawberry.field(description="Gender.")
    def gender(self) -> Gender:
        return self.row.gender

    @strawberry.field(description="Passport number; masked for roles without identifier access.")
    def passport_number(self, info: Info) -> str | None:
        return _identifier(info, self.row, m.PASSPORT)

    @strawberry.field(
        description="Family card (KK) number; masked for roles without identifier access."
    )
    def family_card_number(self, info: Info) -> str | None:
        return _identifier(info, self.row, m.FAMILY_CARD)

    @strawberry.field(description="Phone number in E.164 form.")
    def phone(self) -> str | None:
        return self.row.phone

    @strawberry.field(description="Destination country (ISO 3166-1 alpha-2).")
    def destination_country(self) -> str:
        return self.row.destination_country

    @strawberry.field(description="Destination region (Malaysia: Peninsular, Sabah, Sarawak).")
    def destination_region(self) -> str | None:
        return self.row.destination_region

    @strawberry.field(description="Employer's name.")
    def employer_name(self) -> str | None:
        return self.row.employer_name

    @strawberry.field(description="Kind of employer.")
    def employer_type(self) -> EmployerType | None:
        return self.row.employer_type

    @strawberry.field(description="Job sector.")
    def job_sector(self) -> JobSector:
        return self.row.job_sector

    @strawberry.field(description="Who arranged the placement.")
    def placement_scheme(self) -> PlacementScheme:
        return self.row.placement_scheme

    @strawberry.field(description="Placement status.")
    def placement_status(self) -> PlacementStatus:
        return self.row.placement_status

    @strawberry.field(description="Phase derived from the placement status.")
    def phase(self) -> Phase:
        return self.row.phase

    @strawberry.field(description="Membership status.")
    def status(self) -> MembershipStatus:
        return self.row.status

    @strawberry.field(description="Contract start date.")
    def contract_start(self) -> date | None:
        return self.row.contract_start

    @strawberry.field(description="Contract end date.")
    def contract_end(self) -> date | None:
        return self.row.contract_end

    @strawberry.field(description="Day of departure.")
    def departed_on(self) -> date | None:
        return self.row.departed_on

    @strawberry.field(description="Day of return.")
    def returned_on(self) -> date | None:
        return self.row.returned_on

    @strawberry.field(description="End of the current cover window; null when none.")
    def covered_until(self) -> date | None:
        return self.row.covered_until

    @strawberry.field(description="Heirs in the order of entitlement.")
    def heirs(self) -> list[Heir]:
        return [
            Heir(full_name=h["fullName"], relation=h["relation"], phone=h.get("phone"))
            for h in self.row.heirs
        ]

    @strawberry.field(description="Identifiers in other systems.")
    def external_ids(self) -> ExternalIds:
        return ExternalIds(siskop2mi_id=self.row.siskop2mi_id, kpj_number=self.row.kpj_number)

    @strawberry.field(description="The owning partner.")
    async def partner(self, info: Info) -> Partner:
        row = await info.context.loaders.partner.load(self.row.partner_id)
        if row is None:  # the worker was visible, so its partner is too
            raise PermissionError("partner not visible")
        return Partner(row=row)

    @strawberry.field(description="Cover windows bought by contributions, oldest first.")
    async def coverages(self, info: Info) -> list[Coverage]:
        rows = await info.context.loaders.coverages.load(self.row.id)
        return [Coverage(row=r) for r in rows]

    @strawberry.field(
        description="The most recently recorded contribution; null before the first payment."
    )
    async def latest_contribution(self, info: Info) -> Contribution | None:
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

    @strawberry.field(description="Optimistic concurrency token: send it back when you update.")
    def version(self) -> int:
        return self.row.version

    @strawberry.field(description="When the worker was registered (UTC).")
    def registered_at(self) -> datetime:
        return self.row.registered_at

    @strawberry.field(description="When the record last changed (UTC).")
    def updated_at(self) -> datetime:
        return self.row.updated_at
