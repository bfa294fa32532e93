"""Contributions paid for a worker and the cover windows they buy."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.enums import ContributionKind, Program
from models.workers import Worker


class Contribution(Model):
    id = fields.BigIntField(primary_key=True)
    worker: fields.ForeignKeyRelation[Worker] = fields.ForeignKeyField(
        "portal.Worker", related_name="contributions", on_delete=fields.CASCADE
    )
    worker_id: int
    kind = fields.CharEnumField(ContributionKind, max_length=16)
    amount = fields.BigIntField(description="Rupiah")
    months = fields.IntField()
    paid_on = fields.DateField()
    covers_from = fields.DateField()
    covers_until = fields.DateField()
    recorded_at = fields.DatetimeField()
    recorded_by = fields.CharField(max_length=200)

    class Meta:
        table = "contribution"
        indexes = (("worker_id", "id"),)


class Coverage(Model):
    id = fields.BigIntField(primary_key=True)
    worker: fields.ForeignKeyRelation[Worker] = fields.ForeignKeyField(
        "portal.Worker", related_name="coverages", on_delete=fields.CASCADE
    )
    worker_id: int
    contribution: fields.ForeignKeyRelation[Contribution] = fields.ForeignKeyField(
        "portal.Contribution", related_name="coverages", on_delete=fields.CASCADE
    )
    program = fields.CharEnumField(Program, max_length=3)
    starts_on = fields.DateField()
    ends_on = fields.DateField()

    class Meta:
        table = "coverage"
        indexes = (("worker_id", "ends_on"),)
