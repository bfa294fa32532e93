"""Worker mutations: each a thin translation to one function of models.worker_changes."""

from __future__ import annotations

from typing import Annotated

import strawberry

from models import worker_changes
from models.errors import DomainError
from schema import ids
from schema.context import Info
from schema.enums import MembershipStatus, PlacementStatus
from schema.errors import (
    DuplicateNikError,
    IdempotencyConflictError,
    InvalidTransitionError,
    NotAllowedError,
    NotFoundError,
    StaleVersionError,
    ValidationError,
    from_domain,
)
from schema.events.types import WorkerEvent
from schema.workers.inputs import RegisterWorkerInput, to_raw
from schema.workers.types import Worker


@strawberry.type(description="The worker was registered.")
class RegisterWorkerSuccess:
    worker: Worker = strawberry.field(description="The new worker.")


@strawberry.type(description="The status changed; the event records who, when and why.")
class ChangeWorkerStatusSuccess:
    worker: Worker = strawberry.field(description="The worker after the change.")
    event: WorkerEvent = strawberry.field(description="The event written for the change.")


RegisterWorkerResult = Annotated[
    RegisterWorkerSuccess | ValidationError | DuplicateNikError | IdempotencyConflictError
    | NotAllowedError,
    strawberry.union("RegisterWorkerResult", description="The new worker, or why not."),
]
ChangeWorkerStatusResult = Annotated[
    ChangeWorkerStatusSuccess | NotFoundError | InvalidTransitionError | StaleVersionError
    | NotAllowedError | ValidationError,
    strawberry.union("ChangeWorkerStatusResult", description="The change, or why not."),
]


@strawberry.type
class WorkerMutations:
    @strawberry.mutation(
        description="Register a worker for your partner. Emits REGISTERED. With an "
        "idempotencyKey, repeating the same request returns the first result."
    )
    async def register_worker(
        self,
        info: Info,
        input: RegisterWorkerInput,
        idempotency_key: str | None = None,
    ) -> RegisterWorkerResult:
        try:
            row = await worker_changes.register_worker(
                info.context.require_viewer(), to_raw(input), idempotency_key=idempotency_key
            )
        except DomainError as exc:
            return from_domain(exc)  # type: ignore[return-value]
        return RegisterWorkerSuccess(worker=Worker(row=row))

    @strawberry.mutation(
        description="Change a worker's placement status (and, for operators, close the "
        "membership). A reason is required. Emits PLACEMENT_STATUS_CHANGED or "
        "MEMBERSHIP_STATUS_CHANGED."
    )
    async def change_worker_status(
        self,
        info: Info,
        id: strawberry.ID,
        version: int,
        reason: str,
        status: MembershipStatus | None = None,
        placement_status: PlacementStatus | None = None,
    ) -> ChangeWorkerStatusResult:
        try:
            changed = await worker_changes.change_worker_status(
                info.context.require_viewer(),
                # An undecodable id looks up nothing, after the role checks, exactly like
                # a missing or foreign one.
                ids.decode_as("Worker", id) or 0,
                version,
                placement_status=placement_status,
                membership_status=status,
                reason=reason,
            )
        except DomainError as exc:
            return from_domain(exc, id=id)  # type: ignore[return-value]
        return ChangeWorkerStatusSuccess(
            worker=Worker(row=changed.worker), event=WorkerEvent(row=changed.event)
        )
