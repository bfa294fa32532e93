"""Worker queries: the list, one worker, expiring cover, lookup by NIK, dashboard counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable
from datetime import timedelta
from typing import Annotated

import strawberry
from tortoise.functions import Count, Sum
from tortoise.queryset import QuerySet

from models import validators as v
from models.clock import today_jakarta
from models.enums import MembershipStatus
from models.errors import FieldInvalid
from models.identifiers import vault
from models.stats import DIMENSIONS, PartnerWorkerCount
from models.tenancy import visible_worker_counts, visible_workers
from models.workers import NIK
from models.workers import Worker as WorkerRow
from schema import ids
from schema.context import Info
from schema.errors import QueryInputError
from schema.pagination import Edge, PageInfo, SortKey, keyset_page
from schema.selection import selected_below
from schema.workers import filters
from schema.workers.filters import OrderDirection, WorkerFilter, WorkerOrder
from schema.workers.types import Worker, load_relations, worker_columns

WorkerEdge = Edge[Worker]


@strawberry.type(description="A page of workers.")
class WorkerConnection:
    edges: list[WorkerEdge] = strawberry.field(description="The rows of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page sits.")
    query: strawberry.Private[QuerySet[WorkerRow]]

    @strawberry.field(
        description="How many workers match the filter in all (computed only when asked)."
    )
    async def total_count(self) -> int:
        return await self.query.count()


@strawberry.type(description="A count of workers sharing one value.")
class CountBy:
    key: str = strawberry.field(description="The value (an enum name or a country code).")
    count: int = strawberry.field(description="How many workers have it.")


async def _count_by(qs: QuerySet[WorkerRow], column: str) -> list[CountBy]:
    rows = await qs.annotate(n=Count("id")).group_by(column).values(column, "n")
    counted = [CountBy(key=str(getattr(r[column], "value", r[column])), count=r["n"])
               for r in rows]
    return sorted(counted, key=lambda c: (-c.count, c.key))


CountRow = tuple[str, str, str, str, str, int]


async def _count(qs: QuerySet[WorkerRow]) -> int:
    return await qs.count()


async def counter_rows(counters: QuerySet[PartnerWorkerCount]) -> list[CountRow]:
    """The maintained counters, summed over partners in SQL (an operator's dashboard
    covers every partner: one row per combination instead of one per partner and
    combination)."""
    rows = await (counters.filter(n__gt=0).annotate(total=Sum("n"))
                  .group_by(*DIMENSIONS).values_list(*DIMENSIONS, "total"))
    # PostgreSQL's sum of a bigint is a numeric (Decimal here).
    return [(*row[:-1], int(row[-1])) for row in rows]


@strawberry.type(description="Dashboard counts over the workers you can see.")
class WorkerStats:
    # Either the maintained counters (rows of models.stats, read once by workerStats, so
    # every count below is a sum in memory) or, for filters the counters do not cover
    # (search, dates, cover end), None: then each count is a GROUP BY over the filtered
    # workers.
    counters: strawberry.Private[list[CountRow] | None]
    query: strawberry.Private[QuerySet[WorkerRow]]

    def _by(self, column: str) -> list[CountBy] | Awaitable[list[CountBy]]:
        if self.counters is None:
            return _count_by(self.query, column)
        index = DIMENSIONS.index(column)
        totals: Counter[str] = Counter()
        for row in self.counters:
            totals[row[index]] += row[-1]
        return sorted((CountBy(key=k, count=n) for k, n in totals.items() if n),
                      key=lambda c: (-c.count, c.key))

    @strawberry.field(description="Number of workers.", graphql_type=int)
    def total(self) -> int | Awaitable[int]:
        if self.counters is None:
            return _count(self.query)
        return sum(row[-1] for row in self.counters)

    @strawberry.field(description="Counts by phase (BEFORE, DURING, AFTER).",
                      graphql_type=list[CountBy])
    def by_phase(self) -> list[CountBy] | Awaitable[list[CountBy]]:
        return self._by("phase")

    @strawberry.field(description="Counts by placement status.", graphql_type=list[CountBy])
    def by_placement_status(self) -> list[CountBy] | Awaitable[list[CountBy]]:
        return self._by("placement_status")

    @strawberry.field(description="Counts by membership status.", graphql_type=list[CountBy])
    def by_status(self) -> list[CountBy] | Awaitable[list[CountBy]]:
        return self._by("status")

    @strawberry.field(description="Counts by destination country.",
                      graphql_type=list[CountBy])
    def by_destination_country(self) -> list[CountBy] | Awaitable[list[CountBy]]:
        return self._by("destination_country")

    @strawberry.field(description="Counts by job sector.", graphql_type=list[CountBy])
    def by_job_sector(self) -> list[CountBy] | Awaitable[list[CountBy]]:
        return self._by("job_sector")


FirstArg = Annotated[int | None, strawberry.argument(
    description="Page size going forward (default 50, at most 100).")]
AfterArg = Annotated[str | None, strawberry.argument(
    description="Start after this cursor (an edge's `cursor` or `pageInfo.endCursor`).")]
LastArg = Annotated[int | None, strawberry.argument(
    description="Page size going backward, with `before` (at most 100).")]
BeforeArg = Annotated[str | None, strawberry.argument(
    description="End before this cursor (`pageInfo.startCursor`), with `last`.")]
FilterArg = Annotated[WorkerFilter | None, strawberry.argument(
    description="Only workers matching every given condition.")]
# Days ahead that expiringCoverage looks: up to a year of follow-up planning.
MAX_WITHIN_DAYS = 366
# Cover end ascending; the filter excludes workers without cover, so no NULLs to place.
EXPIRING_ORDER = SortKey("exp", "covered_until", "date")


async def _page(info: Info, qs: QuerySet[WorkerRow], key: SortKey, *, descending: bool,
                first: int | None, after: str | None, last: int | None = None,
                before: str | None = None) -> WorkerConnection:
    """A page of workers reading only the columns the selection needs, with the selected
    relations loaded for the whole page (schema.workers.types)."""
    selected = selected_below(info, ("edges", "node"))
    columns = worker_columns(selected, *([key.column] if key.column else []))
    page = await keyset_page(qs.only(*columns) if columns else qs, key,
                             descending=descending, limits=info.context.limits,
                             first=first, after=after, last=last, before=before)
    workers = await load_relations(info, page.rows, selected)
    return WorkerConnection(
        edges=[WorkerEdge(cursor=c, node=w)
               for w, c in zip(workers, page.cursors, strict=True)],
        page_info=page.page_info(),
        query=qs,
    )


@strawberry.type
class WorkerQueries:
    @strawberry.field(
        description="Your workers (operators: everyone's), one page at a time. Pages are "
        "keyset-paginated: pass a cursor as `after` (or `before` with `last`)."
    )
    async def workers(
        self,
        info: Info,
        first: FirstArg = None,
        after: AfterArg = None,
        last: LastArg = None,
        before: BeforeArg = None,
        filter: FilterArg = None,
        order_by: Annotated[WorkerOrder | None, strawberry.argument(
            description="Sort order (default: latest registration first).")] = None,
    ) -> WorkerConnection:
        order = order_by or WorkerOrder()
        qs = filters.apply(visible_workers(info.context.require_viewer()), filter)
        return await _page(info, qs, filters.SORT_KEYS[order.field],
                           descending=order.direction == OrderDirection.DESC,
                           first=first, after=after, last=last, before=before)

    @strawberry.field(
        description="One of your workers by global id; null for a missing, foreign or "
        "malformed id (the same as `node`)."
    )
    async def worker(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(
            description="The worker's global id (Worker.id).")],
    ) -> Worker | None:
        pk = ids.decode_as("Worker", id)
        if pk is None:
            return None
        row = await info.context.loaders.worker.load(pk)
        return Worker(row=row) if row else None

    @strawberry.field(
        description="Workers whose cover ends within the next `withinDays` days "
        "(Asia/Jakarta, today included) and whose membership is still ACTIVE: who to follow "
        "up before they lapse. Soonest first."
    )
    async def expiring_coverage(
        self,
        info: Info,
        within_days: Annotated[int, strawberry.argument(
            description=f"How many days ahead to look: 0 (ends today) to {MAX_WITHIN_DAYS}.")],
        first: FirstArg = None,
        after: AfterArg = None,
        filter: FilterArg = None,
    ) -> WorkerConnection:
        if not 0 <= within_days <= MAX_WITHIN_DAYS:
            raise QueryInputError(
                "withinDays", "range",
                f"withinDays is 0 to {MAX_WITHIN_DAYS}; for older or later cover ends use "
                "workers(filter: {coveredUntilBefore}).")
        ctx = info.context
        today = today_jakarta()
        qs = filters.apply(visible_workers(ctx.require_viewer()), filter).filter(
            status=MembershipStatus.ACTIVE,
            covered_until__gte=today,
            covered_until__lte=today + timedelta(days=within_days),
        )
        return await _page(info, qs, EXPIRING_ORDER, descending=False, first=first,
                           after=after)

    @strawberry.field(description="The worker with this NIK, if it is one of yours.")
    async def worker_by_nik(
        self,
        info: Info,
        nik: Annotated[str, strawberry.argument(description="The 16-digit NIK.")],
    ) -> Worker | None:
        try:
            clean = v.nik(nik)
        except FieldInvalid as exc:
            raise QueryInputError("nik", exc.problem.rule, exc.message) from None
        row = await visible_workers(info.context.require_viewer()).get_or_none(
            nik_digest=vault().digest(NIK, clean)
        )
        return Worker(row=row) if row else None

    @strawberry.field(
        description="Dashboard counts: total, and by phase, placement status, membership "
        "status, destination country and job sector."
    )
    async def worker_stats(self, info: Info, filter: FilterArg = None) -> WorkerStats:
        viewer = info.context.require_viewer()
        counters = filters.apply_to_counters(visible_worker_counts(viewer), filter)
        return WorkerStats(
            counters=await counter_rows(counters) if counters is not None else None,
            query=filters.apply(visible_workers(viewer), filter))
