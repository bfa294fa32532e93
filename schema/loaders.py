"""Per-request DataLoaders: one batched query per relation per request, never one per row.

Every loader starts from the tenancy choke point (models.tenancy), so a batched load can
never reach a row the viewer may not see, even with an id taken from elsewhere.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from models.access import Viewer
from models.contributions import Contribution, Coverage
from models.partners import Partner
from models.tenancy import (
    visible_contributions,
    visible_coverages,
    visible_partners,
    visible_workers,
)
from models.workers import Worker


class Loaders:
    def __init__(self, viewer: Viewer | None = None) -> None:
        self.viewer = viewer
        self.partner = DataLoader(self._partners)
        self.worker = DataLoader(self._workers)
        self.coverages = DataLoader(self._coverages)
        self.latest_contribution = DataLoader(self._latest_contribution)

    def _viewer(self) -> Viewer:
        if self.viewer is None:
            raise PermissionError("not authenticated")
        return self.viewer

    async def _workers(self, ids: Sequence[int]) -> list[Worker | None]:
        rows = {w.id: w for w in await visible_workers(self._viewer()).filter(id__in=list(ids))}
        return [rows.get(i) for i in ids]

    async def _partners(self, ids: Sequence[int]) -> list[Partner | None]:
        rows = {p.id: p for p in await visible_partners(self._viewer()).filter(id__in=list(ids))}
        return [rows.get(i) for i in ids]

    async def _coverages(self, worker_ids: Sequence[int]) -> list[list[Coverage]]:
        by_worker: dict[int, list[Coverage]] = defaultdict(list)
        rows = await visible_coverages(self._viewer()).filter(
            worker_id__in=list(worker_ids)
        ).order_by("worker_id", "starts_on", "id")
        for row in rows:
            by_worker[row.worker_id].append(row)
        return [by_worker.get(i, []) for i in worker_ids]

    async def _latest_contribution(
        self, worker_ids: Sequence[int]
    ) -> list[Contribution | None]:
        latest: dict[int, Contribution] = {}
        rows = await visible_contributions(self._viewer()).filter(
            worker_id__in=list(worker_ids)
        ).order_by("worker_id", "-id")
        for row in rows:
            latest.setdefault(row.worker_id, row)
        return [latest.get(i) for i in worker_ids]
