"""Partner organisations: embassies, consulates, consortia, agencies and the BPJS office."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.enums import PartnerKind


class Partner(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=40, unique=True, description="Short stable code")
    name = fields.CharField(max_length=200)
    kind = fields.CharEnumField(PartnerKind, max_length=20)
    country = fields.CharField(max_length=2)
    region = fields.CharField(max_length=100, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "partner"

    @property
    def owns_workers(self) -> bool:
        return self.kind != PartnerKind.BPJS_OFFICE
