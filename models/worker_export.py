"""Everything about one worker, for a person's access request (PDP law, UU 27/2022).

Answers the request within the 3×24 hours the law allows: the record with identifiers in
full, contributions, cover windows, the event history, and every audit entry that concerns
the worker — including who saw its identifiers.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from models import audit
from models.access import AuditEntry
from models.contributions import Contribution, Coverage
from models.db import dialect
from models.events import WorkerEvent
from models.identifiers import vault
from models.validators import nik as check_nik
from models.workers import FAMILY_CARD, NIK, PASSPORT, Worker


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return getattr(value, "value", value)


def _row(obj: Any, fields: list[str]) -> dict[str, Any]:
    return {f: _plain(getattr(obj, f)) for f in fields}


async def concerning(worker_id: int) -> list[AuditEntry]:
    if dialect() == "postgres":
        where = f"\"target_ids\"::jsonb @> '[{int(worker_id)}]'::jsonb"
    else:
        where = f'EXISTS (SELECT 1 FROM json_each("target_ids") WHERE value = {int(worker_id)})'
    return list(await AuditEntry.raw(
        f'SELECT * FROM "audit_entry" WHERE "target_type" = \'Worker\' AND {where} '
        'ORDER BY "id"'))


async def export(nik: str, actor: str) -> dict[str, Any] | None:
    worker = await Worker.get_or_none(
        nik_digest=vault().digest(NIK, check_nik(nik))).select_related("partner")
    if worker is None:
        return None
    record = _row(worker, [
        "full_name", "birth_date", "birth_place", "gender", "phone", "destination_country",
        "destination_region", "employer_name", "employer_type", "job_sector",
        "placement_scheme", "placement_status", "phase", "status", "contract_start",
        "contract_end", "departed_on", "returned_on", "covered_until", "heirs",
        "siskop2mi_id", "kpj_number", "version", "registered_at", "updated_at",
    ])
    record.update(nik=worker.identifier(NIK), passport_number=worker.identifier(PASSPORT),
                  family_card_number=worker.identifier(FAMILY_CARD))
    contributions = await Contribution.filter(worker_id=worker.id).order_by("id")
    coverages = await Coverage.filter(worker_id=worker.id).order_by("id")
    events = await WorkerEvent.filter(worker_id=worker.id).order_by("id")
    trail = await concerning(worker.id)
    await audit.record("export_worker_data", actor=actor, target_type="Worker",
                       target_ids=[worker.id], subject_partner_id=worker.partner_id)
    return {
        "worker": record,
        "owningPartner": {"code": worker.partner.code, "name": worker.partner.name},
        "contributions": [_row(c, ["kind", "amount", "months", "paid_on", "covers_from",
                                   "covers_until", "recorded_at", "recorded_by"])
                          for c in contributions],
        "coverages": [_row(c, ["program", "starts_on", "ends_on"]) for c in coverages],
        "events": [_row(e, ["id", "type", "occurred_at", "actor", "reason", "changes"])
                   for e in events],
        "processing": [_row(a, ["occurred_at", "actor", "actor_kind", "operation", "outcome",
                                "request_id", "source_address"]) for a in trail],
    }
