"""Managing webhook endpoints (each a thin call into models.webhook_endpoints)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import strawberry

from models import webhook_endpoints as ops
from models.errors import DomainError
from schema import ids
from schema.context import Info
from schema.enums import WorkerEventType
from schema.errors import NotAllowedError, NotFoundError, ValidationError, from_domain
from schema.webhooks.types import WebhookDelivery, WebhookEndpoint, WebhookLoaders


@strawberry.input(description="Only the events that match every condition given are sent.")
class WebhookFilterInput:
    worker_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only this worker's events (a Worker id).")


@strawberry.input(description="A new webhook endpoint.")
class WebhookEndpointInput:
    url: str = strawberry.field(
        description="http:// or https:// URL that receives the POSTs. It must resolve to a "
        "public address (loopback, private, link-local and metadata addresses are refused "
        "unless the deployment allows them).")
    description: str = strawberry.field(default="", description="A note for your team, at "
                                        "most 500 characters.")
    event_types: list[WorkerEventType] | None = strawberry.field(
        default=None, description="Event types to send; null or empty: every type.")
    filter: WebhookFilterInput | None = strawberry.field(
        default=None, description="Further conditions; null: none.")


@strawberry.type(
    description="The endpoint was registered. Store the secret now: it is shown once. It "
    "receives the events committed from now on.")
class CreateWebhookEndpointSuccess:
    endpoint: WebhookEndpoint = strawberry.field(description="The new endpoint.")
    secret: str = strawberry.field(
        description="The signing secret (`whsec_…`), shown only this once; verify the "
        "X-Portal-Signature header with it.")


@strawberry.type(
    description="The endpoint has a new secret. Until previousSecretValidUntil deliveries "
    "are signed with both.")
class RotateWebhookSecretSuccess:
    endpoint: WebhookEndpoint = strawberry.field(description="The endpoint.")
    secret: str = strawberry.field(description="The new signing secret, shown only this once.")


@strawberry.type(description="The endpoint was switched on or off.")
class SetWebhookEndpointActiveSuccess:
    endpoint: WebhookEndpoint = strawberry.field(description="The endpoint.")


@strawberry.type(description="The endpoint and its delivery records were deleted.")
class DeleteWebhookEndpointSuccess:
    deleted_id: strawberry.ID = strawberry.field(description="The id of the deleted endpoint.")


@strawberry.type(description="The delivery is queued and will be attempted again soon.")
class RedeliverWebhookSuccess:
    delivery: WebhookDelivery = strawberry.field(description="The delivery, queued again.")


CreateWebhookEndpointResult = Annotated[
    CreateWebhookEndpointSuccess | ValidationError | NotAllowedError,
    strawberry.union("CreateWebhookEndpointResult",
                     description="The new endpoint and its secret, or why not."),
]
RotateWebhookSecretResult = Annotated[
    RotateWebhookSecretSuccess | NotFoundError | NotAllowedError | ValidationError,
    strawberry.union("RotateWebhookSecretResult", description="The new secret, or why not."),
]
SetWebhookEndpointActiveResult = Annotated[
    SetWebhookEndpointActiveSuccess | NotFoundError | NotAllowedError,
    strawberry.union("SetWebhookEndpointActiveResult",
                     description="The endpoint, or why not."),
]
DeleteWebhookEndpointResult = Annotated[
    DeleteWebhookEndpointSuccess | NotFoundError | NotAllowedError,
    strawberry.union("DeleteWebhookEndpointResult", description="The deleted id, or why not."),
]
RedeliverWebhookResult = Annotated[
    RedeliverWebhookSuccess | NotFoundError | NotAllowedError,
    strawberry.union("RedeliverWebhookResult", description="The queued delivery, or why not."),
]


def _pk(type_name: str, global_id: str) -> int:
    # Malformed, foreign-typed and missing ids all become 0: answered as not found.
    return ids.decode_as(type_name, global_id) or 0


@strawberry.type
class WebhookMutations:
    @strawberry.mutation(
        description="Register a webhook endpoint for your partner (partner admins with the "
        "WEBHOOKS scope). The signing secret is in the result, once.")
    async def create_webhook_endpoint(
        self, info: Info,
        input: Annotated[WebhookEndpointInput, strawberry.argument(
            description="Where to deliver, and which events.")],
    ) -> CreateWebhookEndpointResult:
        worker_id = input.filter.worker_id if input.filter else None
        try:
            issued = await ops.create_endpoint(
                info.context.require_viewer(), input.url, description=input.description,
                event_types=input.event_types or (),
                worker_id=None if worker_id is None else _pk("Worker", worker_id),
                worker_field="filter.workerId")
        except DomainError as exc:
            return from_domain(exc)  # type: ignore[return-value]
        return CreateWebhookEndpointSuccess(endpoint=WebhookEndpoint(row=issued.endpoint),
                                            secret=issued.secret)

    @strawberry.mutation(
        description="Give an endpoint a new signing secret. For overlapSeconds (default one "
        "day, at most 30 days) deliveries carry signatures by the new and the old secret, "
        "so receivers can switch without dropping any; 0 retires the old one at once.")
    async def rotate_webhook_secret(
        self, info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The endpoint.")],
        overlap_seconds: Annotated[int, strawberry.argument(
            description="How long the old secret keeps signing too, in seconds.")] = 86_400,
    ) -> RotateWebhookSecretResult:
        try:
            issued = await ops.rotate_secret(info.context.require_viewer(),
                                             _pk("WebhookEndpoint", id),
                                             timedelta(seconds=overlap_seconds))
        except DomainError as exc:
            return from_domain(exc, id=id)  # type: ignore[return-value]
        return RotateWebhookSecretSuccess(endpoint=WebhookEndpoint(row=issued.endpoint),
                                          secret=issued.secret)

    @strawberry.mutation(
        description="Switch an endpoint off (deliveries wait) or on again (failures and the "
        "circuit breaker reset; what was missed meanwhile is delivered).")
    async def set_webhook_endpoint_active(
        self, info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The endpoint.")],
        active: Annotated[bool, strawberry.argument(description="On (true) or off (false).")],
    ) -> SetWebhookEndpointActiveResult:
        try:
            endpoint = await ops.set_active(info.context.require_viewer(),
                                            _pk("WebhookEndpoint", id), active)
        except DomainError as exc:
            return from_domain(exc, id=id)  # type: ignore[return-value]
        return SetWebhookEndpointActiveSuccess(endpoint=WebhookEndpoint(row=endpoint))

    @strawberry.mutation(description="Delete an endpoint with its delivery records.")
    async def delete_webhook_endpoint(
        self, info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The endpoint.")],
    ) -> DeleteWebhookEndpointResult:
        try:
            await ops.delete_endpoint(info.context.require_viewer(), _pk("WebhookEndpoint", id))
        except DomainError as exc:
            return from_domain(exc, id=id)  # type: ignore[return-value]
        return DeleteWebhookEndpointSuccess(deleted_id=id)

    @strawberry.mutation(
        description="Send a delivery again soon: a succeeded or dead-lettered one gets a new "
        "round of attempts (same event id, so receivers can deduplicate); one still "
        "retrying is brought forward to now.")
    async def redeliver_webhook(
        self, info: Info,
        delivery_id: Annotated[strawberry.ID, strawberry.argument(
            description="The delivery (WebhookDelivery.id).")],
    ) -> RedeliverWebhookResult:
        viewer = info.context.require_viewer()
        try:
            delivery = await ops.redeliver(viewer, _pk("WebhookDelivery", delivery_id))
        except DomainError as exc:
            return from_domain(exc, id=delivery_id)  # type: ignore[return-value]
        return RedeliverWebhookSuccess(delivery=WebhookDelivery(
            row=delivery, loaders=WebhookLoaders(viewer)))
