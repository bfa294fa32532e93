"""Money mutations: recordContribution and extendContract (rules in models.coverage and
models.contribution_changes, the change itself in models.worker_changes)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from models import worker_changes
from models.errors import DomainError
from schema.context import Info
from schema.errors import from_domain
from schema.events.types import WorkerEvent
from schema.workers.arguments import (
    IdempotencyKeyArg,
    ReasonArg,
    VersionArg,
    WorkerIdArg,
    worker_pk,
)
from schema.workers.inputs import RecordContributionInput, to_raw
from schema.workers.results import (
    ExtendContractResult,
    ExtendContractSuccess,
    RecordContributionResult,
    RecordContributionSuccess,
)
from schema.workers.types import Contribution, Worker


@strawberry.type
class ContributionMutations:
    @strawberry.mutation(
        description="Record a contribution. The amount must equal what the rules give "
        "(Permenaker 4/2023: Rp37,500 before placement; by contract length during placement; "
        "JHT by the chosen monthly amount) — otherwise ValidationError (rule "
        "`amount_mismatch`) states the amount due. Writes the cover it buys, moves "
        "coveredUntil, and makes the membership ACTIVE when the cover includes today. "
        "Emits CONTRIBUTION_RECORDED."
    )
    async def record_contribution(
        self,
        info: Info,
        input: Annotated[RecordContributionInput, strawberry.argument(
            description="The payment.")],
        idempotency_key: IdempotencyKeyArg = None,
    ) -> RecordContributionResult:
        raw = to_raw(input)
        raw["workerId"] = worker_pk(input.worker_id)
        try:
            done = await worker_changes.record_contribution(
                info.context.require_viewer(), raw, idempotency_key=idempotency_key
            )
        except DomainError as exc:
            return from_domain(exc, id=input.worker_id)  # type: ignore[return-value]
        return RecordContributionSuccess(
            worker=Worker(row=done.worker), contribution=Contribution(row=done.contribution),
            event=WorkerEvent(row=done.event),
        )

    @strawberry.mutation(
        description="Extend a running contract (worker DEPARTED or ON_LEAVE) by some months "
        "and record its payment in the same change: Rp13,500 per added month. The contract "
        "end moves, cover runs to the new end plus one month, and one CONTRACT_EXTENDED "
        "event records it. An extension is an event, not a status."
    )
    async def extend_contract(
        self,
        info: Info,
        id: WorkerIdArg,
        version: VersionArg,
        months: Annotated[int, strawberry.argument(
            description="Months added to the contract (1-60).")],
        amount: Annotated[int, strawberry.argument(
            description="Amount paid for the extension, in whole rupiah: months × 13,500.")],
        paid_on: Annotated[date, strawberry.argument(
            description="Day of payment (Asia/Jakarta), not in the future.")],
        reason: ReasonArg,
    ) -> ExtendContractResult:
        try:
            done = await worker_changes.extend_contract(
                info.context.require_viewer(), worker_pk(id), version,
                months=months, amount=amount, paid_on=paid_on, reason=reason,
            )
        except DomainError as exc:
            return from_domain(exc, id=id)  # type: ignore[return-value]
        return ExtendContractSuccess(
            worker=Worker(row=done.worker), contribution=Contribution(row=done.contribution),
            event=WorkerEvent(row=done.event),
        )
