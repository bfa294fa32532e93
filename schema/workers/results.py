"""Success payloads and result unions of the mutations that change one worker."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.errors import (
    DuplicateNikError,
    IdempotencyConflictError,
    InvalidTransitionError,
    NotAllowedError,
    NotFoundError,
    StaleVersionError,
    ValidationError,
)
from schema.events.types import WorkerEvent
from schema.workers.types import Contribution, Worker


@strawberry.type(description="The worker was registered.")
class RegisterWorkerSuccess:
    worker: Worker = strawberry.field(description="The new worker.")


@strawberry.type(description="The status changed; the event records who, when and why.")
class ChangeWorkerStatusSuccess:
    worker: Worker = strawberry.field(description="The worker after the change.")
    event: WorkerEvent = strawberry.field(description="The event written for the change.")


@strawberry.type(description="The record changed; the UPDATED event lists each field's "
                 "old and new value (identifiers masked).")
class UpdateWorkerSuccess:
    worker: Worker = strawberry.field(description="The worker after the change.")
    event: WorkerEvent = strawberry.field(description="The UPDATED event.")


@strawberry.type(description="The heir was added; the UPDATED event lists the heirs before "
                 "and after.")
class AddHeirSuccess:
    worker: Worker = strawberry.field(description="The worker after the change.")
    event: WorkerEvent = strawberry.field(description="The UPDATED event.")


@strawberry.type(description="The heir was removed; the UPDATED event lists the heirs "
                 "before and after.")
class RemoveHeirSuccess:
    worker: Worker = strawberry.field(description="The worker after the change.")
    event: WorkerEvent = strawberry.field(description="The UPDATED event.")


@strawberry.type(description="The contribution was recorded with the cover it buys.")
class RecordContributionSuccess:
    worker: Worker = strawberry.field(
        description="The worker after it: coveredUntil and status (ACTIVE when the cover "
        "includes today).")
    contribution: Contribution = strawberry.field(description="The recorded contribution.")
    event: WorkerEvent = strawberry.field(
        description="The CONTRIBUTION_RECORDED event; its changes include coveredUntil and "
        "a membership status change when there was one.")


@strawberry.type(description="The contract was extended and the extension paid.")
class ExtendContractSuccess:
    worker: Worker = strawberry.field(description="The worker with its new contract end.")
    contribution: Contribution = strawberry.field(
        description="The EXTENSION contribution paid for the added months.")
    event: WorkerEvent = strawberry.field(
        description="The CONTRACT_EXTENDED event (contractEnd, coveredUntil, and the "
        "membership status when it changed).")


@strawberry.type(description="The identity was corrected.")
class CorrectIdentitySuccess:
    worker: Worker = strawberry.field(description="The worker after the correction.")
    event: WorkerEvent = strawberry.field(
        description="The IDENTITY_CORRECTED event (identifiers masked).")


@strawberry.type(description="The worker now belongs to the other partner.")
class TransferWorkerSuccess:
    worker: Worker = strawberry.field(description="The worker, now the new partner's.")
    transferred_out: WorkerEvent = strawberry.field(
        description="The old partner's last event of this worker (TRANSFERRED_OUT).")
    transferred_in: WorkerEvent = strawberry.field(
        description="The new partner's first event of this worker (TRANSFERRED_IN).")


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
UpdateWorkerResult = Annotated[
    UpdateWorkerSuccess | NotFoundError | StaleVersionError | NotAllowedError
    | ValidationError,
    strawberry.union("UpdateWorkerResult", description="The change, or why not."),
]
AddHeirResult = Annotated[
    AddHeirSuccess | NotFoundError | StaleVersionError | NotAllowedError | ValidationError,
    strawberry.union("AddHeirResult", description="The change, or why not."),
]
RemoveHeirResult = Annotated[
    RemoveHeirSuccess | NotFoundError | StaleVersionError | NotAllowedError | ValidationError,
    strawberry.union("RemoveHeirResult", description="The change, or why not."),
]
RecordContributionResult = Annotated[
    RecordContributionSuccess | NotFoundError | InvalidTransitionError | NotAllowedError
    | ValidationError | IdempotencyConflictError,
    strawberry.union("RecordContributionResult",
                     description="The contribution, or why it was refused."),
]
ExtendContractResult = Annotated[
    ExtendContractSuccess | NotFoundError | StaleVersionError | InvalidTransitionError
    | NotAllowedError | ValidationError,
    strawberry.union("ExtendContractResult", description="The extension, or why not."),
]
CorrectIdentityResult = Annotated[
    CorrectIdentitySuccess | NotFoundError | StaleVersionError | NotAllowedError
    | ValidationError | DuplicateNikError,
    strawberry.union("CorrectIdentityResult", description="The correction, or why not."),
]
TransferWorkerResult = Annotated[
    TransferWorkerSuccess | NotFoundError | StaleVersionError | NotAllowedError
    | ValidationError,
    strawberry.union("TransferWorkerResult", description="The transfer, or why not."),
]
