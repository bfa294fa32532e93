"""The durable worker event log: one row per change, written in the change's transaction.

The row id is the resume cursor. It is monotonic in commit order because every
transaction that appends events takes one advisory lock just before its inserts and holds
it to commit (PostgreSQL); SQLite has a single writer, so ids commit in order already.
See models.event_log for the write path and the reasoning.
"""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from models.enums import WorkerEventType
from models.partners import Partner
from models.workers import Worker


class WorkerEvent(Model):
    id = fields.BigIntField(primary_key=True)
    partner: fields.ForeignKeyRelation[Partner] = fields.ForeignKeyField(
        "portal.Partner", related_name="events", on_delete=fields.RESTRICT
    )
    partner_id: int
    worker: fields.ForeignKeyRelation[Worker] = fields.ForeignKeyField(
        "portal.Worker", related_name="events", on_delete=fields.CASCADE
    )
    worker_id: int
    type = fields.CharEnumField(WorkerEventType, max_length=32)
    occurred_at = fields.DatetimeField()
    actor = fields.CharField(max_length=200)
    reason = fields.TextField(null=True)
    changes: dict[str, Any] = fields.JSONField(default=dict)  # type: ignore[assignment]
    request_id = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "worker_event"
        indexes = (("partner_id", "id"), ("worker_id", "id"))
