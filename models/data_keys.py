"""Re-encrypting identifiers under the current data key (``portal rotate-data-key``).

Rotation without downtime: (1) put the new key first in PORTAL_DATA_KEYS, keeping the old
one after it, and restart the processes one by one — new values are sealed with the new
key, old ones still open; (2) run this, which re-seals every value still under an old key in
small batches; (3) drop the old key from the configuration. Each row is updated only if it
still holds the value read, so a concurrent change is never overwritten.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Callable
from dataclasses import dataclass

from tortoise.transactions import in_transaction

from models.identifiers import vault
from models.workers import FAMILY_CARD, NIK, PASSPORT, Worker

SEALED_COLUMNS = ((NIK, "nik_sealed"), (PASSPORT, "passport_sealed"),
                  (FAMILY_CARD, "family_card_sealed"))
BATCH = 500


def new_key_spec(key_id: str) -> str:
    """A fresh ``id:base64`` entry for PORTAL_DATA_KEYS."""
    return f"{key_id}:{base64.b64encode(os.urandom(32)).decode()}"


@dataclass
class RotationReport:
    scanned: int = 0
    resealed: int = 0
    skipped_changed: int = 0


async def reseal_all(progress: Callable[[RotationReport], None] | None = None) -> RotationReport:
    v = vault()
    report = RotationReport()
    last_id = 0
    columns = ["id", *(c for _, c in SEALED_COLUMNS)]
    while True:
        rows = await (Worker.filter(id__gt=last_id).order_by("id").limit(BATCH)
                      .values_list(*columns))
        if not rows:
            return report
        last_id = rows[-1][0]
        report.scanned += len(rows)
        async with in_transaction() as conn:
            for row in rows:
                updates: dict[str, str] = {}
                for (kind, column), token in zip(SEALED_COLUMNS, row[1:], strict=True):
                    if token and v.key_id_of(token) != v.current:
                        updates[column] = v.seal(kind, v.open(kind, token))
                if not updates:
                    continue
                guard = {c: t for (_, c), t in zip(SEALED_COLUMNS, row[1:], strict=True)}
                changed = await Worker.filter(id=row[0], **guard).using_db(conn).update(
                    **updates)
                if changed:
                    report.resealed += 1
                else:
                    report.skipped_changed += 1
        if progress:
            progress(report)
