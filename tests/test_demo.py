"""The demo data set: keys, shares of the 2018 registry, valid identities, consistent cover
and event histories, tenancy, and a database the app can keep writing to afterwards."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime
from typing import Any

import pytest

from models import api_keys, stats, worker_changes
from models import validators as v
from models.access import ROLE_SCOPES
from models.clock import now, today_jakarta
from models.contributions import Contribution, Coverage
from models.coverage import JHT_MONTHLY_OPTIONS, PRE_PLACEMENT_AMOUNT, contract_months, quote
from models.enums import (
    ContributionKind,
    Gender,
    MembershipStatus,
    Phase,
    PlacementStatus,
    Program,
    Role,
)
from models.events import WorkerEvent
from models.identifiers import vault
from models.partners import Partner
from models.stats import PartnerWorkerCount
from models.tenancy import visible_workers
from models.workers import NIK, PASSPORT, Worker
from portal import demo
from tests import factories as f

N = 2_001  # odd, so the BEFORE/DURING split has to round
WORKER_OWNERS = {
    "kbri-hongkong", "kjri-kotakinabalu", "kjri-kuching", "sabah-consortium", "kdei-taipei",
    "kbri-singapore", "kbri-seoul", "kbri-bandarseribegawan", "p3mi-bina-karya",
    "p3mi-mitra-sejahtera",
}


async def _load(workers: int = N, seed: int = 7) -> dict[str, Any]:
    return await demo.load_demo(workers=workers, seed=seed, progress=False)


async def _workers() -> list[Worker]:
    return list(await Worker.all().order_by("id"))


async def test_keys_list_hong_kong_first_then_partners_by_size_with_the_operator_apart(db):
    keys = await _load()

    assert set(keys) == {"operator", "partners"}
    assert set(keys["operator"]) == {"apiKey"}
    codes = [p["code"] for p in keys["partners"]]
    assert set(codes) == WORKER_OWNERS and len(codes) == len(WORKER_OWNERS)
    assert codes[0] == "kbri-hongkong"
    for entry in keys["partners"]:
        assert set(entry) == {"code", "name", "kind", "keys"}
        assert set(entry["keys"]) == {"admin", "officer", "viewer"}
        partner = await Partner.get(code=entry["code"])
        assert entry["name"] == partner.name and entry["kind"] == partner.kind.value
    sizes = [await Worker.filter(partner__code=c).count() for c in codes]
    assert sizes == sorted(sizes, reverse=True)
    assert sum(sizes) == N
    operator = await Partner.get(code="bpjs-ketenagakerjaan")
    assert operator.kind.value == "BPJS_OFFICE" and operator.country == "ID"
    assert await Worker.filter(partner_id=operator.id).count() == 0


async def test_every_demo_key_authenticates_with_its_role_and_every_scope_of_it(db):
    keys = await _load(workers=50)

    operator = await api_keys.viewer_for_secret(keys["operator"]["apiKey"])
    assert operator.role == Role.OPERATOR and operator.is_operator
    assert operator.scopes == ROLE_SCOPES[Role.OPERATOR]
    roles = {"admin": Role.PARTNER_ADMIN, "officer": Role.PARTNER_OFFICER,
             "viewer": Role.PARTNER_VIEWER}
    for entry in keys["partners"]:
        partner = await Partner.get(code=entry["code"])
        for label, secret in entry["keys"].items():
            viewer = await api_keys.viewer_for_secret(secret)
            assert viewer.partner_id == partner.id
            assert viewer.role == roles[label]
            assert viewer.scopes == ROLE_SCOPES[roles[label]]


async def test_phases_split_exactly_as_in_the_2018_registry(db):
    await _load()

    phases = Counter(w.phase for w in await _workers())
    before = round(N * 144_837 / 398_326)
    assert phases == {Phase.BEFORE: before, Phase.DURING: N - before}
    assert demo.before_count(398_326) == 144_837
    assert 398_326 - demo.before_count(398_326) == 253_489


async def test_destinations_gender_and_jobs_follow_the_published_shares(db):
    await _load()
    workers = await _workers()

    def share(pred: Any, among: list[Worker] = workers) -> float:
        return sum(1 for w in among if pred(w)) / len(among)

    expected = {"TW": 30.0, "MY": 26.0, "HK": 24.0, "KR": 5.0, "JP": 3.5, "SG": 3.0,
                "SA": 2.0, "IT": 1.0, "BN": 1.0, "MO": 3.0}
    for country, pct in expected.items():
        assert share(lambda w, c=country: w.destination_country == c) * 100 == pytest.approx(
            pct, abs=0.3)
    malaysia = [w for w in workers if w.destination_country == "MY"]
    for region, pct in {"Peninsular": 55, "Sabah": 28, "Sarawak": 17}.items():
        assert share(lambda w, r=region: w.destination_region == r, malaysia) * 100 == (
            pytest.approx(pct, abs=1))

    assert 0.62 <= share(lambda w: w.gender == Gender.FEMALE) <= 0.69
    assert share(lambda w: w.job_sector.value == "DOMESTIC_WORKER") == pytest.approx(0.34, abs=0.04)
    assert share(lambda w: w.job_sector.value == "CAREGIVER") == pytest.approx(0.18, abs=0.04)
    assert share(lambda w: w.job_sector.value == "PLANTATION") == pytest.approx(0.05, abs=0.02)
    assert share(lambda w: w.job_sector.value == "CONSTRUCTION") == pytest.approx(0.03, abs=0.02)
    for place in ("HK", "SG"):
        there = [w for w in workers if w.destination_country == place]
        assert share(lambda w: w.gender == Gender.FEMALE, there) > 0.9
        assert share(lambda w: w.job_sector.value == "DOMESTIC_WORKER", there) > 0.85
    borneo = [w for w in malaysia if w.destination_region in ("Sabah", "Sarawak")]
    assert share(lambda w: w.gender == Gender.MALE, borneo) == pytest.approx(0.7, abs=0.08)
    korea = [w for w in workers if w.destination_country == "KR"]
    assert share(lambda w: w.gender == Gender.MALE, korea) > 0.88
    assert share(lambda w: w.placement_scheme.value == "GOVERNMENT", korea) > 0.88
    ages = [v.age_on(w.birth_date, w.registered_at.date()) for w in workers]
    assert min(ages) >= 18 and max(ages) <= 55
    assert sum(ages) / len(ages) == pytest.approx(31, abs=1.5)
    contract_lengths = Counter(contract_months(w.contract_start, w.contract_end)
                               for w in workers)
    assert contract_lengths.most_common(1)[0][0] == 24


async def test_every_nik_is_valid_unique_and_agrees_with_birth_date_and_gender(db):
    await _load()
    workers = await _workers()

    niks = [w.identifier(NIK) for w in workers]
    for worker, nik in zip(workers, niks, strict=True):
        assert v.nik(nik) == nik
        v.nik_agrees(nik, worker.birth_date, worker.gender)
        assert worker.nik_digest == vault().digest(NIK, nik)
    assert len(set(niks)) == len(niks)
    passports = [w.identifier(PASSPORT) for w in workers]
    assert len(set(passports)) == len(passports)
    assert all(v.passport_number(p) == p for p in passports if p)


async def test_every_candidate_can_depart_and_everyone_abroad_departed_after_contract_start(db):
    await _load()

    for w in await _workers():
        if w.placement_status == PlacementStatus.CANDIDATE:
            assert w.passport_sealed and w.passport_digest
            assert w.contract_start is not None and w.contract_end > w.contract_start
            assert w.departed_on is None
        if w.phase == Phase.DURING:
            assert w.departed_on is not None and w.departed_on >= w.contract_start
        if w.placement_status == PlacementStatus.DECEASED:
            assert w.phase == Phase.DURING and w.status == MembershipStatus.CLOSED
        assert w.returned_on is None


async def test_cover_and_membership_agree_with_contributions_coverages_and_today(db):
    await _load()
    today = today_jakarta()
    workers = await _workers()
    contributions: dict[int, list[Contribution]] = defaultdict(list)
    for c in await Contribution.all().order_by("id"):
        contributions[c.worker_id].append(c)
    coverages: dict[int, list[Coverage]] = defaultdict(list)
    for cov in await Coverage.all():
        coverages[cov.contribution_id].append(cov)

    statuses = Counter()
    for w in workers:
        cover_ends: list[date] = []
        for c in contributions[w.id]:
            q = quote(c.kind, paid_on=c.paid_on, contract_start=w.contract_start,
                      contract_end=w.contract_end, departed_on=w.departed_on,
                      months=c.months if c.kind == ContributionKind.JHT else None,
                      jht_monthly=c.amount // c.months
                      if c.kind == ContributionKind.JHT else None)
            assert (c.amount, c.months) == (q.amount, q.months)
            assert (c.covers_from, c.covers_until) == (q.window.starts_on, q.window.ends_on)
            if c.kind == ContributionKind.PRE_PLACEMENT:
                assert c.amount == PRE_PLACEMENT_AMOUNT
            if c.kind == ContributionKind.JHT:
                assert c.amount // c.months in JHT_MONTHLY_OPTIONS
            rows = coverages[c.id]
            assert sorted(r.program for r in rows) == sorted(q.window.programs)
            for r in rows:
                assert r.worker_id == w.id and r.starts_on == c.covers_from
                # Cover ends early only on failed departure or death.
                if r.ends_on != c.covers_until:
                    assert w.placement_status in (PlacementStatus.FAILED_DEPARTURE,
                                                  PlacementStatus.DECEASED)
                    assert r.starts_on <= r.ends_on < c.covers_until
                if r.program != Program.JHT:
                    cover_ends.append(r.ends_on)
        assert w.covered_until == (max(cover_ends) if cover_ends else None)
        if w.placement_status == PlacementStatus.DECEASED:
            assert w.status == MembershipStatus.CLOSED
        elif w.covered_until is None:
            assert w.status == MembershipStatus.REGISTERED
        elif w.covered_until >= today:
            assert w.status == MembershipStatus.ACTIVE
        else:
            assert w.status == MembershipStatus.EXPIRED
        if w.phase == Phase.DURING:
            assert any(c.kind == ContributionKind.PLACEMENT for c in contributions[w.id])
        statuses[w.status] += 1
    # Every status occurs, and most candidates paid their pre-placement contribution.
    assert set(statuses) == set(MembershipStatus)
    candidates = [w for w in workers if w.placement_status == PlacementStatus.CANDIDATE]
    paid = [w for w in candidates if w.covered_until is not None]
    assert 0.8 <= len(paid) / len(candidates) < 1
    abroad = [w for w in workers if w.phase == Phase.DURING]
    jht = {c.worker_id for cs in contributions.values() for c in cs
           if c.kind == ContributionKind.JHT}
    assert len(jht) / len(abroad) == pytest.approx(0.15, abs=0.04)


def _replay(events: list[WorkerEvent]) -> dict[str, Any]:
    """Apply each event's {field: {from, to}}; every "from" must be the state reached."""
    # What a REGISTERED event leaves unsaid, as registerWorker writes it.
    state: dict[str, Any] = {"phase": "BEFORE", "coveredUntil": None}
    for e in events:
        for name, change in e.changes.items():
            assert state.get(name) == change["from"], (e.type, name, state, change)
            state[name] = change["to"]
    return state


async def test_event_histories_start_registered_run_in_time_order_and_explain_each_worker(db):
    await _load()
    events: dict[int, list[WorkerEvent]] = defaultdict(list)
    for e in await WorkerEvent.all().order_by("id"):
        events[e.worker_id].append(e)

    for w in await _workers():
        history = events[w.id]
        assert history[0].type.value == "REGISTERED"
        assert history[0].occurred_at == w.registered_at
        times = [e.occurred_at for e in history]
        assert times == sorted(times) and len(set(times)) == len(times)
        assert times[-1] == w.updated_at <= now()
        assert w.version == len(history)
        assert all(e.actor == "demo:seed" and e.partner_id == w.partner_id for e in history)
        final = _replay(history)
        assert final["placementStatus"] == w.placement_status.value
        assert final["status"] == w.status.value
        assert final["phase"] == w.phase.value
        assert final["coveredUntil"] == (w.covered_until and w.covered_until.isoformat())
        contributions = await Contribution.filter(worker_id=w.id).count()
        assert sum(e.type.value == "CONTRIBUTION_RECORDED" for e in history) == contributions
        for e in history:
            if e.type.value in ("PLACEMENT_STATUS_CHANGED", "MEMBERSHIP_STATUS_CHANGED"):
                assert e.reason  # every transition says why


async def test_each_partner_viewer_sees_only_its_workers_and_the_operator_sees_all(db):
    keys = await _load(workers=600)

    seen = 0
    for entry in keys["partners"]:
        viewer = await api_keys.viewer_for_secret(entry["keys"]["viewer"])
        partner = await Partner.get(code=entry["code"])
        mine = await visible_workers(viewer).values_list("partner_id", flat=True)
        assert set(mine) <= {partner.id}
        assert len(mine) == await Worker.filter(partner_id=partner.id).count()
        seen += len(mine)
    operator = await api_keys.viewer_for_secret(keys["operator"]["apiKey"])
    assert await visible_workers(operator).count() == seen == 600


async def test_the_demo_refuses_to_load_into_a_database_that_has_partners(db):
    await _load(workers=20)
    partners, workers = await Partner.all().count(), await Worker.all().count()

    with pytest.raises(demo.DemoAlreadyLoaded):
        await _load(workers=20)
    assert await demo.demo_loaded()
    assert (await Partner.all().count(), await Worker.all().count()) == (partners, workers)


async def test_zero_workers_still_creates_the_partners_and_their_keys(db):
    assert not await demo.demo_loaded()
    keys = await _load(workers=0)
    assert keys["partners"][0]["code"] == "kbri-hongkong"
    assert await Worker.all().count() == 0


async def test_the_app_keeps_writing_after_the_demo_with_fresh_ids(db):
    await _load(workers=300)
    last_worker = await Worker.all().order_by("-id").first()
    last_event = await WorkerEvent.all().order_by("-id").first()
    last_contribution = await Contribution.all().order_by("-id").first()
    last_coverage = await Coverage.all().order_by("-id").first()
    hk = await Partner.get(code="kbri-hongkong")
    officer = f.viewer(hk)

    worker = await worker_changes.register_worker(officer, f.worker_input())
    assert worker.id == last_worker.id + 1
    recorded = await worker_changes.record_contribution(officer, {
        "workerId": worker.id, "kind": "PRE_PLACEMENT", "amount": 37_500,
        "paidOn": today_jakarta().isoformat(),
    })
    assert recorded.contribution.id == last_contribution.id + 1
    coverage = await Coverage.filter(contribution_id=recorded.contribution.id).order_by("id")
    assert coverage[0].id > last_coverage.id
    assert recorded.event.id > last_event.id
    assert recorded.worker.status == MembershipStatus.ACTIVE


async def test_dashboard_counters_equal_a_recount_of_the_demo_workers(db):
    await _load(workers=500)

    counted = Counter(stats.combo_of(w) for w in await _workers())
    stored = {stats.Combo(c.partner_id, *(getattr(c, d) for d in stats.DIMENSIONS)): c.n
              for c in await PartnerWorkerCount.all() if c.n}
    assert stored == dict(counted)


def _plain(chunk: demo.Chunk) -> list[list[tuple[Any, ...]]]:
    """The chunk's rows without the AES ciphertexts (their nonces are random)."""
    sealed = {demo.WORKER_COLUMNS.index(c) for c in demo.WORKER_COLUMNS if c.endswith("_sealed")}
    workers = [tuple(x for i, x in enumerate(row) if i not in sealed)
               for row in chunk.rows[demo.WORKERS]]
    return [workers, *chunk.rows[1:]]


def _plan(seed: int, workers: int = 300, chunk_size: int = 100) -> demo.Plan:
    partner_ids = {p.code: i + 1 for i, p in enumerate(demo.PARTNERS)}
    at = datetime(2026, 6, 1, 5, 0, tzinfo=now().tzinfo)
    plan = demo._plan(workers, seed, 1, at, partner_ids, postgres=False)
    return demo.Plan(**{**{k: getattr(plan, k) for k in demo.Plan.__slots__},
                        "chunk_size": chunk_size})


async def _all_chunks(plan: demo.Plan, helpers: int) -> list[demo.Chunk]:
    return [c async for c in demo._chunks(plan, helpers)]


async def test_the_same_seed_gives_the_same_data_in_this_process_or_in_helpers(db):
    plan = _plan(seed=11)
    here = await _all_chunks(plan, helpers=0)
    again = await _all_chunks(plan, helpers=0)
    helped = await _all_chunks(plan, helpers=2)

    assert [_plain(c) for c in here] == [_plain(c) for c in again]
    assert [_plain(c) for c in here] == [_plain(c) for c in helped]
    other = await _all_chunks(_plan(seed=12), helpers=0)
    assert [_plain(c) for c in here] != [_plain(c) for c in other]


async def _schema(conn: Any) -> list[tuple[Any, ...]]:
    """Index and constraint definitions of the tables the demo bulk-loads."""
    tables = ["worker", "contribution", "coverage", "worker_event"]
    if conn.capabilities.dialect == "postgres":
        _, indexes = await conn.execute_query(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY($1::text[]) "
            "ORDER BY indexname", [tables])
        _, constraints = await conn.execute_query(
            "SELECT conname, pg_get_constraintdef(oid) AS d FROM pg_constraint "
            "WHERE conrelid = ANY($1::regclass[]) ORDER BY conname", [tables])
        return [tuple(r.values()) for r in [*indexes, *constraints]]
    _, rows = await conn.execute_query(
        "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE tbl_name IN "
        "(?, ?, ?, ?) ORDER BY name", tables)
    return [tuple(r) for r in rows]


async def test_every_index_and_foreign_key_set_aside_for_the_load_is_back(db):
    from tortoise.connection import get_connection

    conn = get_connection("default")
    before = await _schema(conn)
    await _load(workers=200)
    assert await _schema(conn) == before
    assert sum("worker_p_registered" in str(row) for row in before) == 1
    if conn.capabilities.dialect == "postgres":
        assert any("FOREIGN KEY" in str(row) for row in before)


async def test_a_failed_load_leaves_an_empty_database_that_loads_later(db, monkeypatch):
    from tortoise.connection import get_connection

    conn = get_connection("default")
    before = await _schema(conn)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk full")

    with monkeypatch.context() as m:
        m.setattr(demo.worker_input, "validate", broken)
        with pytest.raises(RuntimeError):
            await _load(workers=200)
    assert not await demo.demo_loaded()
    assert await WorkerEvent.all().count() == 0
    assert await _schema(conn) == before  # indexes and foreign keys are back
    await _load(workers=200)
    assert await Worker.all().count() == 200
