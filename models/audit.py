"""The append-only audit log: the one place audit entries are written.

Entries hold ids, operation names and outcomes, never identifiers or secrets. Reveals of
full NIK, passport or family-card numbers are one entry per response listing the workers
(the PDP law's record of processing, and what answers a person's access request).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from models.access import AuditEntry, Viewer
from models.clock import now

REVEAL = "reveal_identifiers"


async def record(
    operation: str,
    *,
    viewer: Viewer | None = None,
    actor: str | None = None,
    outcome: str = "ok",
    target_type: str | None = None,
    target_ids: Iterable[int] = (),
    subject_partner_id: int | None = None,
    detail: dict[str, Any] | None = None,
    request_id: str | None = None,
    source_address: str | None = None,
    conn: BaseDBAsyncClient | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        occurred_at=now(),
        actor=actor or (viewer.actor if viewer else "anonymous"),
        actor_kind=viewer.actor_kind if viewer else ("system" if actor else "anonymous"),
        partner_id=viewer.partner_id if viewer else None,
        subject_partner_id=subject_partner_id,
        operation=operation,
        target_type=target_type,
        target_ids=sorted(set(target_ids)),
        outcome=outcome,
        detail=detail or {},
        request_id=request_id or (viewer.request_id if viewer else None),
        source_address=source_address or (viewer.source_address if viewer else None),
    )
    await entry.save(using_db=conn)
    return entry


async def record_reveal(viewer: Viewer, worker_ids: Iterable[int], operation: str) -> None:
    ids = sorted(set(worker_ids))
    if ids:
        await record(REVEAL, viewer=viewer, target_type="Worker", target_ids=ids,
                     detail={"operation": operation, "count": len(ids)})
