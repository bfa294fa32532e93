"""Opaque global IDs: ``base64url("Type:pk")``.

Decoding never raises: anything malformed, of an unknown type or not a positive integer
decodes to None, and callers answer exactly as for a missing row (no existence oracle).
"""

from __future__ import annotations

import base64
import binascii

NODE_TYPES = (
    "Worker", "Partner", "WorkerEvent", "Contribution", "ApiKey", "Account", "Session",
    "AuditEntry", "WebhookEndpoint", "WebhookDelivery",
)
MAX_ID_LENGTH = 100
# Tables whose primary key is a 32-bit integer: a larger number cannot name a row, and
# PostgreSQL would refuse it as a parameter, so it decodes like any other missing id.
INT32_TYPES = frozenset({"ApiKey", "Account", "Partner", "WebhookEndpoint"})
INT32_MAX = 2**31 - 1


def encode(type_name: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


def decode(global_id: object) -> tuple[str, int] | None:
    if not isinstance(global_id, str) or not 0 < len(global_id) <= MAX_ID_LENGTH:
        return None
    try:
        raw = base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    type_name, sep, pk_text = raw.partition(":")
    if not sep or type_name not in NODE_TYPES or not pk_text.isascii():
        return None
    if not pk_text.isdigit() or len(pk_text) > 18:
        return None
    pk = int(pk_text)
    if pk <= 0 or (type_name in INT32_TYPES and pk > INT32_MAX) or pk > 2**63 - 1:
        return None
    return type_name, pk


def decode_as(type_name: str, global_id: object) -> int | None:
    decoded = decode(global_id)
    if decoded is None or decoded[0] != type_name:
        return None
    return decoded[1]
