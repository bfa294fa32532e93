"""Per-request DataLoaders: one batched query per relation per request, never one per row.

Every loader starts from the tenancy choke point (models.tenancy), so a batched load can
never reach a row the viewer may not see, even with an id taken from elsewhere.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from strawberry.dataloader import DataLoader
from tortoise.queryset import QuerySet

from models import prepared
from models.access import Viewer
from models.contributions import Contribution, Coverage
from models.events import WorkerEvent
from models.partners import Partner
from models.tenancy import (
    visible_contributions,
    visible_coverages,
    visible_events,
    visible_partners,
    visible_workers,
)
from models.workers import Worker

# (worker id, page size, id to start after; 0 from the start)
PageKey = tuple[int, int, int]


class Loaders:
    def __init__(self, viewer: Viewer | None = None) -> None:
        self.viewer = viewer
        self.partner = DataLoader(self._partners)
        self.worker = DataLoader(self._workers)
        self.coverages = DataLoader(self._coverages)
        self.latest_contribution = DataLoader(self._latest_contribution)
        # One page of a worker's contributions or events, for many workers in one query.
        self.contribution_page = DataLoader(self._contribution_pages)
        self.event_page = DataLoader(self._event_pages)

    def _viewer(self) -> Viewer:
        if self.viewer is None:
            raise PermissionError("not authenticated")
        return self.viewer

    async def _workers(self, ids: Sequence[int]) -> list[Worker | None]:
        viewer = self._viewer()
        found = await prepared.fetch(
            ("workers", viewer), lambda v: visible_workers(viewer).filter(id__in=v), ids)
        rows = {w.id: w for w in found}
        return [rows.get(i) for i in ids]

    async def _partners(self, ids: Sequence[int]) -> list[Partner | None]:
        viewer = self._viewer()
        found = await prepared.fetch(
            ("partners", viewer), lambda v: visible_partners(viewer).filter(id__in=v), ids)
        rows = {p.id: p for p in found}
        return [rows.get(i) for i in ids]

    async def _coverages(self, worker_ids: Sequence[int]) -> list[list[Coverage]]:
        viewer = self._viewer()
        by_worker: dict[int, list[Coverage]] = defaultdict(list)
        rows = await prepared.fetch(
            ("coverages", viewer), lambda v: visible_coverages(viewer).filter(
                worker_id__in=v).order_by("worker_id", "starts_on", "id"), worker_ids)
        for row in rows:
            by_worker[row.worker_id].append(row)
        return [by_worker.get(i, []) for i in worker_ids]

    async def _latest_contribution(
        self, worker_ids: Sequence[int]
    ) -> list[Contribution | None]:
        viewer = self._viewer()
        latest: dict[int, Contribution] = {}
        rows = await prepared.fetch(
            ("latest_contribution", viewer), lambda v: visible_contributions(viewer).filter(
                worker_id__in=v).order_by("worker_id", "-id"), worker_ids)
        for row in rows:
            latest.setdefault(row.worker_id, row)
        return [latest.get(i) for i in worker_ids]

    async def _contribution_pages(self, keys: Sequence[PageKey]) -> list[list[Contribution]]:
        viewer = self._viewer()
        return await _pages(("contribution_pages", viewer),
                            lambda: visible_contributions(viewer), keys)

    async def _event_pages(self, keys: Sequence[PageKey]) -> list[list[WorkerEvent]]:
        viewer = self._viewer()
        return await _pages(("event_pages", viewer), lambda: visible_events(viewer), keys)


async def _pages(key: Hashable, visible: Callable[[], QuerySet[Any]],
                 keys: Sequence[PageKey]) -> list[list[Any]]:
    """Up to size + 1 rows per key (the extra one says whether a next page exists), ordered
    by id. Keys sharing a page size and start — every row of a list page asks the same —
    are one query. A single worker's page is limited in SQL; for many workers the rows
    after the start are read and cut here, which stays small because a worker has a
    handful of contributions and tens of events, not thousands."""
    groups: dict[tuple[int, int], list[int]] = defaultdict(list)
    for worker_id, size, after in keys:
        groups[(size, after)].append(worker_id)
    found: dict[PageKey, list[Any]] = {}
    for (size, after), worker_ids in groups.items():

        def build(v: Sequence[int], size: int = size, single: bool = len(worker_ids) == 1
                  ) -> QuerySet[Any]:
            # The last variable is the id to start after; the others are worker ids.
            query = visible().filter(worker_id__in=v[:-1], id__gt=v[-1]).order_by(
                "worker_id", "id")
            return query.limit(size + 1) if single else query

        per_worker: dict[int, list[Any]] = defaultdict(list)
        for row in await prepared.fetch((key, size), build, [*worker_ids, after]):
            bucket = per_worker[row.worker_id]
            if len(bucket) <= size:
                bucket.append(row)
        for worker_id in worker_ids:
            found[(worker_id, size, after)] = per_worker.get(worker_id, [])
    return [found[key] for key in keys]
