"""Managing webhook endpoints: register, rotate the secret, switch on and off, delete,
redeliver, and read deliveries.

Partner admins holding the WEBHOOKS scope manage their own partner's endpoints; every
lookup is restricted to the viewer's partner, so a foreign endpoint or delivery id
answers NotFound exactly like one that does not exist. Signing secrets are sealed with the
identifier vault: the dispatcher needs the plaintext to sign, so a digest would not do,
and a database dump must still not hand them out.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from models import webhook_schedule
from models.access import Viewer
from models.authorization import require_scope
from models.clock import now
from models.enums import PartnerKind, Role, Scope, WorkerEventType
from models.errors import FieldProblem, NotAllowed, NotFound, ValidationFailed
from models.events import WorkerEvent
from models.identifiers import vault
from models.tenancy import visible_events, visible_workers
from models.webhook_urls import check_url
from models.webhooks import UNDELIVERED, DeliveryStatus, WebhookDelivery, WebhookEndpoint

SECRET_KIND = "webhook_secret"  # noqa: S105 (the vault's label for this kind of value)
SECRET_PREFIX = "whsec_"  # noqa: S105 (a public marker that secret scanners recognise)
MAX_ENDPOINTS_PER_PARTNER = 20
MAX_DESCRIPTION = 500
MAX_OVERLAP = timedelta(days=30)


def require_webhook_admin(viewer: Viewer) -> None:
    """Partner admins with the WEBHOOKS scope; operators own no workers, so no events."""
    require_scope(viewer, Scope.WEBHOOKS)
    if viewer.role != Role.PARTNER_ADMIN:
        raise NotAllowed("Webhook endpoints are managed by the partner's admins.",
                         needed="PARTNER_ADMIN")


def endpoint_viewer(partner_id: int, partner_kind: PartnerKind, endpoint_id: int) -> Viewer:
    """Who the dispatcher reads the log as for one endpoint: a read-only viewer of the
    endpoint's partner, so models.tenancy decides what the endpoint may receive."""
    return Viewer(
        partner_id=partner_id,
        partner_kind=partner_kind,
        role=Role.PARTNER_VIEWER,
        scopes=frozenset({Scope.READ, Scope.SUBSCRIBE}),
        actor=f"system:webhooks:{endpoint_id}",
    )


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def seal_secret(secret: str) -> str:
    return vault().seal(SECRET_KIND, secret)


def open_secret(sealed: str) -> str:
    return vault().open(SECRET_KIND, sealed)


@dataclass(frozen=True, slots=True)
class IssuedSecret:
    endpoint: WebhookEndpoint
    secret: str  # shown once


async def _head() -> int:
    row = await WorkerEvent.all().order_by("-id").first().values_list("id", flat=True)
    return int(row or 0)


async def create_endpoint(
    viewer: Viewer,
    url: str,
    *,
    description: str = "",
    event_types: Iterable[WorkerEventType] = (),
    worker_id: int | None = None,
    worker_field: str = "filter.workerId",
) -> IssuedSecret:
    """Register an endpoint. It receives the events committed from now on."""
    require_webhook_admin(viewer)
    problems: list[FieldProblem] = []
    clean_url = ""
    try:
        clean_url = await check_url(url)
    except ValidationFailed as exc:
        problems.extend(exc.problems)
    clean_description = " ".join(description.split())
    if len(clean_description) > MAX_DESCRIPTION:
        problems.append(FieldProblem("description", "length",
                                     f"A description is at most {MAX_DESCRIPTION} characters."))
    if worker_id is not None and not await visible_workers(viewer).filter(id=worker_id).exists():
        # Missing and foreign workers read the same: no existence oracle.
        problems.append(FieldProblem(worker_field, "not_found", "No worker with this id."))
    if await WebhookEndpoint.filter(partner_id=viewer.partner_id).count() \
            >= MAX_ENDPOINTS_PER_PARTNER:
        problems.append(FieldProblem(
            "input", "max_endpoints",
            f"A partner has at most {MAX_ENDPOINTS_PER_PARTNER} webhook endpoints; delete "
            "one first."))
    if problems:
        raise ValidationFailed(problems)
    secret = new_secret()
    endpoint = await WebhookEndpoint.create(
        partner_id=viewer.partner_id,
        url=clean_url,
        description=clean_description,
        event_types=sorted({WorkerEventType(t).value for t in event_types}),
        filter_worker_id=worker_id,
        secret_sealed=seal_secret(secret),
        cursor=await _head(),
        created_at=now(),
        created_by=viewer.actor,
    )
    return IssuedSecret(endpoint, secret)


async def managed_endpoint(viewer: Viewer, endpoint_id: int) -> WebhookEndpoint:
    require_webhook_admin(viewer)
    endpoint = await WebhookEndpoint.get_or_none(id=endpoint_id, partner_id=viewer.partner_id)
    if endpoint is None:
        raise NotFound("webhook endpoint")
    return endpoint


async def rotate_secret(viewer: Viewer, endpoint_id: int, overlap: timedelta) -> IssuedSecret:
    """A new secret. Until now + overlap deliveries carry signatures by both, so receivers
    can switch at their own pace; with no overlap the old secret stops at once."""
    endpoint = await managed_endpoint(viewer, endpoint_id)
    if not timedelta(0) <= overlap <= MAX_OVERLAP:
        raise ValidationFailed.single("overlapSeconds", "range",
                                      "The overlap is 0 seconds to 30 days.")
    secret = new_secret()
    if overlap:
        endpoint.previous_secret_sealed = endpoint.secret_sealed
        endpoint.previous_secret_until = now() + overlap
    else:
        endpoint.previous_secret_sealed = None
        endpoint.previous_secret_until = None
    endpoint.secret_sealed = seal_secret(secret)
    await endpoint.save(update_fields=["secret_sealed", "previous_secret_sealed",
                                       "previous_secret_until"])
    return IssuedSecret(endpoint, secret)


async def set_active(viewer: Viewer, endpoint_id: int, active: bool) -> WebhookEndpoint:
    """Switch an endpoint off (its queue waits) or on again (failure count and circuit
    reset, and it catches up from its cursor: nothing committed meanwhile is lost)."""
    await managed_endpoint(viewer, endpoint_id)
    at = now()
    async with in_transaction() as conn:
        # Lock order: the endpoint row, then its deliveries (models.webhook_schedule).
        endpoint = await WebhookEndpoint.filter(id=endpoint_id).select_for_update() \
            .using_db(conn).get()
        if active:
            endpoint.active = True
            endpoint.disabled_at = None
            endpoint.disabled_reason = None
            endpoint.consecutive_failures = 0
            endpoint.circuit_opens = 0
            endpoint.circuit_open_until = None
        elif endpoint.active:
            endpoint.active = False
            endpoint.disabled_at = at
            endpoint.disabled_reason = f"Deactivated by {viewer.actor}."[:300]
        await endpoint.save(update_fields=["active", "disabled_at", "disabled_reason",
                                           "consecutive_failures", "circuit_opens",
                                           "circuit_open_until"], using_db=conn)
        if active:
            await webhook_schedule.schedule_heads(conn, endpoint.id, at)
        else:
            await webhook_schedule.park(conn, endpoint.id, at)
    return endpoint


async def delete_endpoint(viewer: Viewer, endpoint_id: int) -> int:
    """Delete an endpoint with its deliveries and attempts; returns its id."""
    endpoint = await managed_endpoint(viewer, endpoint_id)
    await WebhookDelivery.filter(endpoint_id=endpoint.id).delete()  # attempts cascade
    await endpoint.delete()
    return endpoint_id


async def redeliver(viewer: Viewer, delivery_id: int) -> WebhookDelivery:
    """Send a delivery again soon: a finished one (succeeded or dead-lettered) is queued
    afresh with a new round of attempts; one still retrying is brought forward to now."""
    require_webhook_admin(viewer)
    found = await deliveries(viewer).get_or_none(id=delivery_id)
    if found is None:
        raise NotFound("webhook delivery")
    at = now()
    async with in_transaction() as conn:
        # Lock order: the endpoint row, then its deliveries (models.webhook_schedule).
        endpoint = await WebhookEndpoint.filter(id=found.endpoint_id).select_for_update() \
            .using_db(conn).get()
        delivery = await WebhookDelivery.filter(id=found.id).using_db(conn).get()
        finished = delivery.status in (DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED)
        if finished:
            delivery.status = DeliveryStatus.PENDING
            delivery.attempts = 0
            delivery.delivered_at = None
        # A delivery waiting behind an earlier one of its worker stays behind it.
        waiting = not finished and delivery.due_at is None
        if not waiting:
            delivery.next_attempt_at = at
            if endpoint.active:
                delivery.due_at = at
        await delivery.save(update_fields=["status", "attempts", "delivered_at",
                                           "next_attempt_at", "due_at"], using_db=conn)
        if finished:
            await webhook_schedule.requeue(conn, delivery, at)
    return delivery


def endpoints(viewer: Viewer) -> QuerySet[WebhookEndpoint]:
    require_webhook_admin(viewer)
    return WebhookEndpoint.filter(partner_id=viewer.partner_id)


def deliveries(viewer: Viewer, *, endpoint_id: int | None = None,
               status: DeliveryStatus | None = None) -> QuerySet[WebhookDelivery]:
    """The viewer's partner's deliveries; a foreign endpoint id simply matches nothing."""
    require_webhook_admin(viewer)
    qs = WebhookDelivery.filter(partner_id=viewer.partner_id)
    if endpoint_id is not None:
        qs = qs.filter(endpoint_id=endpoint_id)
    if status is not None:
        qs = qs.filter(status=status)
    return qs


def dead_letters(viewer: Viewer) -> QuerySet[WebhookDelivery]:
    return deliveries(viewer, status=DeliveryStatus.FAILED)


def matching_events(endpoint: WebhookEndpoint, partner_kind: PartnerKind) -> QuerySet[WorkerEvent]:
    """The events this endpoint subscribes to, through the tenancy choke point."""
    qs = visible_events(endpoint_viewer(endpoint.partner_id, partner_kind, endpoint.id))
    if endpoint.event_types:
        qs = qs.filter(type__in=list(endpoint.event_types))
    if endpoint.filter_worker_id is not None:
        qs = qs.filter(worker_id=endpoint.filter_worker_id)
    return qs


async def lag(endpoint: WebhookEndpoint, partner_kind: PartnerKind) -> int:
    """Events this endpoint still has to receive: not yet queued, or queued and unsent."""
    unqueued = await matching_events(endpoint, partner_kind).filter(id__gt=endpoint.cursor) \
        .count()
    unsent = await WebhookDelivery.filter(endpoint_id=endpoint.id,
                                          status__in=list(UNDELIVERED)).count()
    return unqueued + unsent


async def reseal_secrets() -> int:
    """Re-seal every signing secret under the vault's current data key (the webhook part
    of a data-key rotation: run it before dropping an old key); returns how many changed.
    Each row is updated only if it still holds the value read."""
    v = vault()
    changed = 0
    for row in await WebhookEndpoint.all().values("id", "secret_sealed",
                                                  "previous_secret_sealed"):
        updates: dict[str, str] = {}
        for column in ("secret_sealed", "previous_secret_sealed"):
            token = row[column]
            if token and v.key_id_of(token) != v.current:
                updates[column] = v.seal(SECRET_KIND, v.open(SECRET_KIND, token))
        if updates:
            changed += await WebhookEndpoint.filter(
                id=row["id"], secret_sealed=row["secret_sealed"],
                previous_secret_sealed=row["previous_secret_sealed"]).update(**updates)
    return changed
