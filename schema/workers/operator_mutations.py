"""Operator mutations on workers: correctIdentity and transferWorker (BPJS staff only)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from models import worker_changes
from models.errors import DomainError
from schema import ids
from schema.context import Info
from schema.errors import from_domain
from schema.events.types import WorkerEvent
from schema.workers.arguments import ReasonArg, VersionArg, WorkerIdArg, worker_pk
from schema.workers.inputs import CorrectIdentityInput, to_raw
from schema.workers.results import (
    CorrectIdentityResult,
    CorrectIdentitySuccess,
    TransferWorkerResult,
    TransferWorkerSuccess,
)
from schema.workers.types import Worker


@strawberry.type
class OperatorMutations:
    @strawberry.mutation(
        description="Operators only: correct a worker's NIK, name, birth date or gender. The "
        "NIK must still agree with birth date and gender and be unique. Emits "
        "IDENTITY_CORRECTED with identifiers masked."
    )
    async def correct_identity(
        self,
        info: Info,
        id: WorkerIdArg,
        version: VersionArg,
        input: Annotated[CorrectIdentityInput, strawberry.argument(
            description="The corrected fields.")],
        reason: ReasonArg,
    ) -> CorrectIdentityResult:
        try:
            changed = await worker_changes.correct_identity(
                info.context.require_viewer(), worker_pk(id), version, to_raw(input), reason
            )
        except DomainError as exc:
            return from_domain(exc, id=id)  # type: ignore[return-value]
        return CorrectIdentitySuccess(
            worker=Worker(row=changed.worker), event=WorkerEvent(row=changed.event)
        )

    @strawberry.mutation(
        description="Operators only: hand a worker to another partner. Writes "
        "TRANSFERRED_OUT (kept by the old partner, which sees nothing after it) and "
        "TRANSFERRED_IN (the new partner sees the whole history) in one transaction."
    )
    async def transfer_worker(
        self,
        info: Info,
        id: WorkerIdArg,
        to_partner: Annotated[strawberry.ID, strawberry.argument(
            description="The receiving partner's global id (Partner.id); not the BPJS "
            "office.")],
        reason: ReasonArg,
        version: Annotated[int | None, strawberry.argument(
            description="The version you read; when given, a changed record answers "
            "StaleVersionError.")] = None,
    ) -> TransferWorkerResult:
        try:
            moved = await worker_changes.transfer_worker(
                info.context.require_viewer(), worker_pk(id),
                ids.decode_as("Partner", to_partner) or 0, reason, version=version,
            )
        except DomainError as exc:
            return from_domain(exc, id=id)  # type: ignore[return-value]
        return TransferWorkerSuccess(
            worker=Worker(row=moved.worker),
            transferred_out=WorkerEvent(row=moved.transferred_out),
            transferred_in=WorkerEvent(row=moved.transferred_in),
        )
