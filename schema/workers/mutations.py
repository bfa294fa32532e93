"""Worker mutations: each a thin translation to one function of models.worker_changes.

``WorkerMutations`` gathers them all (schema.root mounts it); contributions, operator
actions and the bulk import have their own modules beside this one.
"""

from __future__ import annotations

from typing import Annotated

import strawberry

from models import worker_changes
from models.errors import DomainError
from schema.context import Info
from schema.enums import MembershipStatus, PlacementStatus
from schema.errors import from_domain
from schema.events.types import WorkerEvent
from schema.workers.arguments import (
    IdempotencyKeyArg,
    ReasonArg,
    VersionArg,
    WorkerIdArg,
    worker_pk,
)
from schema.workers.contribution_mutations import ContributionMutations
from schema.workers.import_mutation import ImportMutations
from schema.workers.inputs import (
    HeirInput,
    RegisterWorkerInput,
    UpdateWorkerInput,
    to_patch,
    to_raw,
)
from schema.workers.operator_mutations import OperatorMutations
from schema.workers.results import (
    AddHeirResult,
    AddHeirSuccess,
    ChangeWorkerStatusResult,
    ChangeWorkerStatusSuccess,
    RegisterWorkerResult,
    RegisterWorkerSuccess,
    RemoveHeirResult,
    RemoveHeirSuccess,
    UpdateWorkerResult,
    UpdateWorkerSuccess,
)
from schema.workers.types import Worker

PositionArg = Annotated[int, strawberry.argument(
    description="0-based place in the order of entitlement (0 = first heir).")]


@strawberry.type
class WorkerMutations(ContributionMutations, OperatorMutations, ImportMutations):
    @strawberry.mutation(
        description="Register a worker for your partner. Emits REGISTERED. With an "
        "idempotencyKey, repeating the same request returns the first result."
    )
    async def register_worker(
        self,
        info: Info,
        input: Annotated[RegisterWorkerInput, strawberry.argument(
            description="The worker's record.")],
        idempotency_key: IdempotencyKeyArg = None,
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
        id: WorkerIdArg,
        version: VersionArg,
        reason: ReasonArg,
        status: Annotated[MembershipStatus | None, strawberry.argument(
            description="New membership status: only CLOSED, by operators (ACTIVE comes "
            "with a contribution, EXPIRED with the sweep).")] = None,
        placement_status: Annotated[PlacementStatus | None, strawberry.argument(
            description="New placement status; InvalidTransitionError lists the allowed "
            "ones.")] = None,
    ) -> ChangeWorkerStatusResult:
        try:
            changed = await worker_changes.change_worker_status(
                info.context.require_viewer(),
                worker_pk(id),
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

    @strawberry.mutation(
        description="Change record fields of a worker (optimistic concurrency by version). "
        "Emits one UPDATED event listing each changed field's old and new value."
    )
    async def update_worker(
        self,
        info: Info,
        id: WorkerIdArg,
        version: VersionArg,
        input: Annotated[UpdateWorkerInput, strawberry.argument(
            description="The fields to change; leave others out.")],
    ) -> UpdateWorkerResult:
        try:
            changed = await worker_changes.update_worker(
                info.context.require_viewer(), worker_pk(id), version, to_patch(input)
            )
        except DomainError as exc:
            return from_domain(exc, id=id)  # type: ignore[return-value]
        return UpdateWorkerSuccess(
            worker=Worker(row=changed.worker), event=WorkerEvent(row=changed.event)
        )

    @strawberry.mutation(description="Add one heir to a worker. Emits UPDATED.")
    async def add_heir(
        self,
        info: Info,
        id: WorkerIdArg,
        version: VersionArg,
        heir: Annotated[HeirInput, strawberry.argument(description="The heir to add.")],
        position: Annotated[int | None, strawberry.argument(
            description="0-based place in the order of entitlement; default last.")] = None,
    ) -> AddHeirResult:
        try:
            changed = await worker_changes.add_heir(
                info.context.require_viewer(), worker_pk(id), version, to_raw(heir), position
            )
        except DomainError as exc:
            return from_domain(exc, id=id)  # type: ignore[return-value]
        return AddHeirSuccess(
            worker=Worker(row=changed.worker), event=WorkerEvent(row=changed.event)
        )

    @strawberry.mutation(description="Remove one heir from a worker. Emits UPDATED.")
    async def remove_heir(
        self,
        info: Info,
        id: WorkerIdArg,
        version: VersionArg,
        position: PositionArg,
    ) -> RemoveHeirResult:
        try:
            changed = await worker_changes.remove_heir(
                info.context.require_viewer(), worker_pk(id), version, position
            )
        except DomainError as exc:
            return from_domain(exc, id=id)  # type: ignore[return-value]
        return RemoveHeirSuccess(
            worker=Worker(row=changed.worker), event=WorkerEvent(row=changed.event)
        )
