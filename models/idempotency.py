"""Idempotency keys for mutations that create things.

A claim row is inserted in the same transaction as the work it guards. A second request
with the same key waits for the first transaction (PostgreSQL blocks on the unique index;
SQLite has one writer) and then finds the stored result instead of doing the work again.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from tortoise import fields
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model

from models.clock import now
from models.errors import IdempotencyConflict, ValidationFailed

MAX_KEY_LENGTH = 200
RETENTION_HOURS = 48


class IdempotencyRecord(Model):
    id = fields.BigIntField(primary_key=True)
    partner_id = fields.IntField()
    operation = fields.CharField(max_length=60)
    key = fields.CharField(max_length=MAX_KEY_LENGTH)
    request_digest = fields.CharField(max_length=64)
    result: dict[str, Any] | None = fields.JSONField(null=True)  # type: ignore[assignment]
    created_at = fields.DatetimeField()

    class Meta:
        table = "idempotency_record"
        unique_together = (("partner_id", "operation", "key"),)
        indexes = (("created_at",),)


def request_digest(payload: Any) -> str:
    canonical = json.dumps(payload, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def check_key(key: str) -> str:
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise ValidationFailed.single(
            "idempotencyKey", "format", f"idempotencyKey is 1 to {MAX_KEY_LENGTH} printable "
            "characters.")
    return key


async def claim(
    conn: BaseDBAsyncClient, partner_id: int, operation: str, key: str, digest: str
) -> tuple[int | None, dict[str, Any] | None]:
    """Claim the key inside the caller's transaction.

    Returns (claim id, None) when this request does the work, or (None, stored result) when
    an earlier request with the same key and input already did it.
    """
    placeholders = ", ".join(_params(conn, 5))
    inserted = await conn.execute_query_dict(
        'INSERT INTO "idempotency_record" ("partner_id", "operation", "key", '
        f'"request_digest", "created_at") VALUES ({placeholders}) '
        'ON CONFLICT DO NOTHING RETURNING "id"',
        [partner_id, operation, key, digest, now()],
    )
    if inserted:
        return int(inserted[0]["id"]), None
    existing = await IdempotencyRecord.get(
        partner_id=partner_id, operation=operation, key=key
    ).using_db(conn)
    if existing.request_digest != digest:
        raise IdempotencyConflict()
    return None, existing.result


async def store_result(conn: BaseDBAsyncClient, claim_id: int, result: dict[str, Any]) -> None:
    await IdempotencyRecord.filter(id=claim_id).using_db(conn).update(result=result)


def _params(conn: BaseDBAsyncClient, n: int) -> list[str]:
    if conn.capabilities.dialect == "postgres":
        return [f"${i}" for i in range(1, n + 1)]
    return ["?"] * n
