"""Verify a Partner Portal webhook (copy this file into your receiver; stdlib only).

    from verify import verify_webhook, WebhookVerificationError

    try:
        event = verify_webhook(raw_body, request.headers, secret)
    except WebhookVerificationError:
        return 400  # do not process it
    if already_seen(event["id"]):   # retries and redeliveries repeat the same id
        return 200
    process(event)
    return 200

``raw_body`` must be the exact bytes received, before any JSON parsing. ``secret`` may be
a list: during a rotation keep both your old and new secret until the overlap ends.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterable, Mapping
from typing import Any

SIGNATURE_HEADER = "X-Portal-Signature"
TIMESTAMP_HEADER = "X-Portal-Timestamp"
EVENT_ID_HEADER = "X-Portal-Event-Id"
DEFAULT_TOLERANCE_SECONDS = 300


class WebhookVerificationError(Exception):
    """The request is not a genuine, fresh Partner Portal webhook."""


def _header(headers: Mapping[str, str], name: str) -> str:
    # Header names are case-insensitive; frameworks differ in how they store them.
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    raise WebhookVerificationError(f"missing {name} header")


def verify_webhook(
    body: bytes | str,
    headers: Mapping[str, str],
    secret: str | Iterable[str],
    *,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> dict[str, Any]:
    """Return the event (parsed JSON) when the signature and timestamp check out."""
    raw = body.encode() if isinstance(body, str) else bytes(body)
    secrets = [secret] if isinstance(secret, str) else list(secret)
    if not secrets:
        raise WebhookVerificationError("no secret given")
    timestamp = _header(headers, TIMESTAMP_HEADER).strip()
    if not timestamp.isdigit():
        raise WebhookVerificationError("malformed timestamp")
    # The timestamp is signed, so an old request replayed later fails here.
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > tolerance_seconds:
        raise WebhookVerificationError("timestamp outside the tolerance")
    # The header holds one v1=<hex> per signing secret (two during a rotation overlap).
    received = [part.strip()[3:] for part in _header(headers, SIGNATURE_HEADER).split(",")
                if part.strip().startswith("v1=")]
    if not received:
        raise WebhookVerificationError("no v1 signature")
    message = timestamp.encode() + b"." + raw
    matched = False
    for s in secrets:
        expected = hmac.new(s.encode(), message, hashlib.sha256).hexdigest()
        for candidate in received:
            # Constant-time comparison: timing reveals nothing about the expected value.
            matched |= hmac.compare_digest(expected, candidate)
    if not matched:
        raise WebhookVerificationError("signature mismatch")
    event = json.loads(raw)
    if _header(headers, EVENT_ID_HEADER) != event.get("id"):
        raise WebhookVerificationError("event id header does not match the body")
    return event
