"""importWorkers: many registrations in one call (models.bulk_import)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from models import worker_changes
from models.bulk_import import ImportOutcome
from models.errors import DomainError
from models.tenancy import visible_workers
from models.workers import Worker as WorkerRow
from schema.context import Info
from schema.errors import (
    FieldError,
    IdempotencyConflictError,
    NotAllowedError,
    ValidationError,
    from_domain,
)
from schema.selection import selected_below
from schema.workers.arguments import IdempotencyKeyArg
from schema.workers.inputs import ImportMode, RegisterWorkerInput, to_raw
from schema.workers.types import Worker, worker_columns


@strawberry.type(description="What became of one row of an import.")
class ImportRowResult:
    row_number: int = strawberry.field(description="The row's place in the input, from 1.")
    errors: list[FieldError] = strawberry.field(
        description="The row's problems (empty for a good row).")
    # Read with all the others of the import in a few queries (import_success).
    worker: Worker | None = strawberry.field(
        description="The created worker; null when this row failed or the import wrote "
        "nothing.")


@strawberry.type(description="The import ran: how many rows were written and how each "
                 "row fared.")
class ImportWorkersSuccess:
    created: int = strawberry.field(description="Workers created.")
    failed: int = strawberry.field(description="Rows with problems.")
    written: bool = strawberry.field(
        description="False when ALL_OR_NOTHING wrote nothing because some row failed.")
    rows: list[ImportRowResult] = strawberry.field(
        description="Every row, in input order: its worker or its problems.")


ImportWorkersResult = Annotated[
    ImportWorkersSuccess | ValidationError | NotAllowedError | IdempotencyConflictError,
    strawberry.union("ImportWorkersResult",
                     description="The per-row outcome, or why the import could not run."),
]


# Rows read per query when the result shows the created workers (well below every
# backend's limit on bound parameters).
READ_CHUNK = 5_000


async def import_success(info: Info, outcome: ImportOutcome) -> ImportWorkersSuccess:
    """The per-row results; the created workers, when selected, are read in a few queries
    of only the columns the selection needs, through the tenancy choke point."""
    workers: dict[int, WorkerRow] = {}
    selected = selected_below(info, ("rows", "worker"))
    created = [r.worker_id for r in outcome.rows if r.worker_id is not None]
    if selected and created:
        columns = worker_columns(selected)
        visible = visible_workers(info.context.require_viewer())
        for start in range(0, len(created), READ_CHUNK):
            qs = visible.filter(id__in=created[start:start + READ_CHUNK])
            workers.update((w.id, w) for w in await (qs.only(*columns) if columns else qs))
    return ImportWorkersSuccess(
        created=outcome.created,
        failed=outcome.failed,
        written=outcome.written,
        rows=[ImportRowResult(
            row_number=r.row_number,
            errors=[FieldError(field=p.field, rule=p.rule, message=p.message)
                    for p in r.problems],
            worker=Worker(row=workers[r.worker_id]) if r.worker_id in workers else None,
        ) for r in outcome.rows],
    )


@strawberry.type
class ImportMutations:
    @strawberry.mutation(
        description="Register up to 10,000 workers in one call, each row checked like "
        "registerWorker (and its NIK against the other rows and the registry). "
        "ALL_OR_NOTHING writes nothing if a row fails; BEST_EFFORT writes the good rows. "
        "Emits REGISTERED per created worker."
    )
    async def import_workers(
        self,
        info: Info,
        rows: Annotated[list[RegisterWorkerInput], strawberry.argument(
            description="The workers, at most 10,000; row numbers in the result count from "
            "1.")],
        mode: Annotated[ImportMode, strawberry.argument(
            description="What happens to the good rows when some fail.")]
        = ImportMode.ALL_OR_NOTHING,
        idempotency_key: IdempotencyKeyArg = None,
    ) -> ImportWorkersResult:
        try:
            outcome = await worker_changes.import_workers(
                info.context.require_viewer(), [to_raw(r) for r in rows], mode=mode,
                idempotency_key=idempotency_key,
            )
        except DomainError as exc:
            return from_domain(exc)  # type: ignore[return-value]
        return await import_success(info, outcome)
