"""The dashboard counters (models.stats) always equal a recount, whatever happens."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from tortoise.connection import get_connection
from tortoise.transactions import in_transaction

from models import lifecycle, stats, worker_changes
from models.bulk_import import ImportMode
from models.clock import today_jakarta
from models.enums import MembershipStatus, PartnerKind, PlacementStatus, Role
from models.errors import DomainError
from models.workers import Worker
from tests import factories as f

COUNTRIES = ("HK", "TW", "MY", "SG", "KR")
SECTORS = ("DOMESTIC_WORKER", "CAREGIVER", "PLANTATION", "FISHERY")


async def _counters() -> list[tuple[object, ...]]:
    """The maintained counters, as the dashboard would sum them."""
    dims = ", ".join(stats.DIMENSIONS)
    rows = await get_connection("default").execute_query_dict(
        f"SELECT partner_id, {dims}, SUM(n) AS n FROM partner_worker_count "
        f"GROUP BY partner_id, {dims} HAVING SUM(n) <> 0 ORDER BY partner_id, {dims}")
    return [(*(r[k] for k in ("partner_id", *stats.DIMENSIONS)), int(r["n"])) for r in rows]


async def _recounted() -> list[tuple[object, ...]]:
    async with in_transaction() as conn:
        await stats.recount(conn)
    return await _counters()


def _worker_input(rng: random.Random) -> dict[str, object]:
    country = rng.choice(COUNTRIES)
    region = {"MY": "Sabah"}.get(country)
    data = f.worker_input(destinationCountry=country, jobSector=rng.choice(SECTORS))
    if region:
        data["destinationRegion"] = region
    return data


async def _random_story(seed: int, steps: int) -> dict[str, int]:
    rng = random.Random(seed)
    hk = await f.partner("kbri-hongkong")
    kk = await f.partner("kjri-kota-kinabalu", PartnerKind.CONSULATE, "MY")
    bpjs = await f.operator_partner()
    partners = {hk.id: f.viewer(hk), kk.id: f.viewer(kk)}
    operator = f.viewer(bpjs, Role.OPERATOR)
    done: dict[str, int] = {}
    today = today_jakarta()

    async def any_worker() -> Worker | None:
        ids = await Worker.all().values_list("id", flat=True)
        return await Worker.get(id=rng.choice(ids)) if ids else None

    for _ in range(steps):
        action = rng.choice(["register", "import", "status", "status", "status", "pay",
                             "pay", "sweep", "transfer", "update", "close", "death"])
        w = await any_worker()
        try:
            if action == "register" or w is None:
                await worker_changes.register_worker(partners[rng.choice([hk.id, kk.id])],
                                                     _worker_input(rng))
            elif action == "import":
                rows = [_worker_input(rng) for _ in range(3)] + [f.worker_input(nik="bad")]
                await worker_changes.import_workers(
                    partners[hk.id], rows, mode=rng.choice(list(ImportMode)))
            elif action in ("status", "death"):
                targets = sorted(lifecycle.PLACEMENT_TRANSITIONS[w.placement_status])
                target = PlacementStatus.DECEASED if action == "death" else (
                    rng.choice(targets) if targets else PlacementStatus.DEPARTED)
                await worker_changes.change_worker_status(
                    partners[w.partner_id], w.id, w.version, placement_status=target,
                    membership_status=None, reason="story")
            elif action == "pay":
                kind = "PRE_PLACEMENT" if w.placement_status == PlacementStatus.CANDIDATE \
                    else "PLACEMENT"
                amount = 37_500 if kind == "PRE_PLACEMENT" else 332_500
                await worker_changes.record_contribution(partners[w.partner_id], {
                    "workerId": w.id, "kind": kind, "amount": amount, "paidOn": today})
            elif action == "sweep":
                swept = await worker_changes.expire_lapsed(
                    today=today + timedelta(days=rng.choice([1, 200, 900])))
                done["expired"] = done.get("expired", 0) + swept.expired
            elif action == "transfer":
                other = kk.id if w.partner_id == hk.id else hk.id
                await worker_changes.transfer_worker(operator, w.id, other, "story")
            elif action == "update":
                await worker_changes.update_worker(
                    partners[w.partner_id], w.id, w.version,
                    {"destinationCountry": rng.choice(("HK", "TW", "SG")),
                     "jobSector": rng.choice(SECTORS)})
            elif action == "close":
                await worker_changes.change_worker_status(
                    operator, w.id, w.version, placement_status=None,
                    membership_status=MembershipStatus.CLOSED, reason="story")
            done[action] = done.get(action, 0) + 1
        except DomainError:
            done["refused"] = done.get("refused", 0) + 1
        # Each step, refused or not, leaves the counters equal to the rows.
        assert await _counters() == await _recounted_without_writing()
    # Whatever the dice said, end with a payment that lapses and a death.
    paid = await worker_changes.register_worker(partners[hk.id], _worker_input(rng))
    await worker_changes.record_contribution(partners[hk.id], {
        "workerId": paid.id, "kind": "PRE_PLACEMENT", "amount": 37_500, "paidOn": today})
    swept = await worker_changes.expire_lapsed(today=today + timedelta(days=400))
    done["expired"] = done.get("expired", 0) + swept.expired
    paid = await Worker.get(id=paid.id)
    await worker_changes.change_worker_status(
        partners[hk.id], paid.id, paid.version, placement_status=PlacementStatus.DECEASED,
        membership_status=None, reason="story")
    done["death"] = done.get("death", 0) + 1
    assert await _counters() == await _recounted_without_writing()
    return done


async def _recounted_without_writing() -> list[tuple[object, ...]]:
    dims = ", ".join(stats.DIMENSIONS)
    rows = await get_connection("default").execute_query_dict(
        f"SELECT partner_id, {dims}, COUNT(*) AS n FROM worker "
        f"GROUP BY partner_id, {dims} ORDER BY partner_id, {dims}")
    return [(*(r[k] for k in ("partner_id", *stats.DIMENSIONS)), int(r["n"])) for r in rows]


@pytest.mark.parametrize("seed", [2018, 2023])
async def test_counters_equal_a_recount_after_a_random_story(db, seed):
    done = await _random_story(seed, steps=70)
    # The story really exercised the changes that move counters.
    for action in ("register", "import", "status", "pay", "transfer", "update", "expired",
                   "death"):
        assert done.get(action, 0) > 0, sorted(done.items())
    before = await _counters()
    assert before == await _recounted()
    assert sum(row[-1] for row in before) == await Worker.all().count()


async def test_a_refused_change_moves_no_counter(db):
    hk = await f.partner()
    viewer = f.viewer(hk)
    worker = await worker_changes.register_worker(viewer, f.worker_input())
    before = await _counters()
    with pytest.raises(DomainError):
        await worker_changes.change_worker_status(
            viewer, worker.id, worker.version, placement_status=PlacementStatus.RETURNED,
            membership_status=None, reason="not allowed from CANDIDATE")
    assert await _counters() == before
