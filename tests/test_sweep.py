"""The expiry sweep: lapsed ACTIVE memberships become EXPIRED, once, with one event each."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, date, datetime, timedelta

import pytest
from tortoise.connection import get_connection

from models import bulk_import, clock, stats, worker_changes
from models.clock import today_jakarta
from models.enums import MembershipStatus, WorkerEventType
from models.events import WorkerEvent
from models.sweep import ACTOR, SweepResult
from models.workers import Worker
from portal.tasks import PeriodicSweep
from tests import factories as f


async def _paid_worker(viewer, paid_on: date | None = None) -> Worker:
    worker = await worker_changes.register_worker(viewer, f.worker_input())
    done = await worker_changes.record_contribution(viewer, {
        "workerId": worker.id, "kind": "PRE_PLACEMENT", "amount": 37_500,
        "paidOn": paid_on or today_jakarta()})
    return done.worker


async def _counters_match_recount() -> None:
    conn = get_connection("default")
    dims = ", ".join(stats.DIMENSIONS)
    kept = await conn.execute_query_dict(
        f"SELECT partner_id, {dims}, SUM(n) AS n FROM partner_worker_count "
        f"GROUP BY partner_id, {dims} HAVING SUM(n) <> 0 ORDER BY partner_id, {dims}")
    counted = await conn.execute_query_dict(
        f"SELECT partner_id, {dims}, COUNT(*) AS n FROM worker "
        f"GROUP BY partner_id, {dims} ORDER BY partner_id, {dims}")
    assert [dict(r, n=int(r["n"])) for r in kept] == [dict(r, n=int(r["n"])) for r in counted]


async def test_lapsed_memberships_expire_with_one_system_event_each(db):
    hk = await f.partner()
    viewer = f.viewer(hk)
    lapsing = await _paid_worker(viewer)
    still_covered = await _paid_worker(viewer)
    unpaid = await worker_changes.register_worker(viewer, f.worker_input())
    day_after = lapsing.covered_until + timedelta(days=1)
    # The other worker paid later: its cover ends after the sweep day.
    await Worker.filter(id=still_covered.id).update(covered_until=day_after)

    result = await worker_changes.expire_lapsed(today=day_after)

    assert result == SweepResult(expired=1, batches=1)
    expired = await Worker.get(id=lapsing.id)
    assert (expired.status, expired.version) == (MembershipStatus.EXPIRED, lapsing.version + 1)
    assert (await Worker.get(id=still_covered.id)).status == MembershipStatus.ACTIVE
    assert (await Worker.get(id=unpaid.id)).status == MembershipStatus.REGISTERED
    event = await WorkerEvent.filter(worker_id=lapsing.id).order_by("-id").first()
    assert event is not None
    assert (event.type, event.actor, event.partner_id) == (
        WorkerEventType.MEMBERSHIP_STATUS_CHANGED, ACTOR, hk.id)
    assert event.changes == {"status": {"from": "ACTIVE", "to": "EXPIRED"}}
    assert event.reason == f"Cover window ended on {lapsing.covered_until.isoformat()}"
    await _counters_match_recount()


async def test_running_the_sweep_again_changes_nothing(db):
    viewer = f.viewer(await f.partner())
    worker = await _paid_worker(viewer)
    day_after = worker.covered_until + timedelta(days=1)
    assert (await worker_changes.expire_lapsed(today=day_after)).expired == 1
    events = await WorkerEvent.all().count()
    assert await worker_changes.expire_lapsed(today=day_after) == SweepResult(0, 0)
    assert await WorkerEvent.all().count() == events


async def test_cover_ending_today_is_still_cover(db):
    viewer = f.viewer(await f.partner())
    worker = await _paid_worker(viewer)
    assert (await worker_changes.expire_lapsed(today=worker.covered_until)).expired == 0


async def test_the_day_is_judged_in_jakarta_not_utc(db, monkeypatch):
    viewer = f.viewer(await f.partner())
    worker = await _paid_worker(viewer)
    ends = worker.covered_until
    # 18:00 UTC on the last covered day is already 01:00 the next day in Jakarta.
    late_utc = datetime(ends.year, ends.month, ends.day, 18, 0, tzinfo=UTC)
    monkeypatch.setattr(clock, "now", lambda: late_utc)
    assert (await worker_changes.expire_lapsed()).expired == 1


async def test_sweep_works_in_batches(db):
    viewer = f.viewer(await f.partner())
    workers = [await _paid_worker(viewer) for _ in range(5)]
    day_after = workers[0].covered_until + timedelta(days=1)
    assert await worker_changes.expire_lapsed(today=day_after, batch_size=2) == SweepResult(5, 3)
    await _counters_match_recount()


@pytest.mark.postgres_only
async def test_two_sweeps_at_once_expire_each_worker_exactly_once(db):
    hk = await f.partner()
    rows = [f.worker_input() for _ in range(240)]
    outcome = await bulk_import.import_workers(f.viewer(hk), rows)
    assert outcome.created == 240
    past = today_jakarta() - timedelta(days=1)
    await Worker.all().update(status=MembershipStatus.ACTIVE, covered_until=past)
    await stats.recount(get_connection("default"))

    first, second = await asyncio.gather(
        worker_changes.expire_lapsed(batch_size=15), worker_changes.expire_lapsed(batch_size=15))

    assert first.expired + second.expired == 240
    expiries = await WorkerEvent.filter(
        type=WorkerEventType.MEMBERSHIP_STATUS_CHANGED).values_list("worker_id", flat=True)
    assert sorted(expiries) == sorted(await Worker.all().values_list("id", flat=True))
    assert set(await Worker.all().values_list("version", flat=True)) == {2}
    await _counters_match_recount()


async def test_periodic_task_runs_repeatedly_survives_failures_and_stops():
    calls: list[int] = []

    async def flaky_sweep() -> SweepResult:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        return SweepResult(1, 1)

    task = PeriodicSweep(0.01, flaky_sweep, first_delay=0)
    task.start()
    for _ in range(200):
        if len(calls) >= 3:
            break
        await asyncio.sleep(0.01)
    await task.stop()
    assert len(calls) >= 3
    settled = len(calls)
    await asyncio.sleep(0.05)
    assert len(calls) == settled


async def test_interval_zero_disables_the_periodic_sweep():
    async def never() -> SweepResult:
        raise AssertionError("the sweep must not run")

    task = PeriodicSweep(0, never, first_delay=0)
    task.start()
    await asyncio.sleep(0.02)
    await task.stop()
    assert task.runs == 0


async def test_a_failed_sweep_logs_the_error_type_only(caplog):
    async def failing() -> SweepResult:
        raise ValueError("value 3171234567890001 leaked")

    with caplog.at_level(logging.ERROR, logger="portal.sweep"):
        await PeriodicSweep(60, failing, first_delay=0).run_once()
    assert "ValueError" in caplog.text
    assert "3171234567890001" not in caplog.text
