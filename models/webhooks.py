"""Webhook endpoints, their deliveries and every attempt, as stored.

The delivery table is the durable queue: an endpoint's cursor says which events were
already turned into deliveries (advanced in the same transaction that inserts them), and
each delivery row says whether its event still has to be sent. A restart therefore resumes
exactly where it stopped. Operations live in models.webhook_endpoints (management) and
models.webhook_queue (the dispatcher's reads and writes).
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from models.events import WorkerEvent
from models.partners import Partner


class DeliveryStatus(StrEnum):
    PENDING = "PENDING"  # waiting for its first attempt (or queued again by a redelivery)
    RETRYING = "RETRYING"  # failed at least once, another attempt is scheduled
    SUCCEEDED = "SUCCEEDED"  # the receiver answered 2xx
    FAILED = "FAILED"  # given up: the dead-letter queue


# Deliveries that still have to go out; they also hold back later events of their worker.
UNDELIVERED = (DeliveryStatus.PENDING, DeliveryStatus.RETRYING)


class WebhookEndpoint(Model):
    """A receiver URL registered by a partner admin, with its signing secret and health."""

    id = fields.IntField(primary_key=True)
    partner: fields.ForeignKeyRelation[Partner] = fields.ForeignKeyField(
        "portal.Partner", related_name="webhook_endpoints", on_delete=fields.CASCADE
    )
    partner_id: int
    url = fields.CharField(max_length=2000)
    description = fields.CharField(max_length=500, default="")
    # Worker event type names to send; an empty list sends every type.
    event_types: list[str] = fields.JSONField(default=list)  # type: ignore[assignment]
    # Optional filter: only the events of this worker.
    filter_worker_id = fields.BigIntField(null=True)
    # Signing secrets, sealed with the identifier vault (the plaintext is needed to sign).
    secret_sealed = fields.CharField(max_length=500)
    previous_secret_sealed = fields.CharField(max_length=500, null=True)
    previous_secret_until = fields.DatetimeField(null=True)
    active = fields.BooleanField(default=True)
    disabled_at = fields.DatetimeField(null=True)
    disabled_reason = fields.CharField(max_length=300, null=True)
    consecutive_failures = fields.IntField(default=0)
    circuit_open_until = fields.DatetimeField(null=True)
    # How many times in a row the circuit opened: each opening waits longer.
    circuit_opens = fields.IntField(default=0)
    # The last event id already turned into deliveries for this endpoint.
    cursor = fields.BigIntField(default=0)
    last_success_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()
    created_by = fields.CharField(max_length=200)

    class Meta:
        table = "webhook_endpoint"
        indexes = (("partner_id", "id"),)


class WebhookDelivery(Model):
    """One event for one endpoint: sent until the receiver accepts it or it is given up."""

    id = fields.BigIntField(primary_key=True)
    endpoint: fields.ForeignKeyRelation[WebhookEndpoint] = fields.ForeignKeyField(
        "portal.WebhookEndpoint", related_name="deliveries", on_delete=fields.CASCADE
    )
    endpoint_id: int
    # The endpoint partner, copied so that listings scope without a join.
    partner_id = fields.IntField()
    event: fields.ForeignKeyRelation[WorkerEvent] = fields.ForeignKeyField(
        "portal.WorkerEvent", related_name="webhook_deliveries", on_delete=fields.CASCADE
    )
    event_id: int
    worker_id = fields.BigIntField()
    status = fields.CharEnumField(DeliveryStatus, max_length=10, default=DeliveryStatus.PENDING)
    # Attempts since the delivery was last queued (a redelivery starts again from zero).
    attempts = fields.IntField(default=0)
    # The earliest time the next attempt may be made (backoff, Retry-After).
    next_attempt_at = fields.DatetimeField()
    # When the dispatcher will take it: set only on the head of its queue (endpoint and
    # worker) while its endpoint is on, NULL while it waits behind an earlier event, once
    # finished, and while the endpoint is off (models.webhook_schedule).
    due_at = fields.DatetimeField(null=True)
    # Lease: the dispatcher instance sending it now, and until when the claim holds.
    locked_by = fields.CharField(max_length=64, null=True)
    locked_until = fields.DatetimeField(null=True)
    last_status_code = fields.IntField(null=True)
    last_latency_ms = fields.IntField(null=True)
    last_error = fields.CharField(max_length=300, null=True)
    delivered_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "webhook_delivery"
        unique_together = (("endpoint_id", "event_id"),)
        indexes = (
            # The ordering rule: an earlier undelivered delivery of the same queue.
            ("endpoint_id", "worker_id", "status", "event_id"),
            # The claim walks this in order and stops at the first rows it can take.
            ("due_at", "id"),
            # A half-open endpoint's probe in flight (the claim checks it per candidate).
            ("endpoint_id", "locked_until"),
            ("partner_id", "id"),
        )


class WebhookAttempt(Model):
    """One HTTP attempt of a delivery: when, the answer, how long it took, what failed."""

    id = fields.BigIntField(primary_key=True)
    delivery: fields.ForeignKeyRelation[WebhookDelivery] = fields.ForeignKeyField(
        "portal.WebhookDelivery", related_name="attempt_rows", on_delete=fields.CASCADE
    )
    delivery_id: int
    attempted_at = fields.DatetimeField()
    status_code = fields.IntField(null=True)
    latency_ms = fields.IntField(null=True)
    error = fields.CharField(max_length=300, null=True)

    class Meta:
        table = "webhook_attempt"
        indexes = (("delivery_id", "id"),)
