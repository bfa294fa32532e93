"""The worker record. Identifiers are stored sealed (see models.identifiers)."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from models.enums import (
    EmployerType,
    Gender,
    JobSector,
    MembershipStatus,
    Phase,
    PlacementScheme,
    PlacementStatus,
)
from models.identifiers import vault
from models.partners import Partner

NIK = "nik"
PASSPORT = "passport"
FAMILY_CARD = "family_card"


class Worker(Model):
    id = fields.BigIntField(primary_key=True)
    partner: fields.ForeignKeyRelation[Partner] = fields.ForeignKeyField(
        "portal.Partner", related_name="workers", on_delete=fields.RESTRICT
    )
    partner_id: int

    nik_digest = fields.CharField(max_length=64, unique=True)
    nik_sealed = fields.TextField()
    full_name = fields.CharField(max_length=150)
    birth_date = fields.DateField()
    birth_place = fields.CharField(max_length=100, null=True)
    gender = fields.CharEnumField(Gender, max_length=6)
    passport_digest = fields.CharField(max_length=64, null=True, db_index=True)
    passport_sealed = fields.TextField(null=True)
    family_card_digest = fields.CharField(max_length=64, null=True)
    family_card_sealed = fields.TextField(null=True)
    phone = fields.CharField(max_length=16, null=True)

    destination_country = fields.CharField(max_length=2)
    destination_region = fields.CharField(max_length=100, null=True)
    employer_name = fields.CharField(max_length=200, null=True)
    employer_type = fields.CharEnumField(EmployerType, max_length=10, null=True)
    job_sector = fields.CharEnumField(JobSector, max_length=16)
    placement_scheme = fields.CharEnumField(PlacementScheme, max_length=16)

    placement_status = fields.CharEnumField(PlacementStatus, max_length=16)
    phase = fields.CharEnumField(Phase, max_length=6)
    status = fields.CharEnumField(MembershipStatus, max_length=10)
    contract_start = fields.DateField(null=True)
    contract_end = fields.DateField(null=True)
    departed_on = fields.DateField(null=True)
    returned_on = fields.DateField(null=True)
    covered_until = fields.DateField(null=True)

    heirs: list[dict[str, Any]] = fields.JSONField(default=list)  # type: ignore[assignment]
    siskop2mi_id = fields.CharField(max_length=40, null=True)
    kpj_number = fields.CharField(max_length=16, null=True)

    version = fields.IntField(default=1)
    registered_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "worker"
        # Every list is partner-scoped and keyset-paginated on (sort key, id): one index per
        # order, led by the partner, so a page is an index range scan at any depth.
        indexes = (
            Index(fields=("partner_id", "registered_at", "id"), name="worker_p_registered"),
            Index(fields=("partner_id", "updated_at", "id"), name="worker_p_updated"),
            Index(fields=("partner_id", "full_name", "id"), name="worker_p_name"),
            Index(fields=("partner_id", "covered_until", "id"), name="worker_p_covered"),
            Index(fields=("partner_id", "placement_status"), name="worker_p_placement"),
            Index(fields=("partner_id", "status"), name="worker_p_status"),
            Index(fields=("registered_at", "id"), name="worker_registered"),
            Index(fields=("covered_until", "id"), name="worker_covered"),
        )

    def identifier(self, kind: str) -> str | None:
        if kind not in (NIK, PASSPORT, FAMILY_CARD):
            raise KeyError(kind)
        # Only this identifier's column: a list page may have read no other (.only()).
        sealed = getattr(self, f"{kind}_sealed")
        return vault().open(kind, sealed) if sealed else None

    def set_identifier(self, kind: str, plaintext: str | None) -> None:
        sealed, digest = sealed_pair(kind, plaintext)
        setattr(self, f"{kind}_sealed", sealed)
        setattr(self, f"{kind}_digest", digest)


def sealed_pair(kind: str, plaintext: str | None) -> tuple[str | None, str | None]:
    if plaintext is None:
        return None, None
    v = vault()
    return v.seal(kind, plaintext), v.digest(kind, plaintext)
