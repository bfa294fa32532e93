"""Every change to a worker happens here, with its event, in one transaction.

This is the module to read to learn where a worker's state changes. Each operation runs
its checks in the order the API promises — role and scope, tenancy lookup, version,
transition, field validation — then writes the row, moves the dashboard counters
(models.stats) and appends its event (models.event_log) before committing.

| operation             | event(s)                                  | who                  |
|-----------------------|-------------------------------------------|----------------------|
| register_worker       | REGISTERED                                | partner writers      |
| import_workers        | REGISTERED per row (models.bulk_import)   | partner writers      |
| update_worker         | UPDATED (also add_heir, remove_heir)      | partner writers      |
| change_worker_status  | PLACEMENT_ / MEMBERSHIP_STATUS_CHANGED    | writers; CLOSED: ops |
| record_contribution   | CONTRIBUTION_RECORDED (may set ACTIVE)    | partner writers      |
| extend_contract       | CONTRACT_EXTENDED (with its payment)      | partner writers      |
| correct_identity      | IDENTITY_CORRECTED                        | operators            |
| transfer_worker       | TRANSFERRED_OUT + TRANSFERRED_IN          | operators            |
| expire_lapsed         | MEMBERSHIP_STATUS_CHANGED (models.sweep)  | the system           |

Money rules (amounts, cover windows, when membership turns ACTIVE) live in
models.contribution_changes; batch operations in models.bulk_import and models.sweep.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models import (
    bulk_import,
    contribution_changes,
    event_log,
    idempotency,
    lifecycle,
    stats,
    sweep,
    worker_input,
)
from models import validators as v
from models.access import Viewer
from models.authorization import require_operator, require_status_change, require_worker_write
from models.clock import now, today_jakarta
from models.contributions import Contribution, Coverage
from models.enums import (
    MembershipStatus,
    PartnerKind,
    Phase,
    PlacementStatus,
    Program,
    WorkerEventType,
)
from models.errors import (
    DuplicateNik,
    FieldInvalid,
    FieldProblem,
    NotFound,
    StaleVersion,
    ValidationFailed,
)
from models.events import WorkerEvent
from models.identifiers import vault
from models.partners import Partner
from models.tenancy import visible_contributions, visible_events, visible_partners, visible_workers
from models.validators import mask_identifier
from models.workers import NIK, Worker

# Kept under this name: demo data and imports build new rows exactly like registration.
worker_row = worker_input.new_worker_row
IDENTIFIER_COLUMNS = worker_input.IDENTIFIER_COLUMNS


@dataclass(frozen=True, slots=True)
class StatusChanged:
    worker: Worker
    event: WorkerEvent


@dataclass(frozen=True, slots=True)
class ContributionRecorded:
    worker: Worker
    contribution: Contribution
    event: WorkerEvent


@dataclass(frozen=True, slots=True)
class Transferred:
    worker: Worker
    transferred_out: WorkerEvent
    transferred_in: WorkerEvent


# --- registration ---------------------------------------------------------------------


async def _nik_taken(
    conn: BaseDBAsyncClient, partner_id: int, nik: str, *, except_worker: int | None = None
) -> None:
    # Uniqueness is system-wide by nature, so this one lookup is not viewer-scoped; it
    # answers only "yours" or "elsewhere", never whose.
    qs = Worker.filter(nik_digest=vault().digest(NIK, nik)).using_db(conn)
    if except_worker is not None:
        qs = qs.exclude(id=except_worker)
    owner = await qs.values_list("partner_id", flat=True)
    if owner:
        raise DuplicateNik(elsewhere=owner[0] != partner_id)


async def register_worker(
    viewer: Viewer, raw: Mapping[str, Any], *, idempotency_key: str | None = None
) -> Worker:
    require_worker_write(viewer)
    if idempotency_key is not None:
        idempotency.check_key(idempotency_key)
    clean = worker_input.validate(raw, today=today_jakarta())
    async with in_transaction() as conn:
        claim_id = None
        if idempotency_key is not None:
            claim_id, stored = await idempotency.claim(
                conn, viewer.partner_id, "registerWorker", idempotency_key,
                idempotency.request_digest(dict(raw)),
            )
            if stored is not None:
                again = await visible_workers(viewer).using_db(conn).get_or_none(
                    id=stored["workerId"]
                )
                if again is None:  # transferred away since: no longer yours to see
                    raise NotFound("worker")
                return again
        await _nik_taken(conn, viewer.partner_id, clean["nik"])
        at = now()
        worker = Worker(**worker_row(viewer.partner_id, clean, at))
        try:
            await worker.save(using_db=conn)
        except IntegrityError:
            # A concurrent registration of the same NIK won the race.
            raise DuplicateNik(elsewhere=True) from None
        await stats.record_change(conn, None, stats.combo_of(worker))
        await event_log.append_one(
            conn,
            event_log.NewEvent(
                partner_id=viewer.partner_id,
                worker_id=worker.id,
                type=WorkerEventType.REGISTERED,
                occurred_at=at,
                actor=viewer.actor,
                changes=worker_input.registered_changes(),
                request_id=viewer.request_id,
            ),
        )
        if claim_id is not None:
            await idempotency.store_result(conn, claim_id, {"workerId": worker.id})
    return worker


async def import_workers(
    viewer: Viewer,
    rows: Sequence[Mapping[str, Any]],
    *,
    mode: bulk_import.ImportMode = bulk_import.ImportMode.ALL_OR_NOTHING,
    idempotency_key: str | None = None,
    max_rows: int | None = bulk_import.MAX_ROWS,
    progress: Callable[[str, int, int], None] | None = None,
) -> bulk_import.ImportOutcome:
    """Register many workers at once (bulk inserts; see models.bulk_import)."""
    return await bulk_import.import_workers(
        viewer, rows, mode=mode, idempotency_key=idempotency_key, max_rows=max_rows,
        progress=progress,
    )


# --- shared steps ---------------------------------------------------------------------


async def _locked_worker(conn: BaseDBAsyncClient, viewer: Viewer, worker_id: int) -> Worker:
    """The worker, through the choke point, locked for the rest of the transaction."""
    worker = (
        await visible_workers(viewer).using_db(conn).select_for_update().get_or_none(id=worker_id)
    )
    if worker is None:
        raise NotFound("worker")
    return worker


def _check_version(worker: Worker, version: int | None) -> None:
    if version is not None and worker.version != version:
        raise StaleVersion(version, worker.version)


def _reason(reason: str) -> str:
    try:
        return v.reason(reason)
    except FieldInvalid as exc:
        raise ValidationFailed([exc.problem]) from None


async def _commit(
    conn: BaseDBAsyncClient,
    viewer: Viewer,
    worker: Worker,
    before: stats.Combo,
    event_type: WorkerEventType,
    changes: dict[str, Any],
    reason: str | None,
    *,
    event_partner_id: int | None = None,
) -> WorkerEvent:
    """Save a changed worker: version, counters, and its one event, in that order.
    The event belongs to the worker's partner unless ``event_partner_id`` says otherwise."""
    at = now()
    worker.version += 1
    worker.updated_at = at
    await worker.save(using_db=conn)
    await stats.record_change(conn, before, stats.combo_of(worker))
    return await event_log.append_one(
        conn,
        event_log.NewEvent(
            partner_id=event_partner_id or worker.partner_id,
            worker_id=worker.id,
            type=event_type,
            occurred_at=at,
            actor=viewer.actor,
            reason=reason,
            changes=changes,
            request_id=viewer.request_id,
        ),
    )


def _abroad(worker: Worker) -> bool:
    return worker.phase == Phase.DURING and worker.placement_status != PlacementStatus.DECEASED


# --- placement and membership status ----------------------------------------------------


async def change_worker_status(
    viewer: Viewer,
    worker_id: int,
    version: int,
    *,
    placement_status: PlacementStatus | None,
    membership_status: MembershipStatus | None,
    reason: str,
) -> StatusChanged:
    require_status_change(
        viewer,
        placement=placement_status is not None,
        closing=membership_status == MembershipStatus.CLOSED,
    )
    async with in_transaction() as conn:
        worker = await _locked_worker(conn, viewer, worker_id)
        _check_version(worker, version)
        if placement_status is None and membership_status is None:
            raise ValidationFailed.single(
                "placementStatus", "required",
                "Give placementStatus, status, or both.",
            )
        if placement_status is not None:
            lifecycle.check_placement(worker.placement_status, placement_status)
        if membership_status is not None:
            lifecycle.check_membership_manual(worker.status, membership_status)
        clean_reason = _reason(reason)
        if placement_status == PlacementStatus.DEPARTED:
            lifecycle.check_departure_conditions(
                lifecycle.DepartureFacts(
                    worker.passport_sealed, worker.contract_start, worker.contract_end
                )
            )
        before = stats.combo_of(worker)
        changes = _apply_status(worker, placement_status, membership_status)
        if placement_status == PlacementStatus.DEPARTED:
            await _activate_if_covered(conn, worker, changes)
        if placement_status in (PlacementStatus.FAILED_DEPARTURE, PlacementStatus.DECEASED):
            changes.update(await contribution_changes.end_pre_placement_cover(
                conn, worker, today_jakarta()))
        event_type = (
            WorkerEventType.PLACEMENT_STATUS_CHANGED
            if "placementStatus" in changes
            else WorkerEventType.MEMBERSHIP_STATUS_CHANGED
        )
        event = await _commit(conn, viewer, worker, before, event_type, changes, clean_reason)
    return StatusChanged(worker, event)


async def _activate_if_covered(conn: BaseDBAsyncClient, worker: Worker,
                               changes: dict[str, dict[str, str | None]]) -> None:
    """A placement contribution paid before departure covers from the departure day: the
    membership turns ACTIVE as the worker leaves (REGISTERED or EXPIRED before)."""
    today = today_jakarta()
    # Placement cover runs from the departure: a window paid ahead (starting at the
    # contract start) now starts today.
    await Coverage.filter(worker_id=worker.id, program__in=[Program.JKK, Program.JKM],
                          starts_on__gt=today).using_db(conn).update(starts_on=today)
    if worker.status not in (MembershipStatus.REGISTERED, MembershipStatus.EXPIRED):
        return
    covered = await Coverage.filter(
        worker_id=worker.id, program__in=[Program.JKK, Program.JKM], starts_on__lte=today,
        ends_on__gte=today).using_db(conn).exists()
    if covered:
        changes["status"] = {"from": worker.status.value, "to": MembershipStatus.ACTIVE.value}
        worker.status = MembershipStatus.ACTIVE


def _apply_status(
    worker: Worker,
    placement: PlacementStatus | None,
    membership: MembershipStatus | None,
) -> dict[str, dict[str, str | None]]:
    """Set the new statuses and the dates they imply; return field -> {from, to}."""
    changes: dict[str, dict[str, str | None]] = {}
    today = today_jakarta()
    if placement is not None:
        changes["placementStatus"] = {"from": worker.placement_status.value, "to": placement}
        new_phase = lifecycle.phase_of(placement, worker.phase)
        if new_phase != worker.phase:
            changes["phase"] = {"from": worker.phase.value, "to": new_phase.value}
        worker.placement_status, worker.phase = placement, new_phase
        if placement == PlacementStatus.DEPARTED and worker.departed_on is None:
            worker.departed_on = today
        elif placement == PlacementStatus.RETURNED:
            worker.returned_on = today
        elif placement == PlacementStatus.CANDIDATE:
            # A new placement cycle: the previous contract and journey are history (kept in
            # the event log); the next departure needs new contract dates.
            worker.departed_on = worker.returned_on = None
            worker.contract_start = worker.contract_end = None
        if placement == PlacementStatus.DECEASED and worker.status != MembershipStatus.CLOSED:
            membership = MembershipStatus.CLOSED
    if membership is not None and membership != worker.status:
        changes["status"] = {"from": worker.status.value, "to": membership.value}
        worker.status = membership
    return changes


# --- record fields and heirs ----------------------------------------------------------


# API name of each column an update may change, for the event's changes.
_FIELD_OF: dict[str, str] = {
    **{column: name for name, column in worker_input.COLUMN_OF.items()},
    **{column: f"externalIds.{name}" for name, column in worker_input.EXTERNAL_ID_COLUMNS.items()},
}


def _present(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return getattr(value, "value", value)


def _apply_fields(worker: Worker, clean: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Write validated columns onto the worker; field -> {from, to} of what really changed.
    Identifiers are compared in plaintext and reported masked."""
    changes: dict[str, dict[str, Any]] = {}
    for column, value in clean.items():
        field = _FIELD_OF[column]
        if column in IDENTIFIER_COLUMNS:
            kind = IDENTIFIER_COLUMNS[column]
            old = worker.identifier(kind)
            if old != value:
                worker.set_identifier(kind, value)
                changes[field] = {"from": mask_identifier(old), "to": mask_identifier(value)}
            continue
        old = getattr(worker, column)
        if _present(old) != _present(value):
            setattr(worker, column, value)
            changes[field] = {"from": _present(old), "to": _present(value)}
    return changes


def _current(worker: Worker) -> worker_input.Current:
    return worker_input.Current(
        worker.destination_country, worker.destination_region,
        worker.contract_start, worker.contract_end,
    )


async def update_worker(
    viewer: Viewer, worker_id: int, version: int, patch: Mapping[str, Any]
) -> StatusChanged:
    """Change record fields (a null clears an optional one). Emits one UPDATED event."""
    require_worker_write(viewer)
    async with in_transaction() as conn:
        worker = await _locked_worker(conn, viewer, worker_id)
        _check_version(worker, version)
        clean = worker_input.validate_update(
            patch, today=today_jakarta(), current=_current(worker), abroad=_abroad(worker)
        )
        return await _save_update(conn, viewer, worker, clean)


async def _save_update(
    conn: BaseDBAsyncClient, viewer: Viewer, worker: Worker, clean: Mapping[str, Any]
) -> StatusChanged:
    before = stats.combo_of(worker)
    changes = _apply_fields(worker, clean)
    if not changes:
        raise ValidationFailed.single(
            "input", "no_change", "The input matches the record; nothing was changed.")
    event = await _commit(conn, viewer, worker, before, WorkerEventType.UPDATED, changes, None)
    return StatusChanged(worker, event)


async def add_heir(
    viewer: Viewer, worker_id: int, version: int, heir: Mapping[str, Any],
    position: int | None = None,
) -> StatusChanged:
    """Insert an heir at ``position`` (0 = first in entitlement; default last)."""
    require_worker_write(viewer)
    async with in_transaction() as conn:
        worker = await _locked_worker(conn, viewer, worker_id)
        _check_version(worker, version)
        heirs = list(worker.heirs)
        if position is not None and not 0 <= position <= len(heirs):
            raise ValidationFailed.single(
                "position", "range", f"position is 0 to {len(heirs)} for this worker.")
        if len(heirs) >= worker_input.MAX_HEIRS:
            raise ValidationFailed.single(
                "heir", "max_items", f"A worker has at most {worker_input.MAX_HEIRS} heirs.")
        heirs.insert(len(heirs) if position is None else position, _one_heir(heir))
        return await _save_update(conn, viewer, worker, {"heirs": heirs})


def _one_heir(heir: Mapping[str, Any]) -> dict[str, Any]:
    try:
        clean = worker_input.validate({"heirs": [dict(heir)]}, today=today_jakarta(),
                                      current=worker_input.Current(None, None, None, None))
    except ValidationFailed as exc:
        raise ValidationFailed([
            FieldProblem(p.field.replace("heirs[0]", "heir", 1), p.rule,
                         p.message.replace("heirs[0]", "heir"))
            for p in exc.problems
        ]) from None
    return dict(clean["heirs"][0])


async def remove_heir(
    viewer: Viewer, worker_id: int, version: int, position: int
) -> StatusChanged:
    """Remove the heir at ``position`` (0-based, in the order of entitlement)."""
    require_worker_write(viewer)
    async with in_transaction() as conn:
        worker = await _locked_worker(conn, viewer, worker_id)
        _check_version(worker, version)
        heirs = list(worker.heirs)
        if not 0 <= position < len(heirs):
            raise ValidationFailed.single(
                "position", "range",
                "This worker has no heirs." if not heirs
                else f"position is 0 to {len(heirs) - 1} for this worker.",
            )
        del heirs[position]
        return await _save_update(conn, viewer, worker, {"heirs": heirs})


# --- money ---------------------------------------------------------------------------


async def record_contribution(
    viewer: Viewer, raw: Mapping[str, Any], *, idempotency_key: str | None = None
) -> ContributionRecorded:
    """A contribution paid for a worker: checks the amount against the rules, writes the
    contribution and the cover it buys, and activates the membership when the cover
    includes today. ``raw``: workerId (int), kind, amount, paidOn, months?, jhtMonthlyAmount?
    """
    require_worker_write(viewer)
    if idempotency_key is not None:
        idempotency.check_key(idempotency_key)
    async with in_transaction() as conn:
        claim_id = None
        if idempotency_key is not None:
            claim_id, stored = await idempotency.claim(
                conn, viewer.partner_id, "recordContribution", idempotency_key,
                idempotency.request_digest(dict(raw)),
            )
            if stored is not None:
                return await _recorded_before(conn, viewer, stored)
        worker = await _locked_worker(conn, viewer, int(raw.get("workerId") or 0))
        today = today_jakarta()
        payment = contribution_changes.check_payment(worker, raw, today=today)
        before = stats.combo_of(worker)
        contribution, changes = await contribution_changes.pay(
            conn, worker, payment, recorded_by=viewer.actor, today=today
        )
        event = await _commit(
            conn, viewer, worker, before, WorkerEventType.CONTRIBUTION_RECORDED, changes,
            contribution_changes.describe(payment),
        )
        if claim_id is not None:
            await idempotency.store_result(conn, claim_id, {
                "workerId": worker.id, "contributionId": contribution.id, "eventId": event.id,
            })
    return ContributionRecorded(worker, contribution, event)


async def _recorded_before(
    conn: BaseDBAsyncClient, viewer: Viewer, stored: Mapping[str, Any]
) -> ContributionRecorded:
    worker = await visible_workers(viewer).using_db(conn).get_or_none(id=stored["workerId"])
    contribution = await visible_contributions(viewer).using_db(conn).get_or_none(
        id=stored["contributionId"])
    event = await visible_events(viewer).using_db(conn).get_or_none(id=stored["eventId"])
    if worker is None or contribution is None or event is None:
        raise NotFound("worker")
    return ContributionRecorded(worker, contribution, event)


async def extend_contract(
    viewer: Viewer,
    worker_id: int,
    version: int,
    *,
    months: int,
    amount: int,
    paid_on: Any,
    reason: str,
) -> ContributionRecorded:
    """Lengthen a running contract by ``months`` and take its payment (Rp13,500 a month)
    in the same change: the contract end moves, an EXTENSION contribution and its cover are
    written, and one CONTRACT_EXTENDED event records all of it."""
    require_worker_write(viewer)
    async with in_transaction() as conn:
        worker = await _locked_worker(conn, viewer, worker_id)
        _check_version(worker, version)
        today = today_jakarta()
        payment = contribution_changes.check_extension(
            worker, months=months, amount=amount, paid_on=paid_on, today=today
        )
        clean_reason = _reason(reason)
        before = stats.combo_of(worker)
        old_end = worker.contract_end
        worker.contract_end = payment.new_contract_end
        contribution, paid_changes = await contribution_changes.pay(
            conn, worker, payment, recorded_by=viewer.actor, today=today
        )
        changes = {
            "contractEnd": {"from": _present(old_end), "to": _present(worker.contract_end)},
            **paid_changes,
        }
        event = await _commit(
            conn, viewer, worker, before, WorkerEventType.CONTRACT_EXTENDED, changes,
            clean_reason,
        )
    return ContributionRecorded(worker, contribution, event)


# --- operators ------------------------------------------------------------------------


async def correct_identity(
    viewer: Viewer, worker_id: int, version: int, raw: Mapping[str, Any], reason: str
) -> StatusChanged:
    """An operator corrects NIK, name, birth date or gender. Emits IDENTITY_CORRECTED with
    identifiers masked; a NIK taken by another worker is refused without saying whose."""
    require_operator(viewer)
    async with in_transaction() as conn:
        worker = await _locked_worker(conn, viewer, worker_id)
        _check_version(worker, version)
        current = worker_input.Identity(
            nik=worker.identifier(NIK) or "",
            full_name=worker.full_name,
            birth_date=worker.birth_date,
            gender=worker.gender,
            registered_on=today_jakarta(worker.registered_at),
        )
        clean = worker_input.validate_identity(raw, current)
        clean_reason = _reason(reason)
        if "nik" in clean and clean["nik"] != current.nik:
            await _nik_taken(conn, worker.partner_id, clean["nik"], except_worker=worker.id)
        before = stats.combo_of(worker)
        changes = _apply_fields(worker, clean)
        if not changes:
            raise ValidationFailed.single(
                "input", "no_change", "The input matches the record; nothing to correct.")
        try:
            event = await _commit(
                conn, viewer, worker, before, WorkerEventType.IDENTITY_CORRECTED, changes,
                clean_reason,
            )
        except IntegrityError:
            raise DuplicateNik(elsewhere=True) from None
    return StatusChanged(worker, event)


async def transfer_worker(
    viewer: Viewer,
    worker_id: int,
    to_partner_id: int,
    reason: str,
    *,
    version: int | None = None,
) -> Transferred:
    """An operator hands a worker to another partner. The old owner keeps the events of
    its time (TRANSFERRED_OUT is its last); the new owner sees the whole history."""
    require_operator(viewer)
    async with in_transaction() as conn:
        worker = await _locked_worker(conn, viewer, worker_id)
        _check_version(worker, version)
        clean_reason = _reason(reason)
        # Partner ids are 32-bit: a larger one (global ids carry up to 18 digits) is simply
        # not a partner, and asking PostgreSQL for it would be an error.
        target = (await visible_partners(viewer).using_db(conn).get_or_none(id=to_partner_id)
                  if 0 < to_partner_id < 2**31 else None)
        _check_transfer_target(worker, target)
        assert target is not None
        source = await Partner.get(id=worker.partner_id).using_db(conn)
        before = stats.combo_of(worker)
        worker.partner_id = target.id
        changes = {"partner": {"from": source.code, "to": target.code}}
        # The old owner's last event of this worker, then the new owner's first. The old
        # owner is not told who owns the worker now: that is the new owner's business.
        out_changes = {"partner": {"from": source.code, "to": None}}
        out_event = await _commit(
            conn, viewer, worker, before, WorkerEventType.TRANSFERRED_OUT, out_changes,
            clean_reason, event_partner_id=source.id,
        )
        in_event = await event_log.append_one(
            conn,
            event_log.NewEvent(
                partner_id=target.id,
                worker_id=worker.id,
                type=WorkerEventType.TRANSFERRED_IN,
                occurred_at=out_event.occurred_at,
                actor=viewer.actor,
                reason=clean_reason,
                changes=changes,
                request_id=viewer.request_id,
            ),
        )
    return Transferred(worker, out_event, in_event)


def _check_transfer_target(worker: Worker, target: Partner | None) -> None:
    if target is None:
        raise ValidationFailed.single(
            "toPartner", "unknown_partner", "No partner with this id.")
    if target.kind == PartnerKind.BPJS_OFFICE:
        raise ValidationFailed.single(
            "toPartner", "owns_no_workers",
            "The BPJS office owns no workers; transfer to an embassy, consulate, consortium "
            "or agency.")
    if target.id == worker.partner_id:
        raise ValidationFailed.single(
            "toPartner", "same_partner", "The worker already belongs to this partner.")


# --- the system -----------------------------------------------------------------------


async def expire_lapsed(
    *, today: date | None = None, batch_size: int = sweep.BATCH_SIZE
) -> sweep.SweepResult:
    """ACTIVE memberships whose cover ended before today become EXPIRED (models.sweep)."""
    return await sweep.expire_lapsed(today=today, batch_size=batch_size)
