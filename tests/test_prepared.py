"""models.prepared: a statement built once per shape is the statement the ORM would build
for every later call, and a cached shape never carries one viewer's scope to another."""

from __future__ import annotations

from models import prepared
from models.contributions import Coverage
from models.tenancy import visible_coverages, visible_workers
from models.worker_changes import register_worker
from models.workers import Worker
from tests import factories as f


def _coverages(viewer):
    return lambda ids: visible_coverages(viewer).filter(worker_id__in=ids).order_by(
        "worker_id", "starts_on", "id")


async def test_a_reused_statement_equals_a_fresh_build_for_other_values(db):
    hk, sg = await f.partner(), await f.partner("kbri-singapore", country="SG")
    for viewer in (f.viewer(hk), f.viewer(sg)):
        build = _coverages(viewer)
        plan = prepared.plan(build, [1, 2, 3])
        assert plan is not None
        for ids in ([5, 9, 11], [1, 2, 3], [70, 8, 123456789012]):
            assert (plan.sql, plan.values(ids)) == prepared.built(build(ids))


async def test_each_viewer_reads_its_own_rows_through_a_cached_shape(db):
    hk, sg = await f.partner(), await f.partner("kbri-singapore", country="SG")
    mine = await register_worker(f.viewer(hk), f.worker_input())
    theirs = await register_worker(f.viewer(sg), f.worker_input(destinationCountry="SG"))
    ids = [mine.id, theirs.id]
    for viewer, expected in ((f.viewer(hk), [mine.id]), (f.viewer(sg), [theirs.id])):
        for _ in range(2):  # the second call reuses the plan
            rows = await prepared.fetch(("workers", viewer),
                                        lambda v, viewer=viewer: visible_workers(viewer).filter(
                                            id__in=v), ids)
            assert [r.id for r in rows] == expected
            assert all(isinstance(r, Worker) for r in rows)


async def test_rows_come_back_as_the_orm_builds_them(db):
    p = await f.partner()
    w = await register_worker(f.viewer(p), f.worker_input())
    viewer = f.viewer(p)
    via_plan = await prepared.fetch(("w", viewer), lambda v: visible_workers(viewer).filter(
        id__in=v), [w.id])
    via_orm = await visible_workers(viewer).filter(id__in=[w.id])
    assert [r.__dict__ for r in via_plan] == [r.__dict__ for r in via_orm]
    assert await prepared.fetch(("c", viewer), _coverages(viewer), [w.id]) == list(
        await Coverage.filter(worker_id=w.id))


async def test_a_variable_used_twice_is_left_to_the_orm(db):
    p = await f.partner()
    w = await register_worker(f.viewer(p), f.worker_input())
    viewer = f.viewer(p)
    rows = await prepared.fetch(("twice", viewer), lambda v: visible_workers(viewer).filter(
        id__in=[*v, *v]), [w.id])
    assert [r.id for r in rows] == [w.id]
    assert prepared.plan(lambda v: visible_workers(viewer).filter(id__in=[*v, *v]), [1]) is None
