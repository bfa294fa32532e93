"""Every change to a worker happens here, with its event, in one transaction.

This is the module to read to learn where a worker's status changes. Each operation runs
its checks in the order the API promises — role and scope, tenancy lookup, version,
transition, field validation — then writes the row and its event (models.event_log)
before committing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models import event_log, idempotency, lifecycle, stats, worker_input
from models import validators as v
from models.access import Viewer
from models.authorization import require_status_change, require_worker_write
from models.clock import now, today_jakarta
from models.enums import (
    MembershipStatus,
    PlacementStatus,
    WorkerEventType,
)
from models.errors import (
    DuplicateNik,
    FieldInvalid,
    NotFound,
    StaleVersion,
    ValidationFailed,
)
from models.events import WorkerEvent
from models.identifiers import vault
from models.tenancy import visible_workers
from models.workers import FAMILY_CARD, NIK, PASSPORT, Worker, sealed_pair

IDENTIFIER_COLUMNS = {"nik": NIK, "passport": PASSPORT, "family_card": FAMILY_CARD}


@dataclass(frozen=True, slots=True)
class StatusChanged:
    worker: Worker
    event: WorkerEvent


def worker_row(
    partner_id: int, clean: Mapping[str, Any], registered_at: Any
) -> dict[str, Any]:
    """Column values of a new worker from validated input (identifiers sealed here)."""
    row: dict[str, Any] = {}
    for column, value in clean.items():
        if column in IDENTIFIER_COLUMNS:
            sealed, digest = sealed_pair(IDENTIFIER_COLUMNS[column], value)
            row[f"{column}_sealed"], row[f"{column}_digest"] = sealed, digest
        else:
            row[column] = value
    row.setdefault("heirs", [])
    row.update(
        partner_id=partner_id,
        placement_status=PlacementStatus.CANDIDATE,
        phase=lifecycle.phase_of(PlacementStatus.CANDIDATE),
        status=MembershipStatus.REGISTERED,
        version=1,
        registered_at=registered_at,
        updated_at=registered_at,
    )
    return row


async def _nik_taken(conn: BaseDBAsyncClient, viewer: Viewer, nik: str) -> None:
    owner = await (
        Worker.filter(nik_digest=vault().digest(NIK, nik))
        .using_db(conn)
        .values_list("partner_id", flat=True)
    )
    if owner:
        raise DuplicateNik(elsewhere=owner[0] != viewer.partner_id)


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
                return await visible_workers(viewer).using_db(conn).get(id=stored["workerId"])
        await _nik_taken(conn, viewer, clean["nik"])
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
                changes={
                    "placementStatus": {"from": None, "to": worker.placement_status.value},
                    "status": {"from": None, "to": worker.status.value},
                },
                request_id=viewer.request_id,
            ),
        )
        if claim_id is not None:
            await idempotency.store_result(conn, claim_id, {"workerId": worker.id})
    return worker


async def _locked_worker(conn: BaseDBAsyncClient, viewer: Viewer, worker_id: int) -> Worker:
    """The worker, through the choke point, locked for the rest of the transaction."""
    worker = (
        await visible_workers(viewer).using_db(conn).select_for_update().get_or_none(id=worker_id)
    )
    if worker is None:
        raise NotFound("worker")
    return worker


def _check_version(worker: Worker, version: int) -> None:
    if worker.version != version:
        raise StaleVersion(version, worker.version)


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
        event_type = (
            WorkerEventType.PLACEMENT_STATUS_CHANGED
            if "placementStatus" in changes
            else WorkerEventType.MEMBERSHIP_STATUS_CHANGED
        )
        at = now()
        worker.version += 1
        worker.updated_at = at
        await worker.save(using_db=conn)
        await stats.record_change(conn, before, stats.combo_of(worker))
        event = await event_log.append_one(
            conn,
            event_log.NewEvent(
                partner_id=worker.partner_id,
                worker_id=worker.id,
                type=event_type,
                occurred_at=at,
                actor=viewer.actor,
                reason=clean_reason,
                changes=changes,
                request_id=viewer.request_id,
            ),
        )
    return StatusChanged(worker, event)


def _reason(reason: str) -> str:
    try:
        return v.reason(reason)
    except FieldInvalid as exc:
        raise ValidationFailed([exc.problem]) from None


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
