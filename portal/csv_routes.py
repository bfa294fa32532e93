"""CSV over HTTP: ``POST /import/workers.csv`` and ``GET /export/workers.csv``.

Both authenticate like /graphql (a Bearer API key; portal.auth) and then call the same
domain code as the GraphQL API, so rules, roles and tenancy are the same. Failures are
JSON in the shape of the GraphQL typed errors (``__typename``, ``field``, ``rule``,
``message``, ``errors``), never a 500.

The export streams: it reads the viewer's workers in keyset pages of 1,000 by id and
writes each page before reading the next, so memory stays flat whatever the size.
Identifiers are masked for PARTNER_VIEWER exactly as the Worker type masks them, and every
page that carries full identifiers is recorded as a reveal in the audit log.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import date
from enum import Enum
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from models import audit, bulk_import, event_log, worker_changes
from models.access import Viewer
from models.authorization import require_scope
from models.enums import JobSector, MembershipStatus, Phase, PlacementStatus, Scope
from models.errors import DomainError, FieldProblem, NotAllowed, ValidationFailed
from models.tenancy import visible_partners, visible_workers
from models.validators import mask_identifier
from models.workers import FAMILY_CARD, NIK, PASSPORT, Worker
from portal.auth import AuthError, viewer_from_headers
from portal.request_meta import request_id_of
from schema import ids
from schema.errors import QueryInputError
from schema.workers import filters
from schema.workers.filters import WorkerFilter

EXPORT_PAGE = 1_000
EXPORT_COLUMNS: tuple[str, ...] = (
    "id", "partner", "nik", "fullName", "birthDate", "gender", "birthPlace", "passportNumber",
    "familyCardNumber", "phone", "destinationCountry", "destinationRegion", "employerName",
    "employerType", "jobSector", "placementScheme", "placementStatus", "phase", "status",
    "contractStart", "contractEnd", "departedOn", "returnedOn", "coveredUntil", "version",
    "registeredAt", "updatedAt",
)
# Free-text cells a spreadsheet would run as a formula are prefixed with an apostrophe.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FREE_TEXT = frozenset({"fullName", "birthPlace", "destinationRegion", "employerName"})
_ENUM_PARAMETERS: dict[str, type[Enum]] = {
    "placementStatus": PlacementStatus,
    "phase": Phase,
    "status": MembershipStatus,
    "jobSector": JobSector,
}
_DATE_PARAMETERS = ("registeredFrom", "registeredTo", "coveredUntilBefore")
_TEXT_PARAMETERS = ("destinationCountry", "destinationRegion", "search")


def routes() -> list[Route]:
    return [
        Route("/import/workers.csv", import_workers_csv, methods=["POST"]),
        Route("/export/workers.csv", export_workers_csv, methods=["GET"]),
    ]


# --- answers ---------------------------------------------------------------------------


def _error(status: int, typename: str, problems: Sequence[FieldProblem],
           request_id: str) -> JSONResponse:
    first = problems[0]
    return JSONResponse(
        {"__typename": typename, "field": first.field, "rule": first.rule,
         "message": first.message,
         "errors": [{"field": p.field, "rule": p.rule, "message": p.message}
                    for p in problems]},
        status_code=status, headers={"X-Request-ID": request_id},
    )


def _domain_error(exc: DomainError, request_id: str) -> JSONResponse:
    if isinstance(exc, NotAllowed):
        return JSONResponse({"__typename": "NotAllowedError", "message": exc.message,
                             "needed": exc.needed}, status_code=403,
                            headers={"X-Request-ID": request_id})
    if isinstance(exc, ValidationFailed):
        return _error(422, "ValidationError", exc.problems, request_id)
    # IdempotencyConflict: the only other failure an import reports as a whole.
    return JSONResponse({"__typename": "IdempotencyConflictError", "message": exc.message},
                        status_code=409, headers={"X-Request-ID": request_id})


def _unauthorized(message: str, request_id: str) -> JSONResponse:
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}]},
        status_code=401,
        headers={"WWW-Authenticate": 'Bearer realm="partner-portal"',
                 "X-Request-ID": request_id},
    )


async def _viewer(request: Request, request_id: str) -> Viewer | JSONResponse:
    try:
        return await viewer_from_headers(request.headers, request_id)
    except AuthError as exc:
        return _unauthorized(str(exc), request_id)


# --- import ---------------------------------------------------------------------------


async def _body(request: Request, limit: int) -> bytes | None:
    """The request body, or None as soon as it passes ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def import_workers_csv(request: Request) -> Response:
    """Register the workers of a CSV file sent as the request body (text/csv).

    Query parameters: ``mode`` (ALL_OR_NOTHING, the default, or BEST_EFFORT) and
    ``idempotencyKey`` (or the Idempotency-Key header). 200 when the rows were written
    (BEST_EFFORT may still list failed rows), 422 when nothing was written.
    """
    request_id = request_id_of(request.scope)
    viewer = await _viewer(request, request_id)
    if isinstance(viewer, JSONResponse):
        return viewer
    try:
        mode = bulk_import.ImportMode(request.query_params.get("mode", "ALL_OR_NOTHING"))
    except ValueError:
        return _error(400, "ValidationError", [FieldProblem(
            "mode", "enum", "mode is ALL_OR_NOTHING or BEST_EFFORT.")], request_id)
    key = request.query_params.get("idempotencyKey") or request.headers.get("idempotency-key")
    if request.headers.get("content-type", "").lower().startswith("multipart/"):
        return _error(415, "ValidationError", [FieldProblem(
            "file", "content_type", "Send the CSV file itself as the request body "
            "(Content-Type: text/csv), not as a form upload.")], request_id)
    data = await _body(request, bulk_import.MAX_CSV_BYTES)
    if data is None:
        return _error(413, "ValidationError", [FieldProblem(
            "file", "max_size", f"The file is larger than "
            f"{bulk_import.MAX_CSV_BYTES // (1024 * 1024)} MB.")], request_id)
    try:
        rows = bulk_import.parse_csv(data)
    except bulk_import.CsvRejected as exc:
        return _error(400, "ValidationError", exc.problems, request_id)
    try:
        outcome = await worker_changes.import_workers(
            viewer, rows, mode=mode, idempotency_key=key)
    except DomainError as exc:
        return _domain_error(exc, request_id)
    event_log.committed()  # wake this process's subscribers now, not at the next poll
    body = {
        "__typename": "ImportWorkersSuccess",
        "created": outcome.created,
        "failed": outcome.failed,
        "written": outcome.written,
        "rows": [{"rowNumber": r.row_number,
                  "workerId": ids.encode("Worker", r.worker_id) if r.worker_id else None,
                  "errors": [{"field": p.field, "rule": p.rule, "message": p.message}
                             for p in r.problems]}
                 for r in outcome.rows],
    }
    return JSONResponse(body, status_code=200 if outcome.written else 422,
                        headers={"X-Request-ID": request_id})


# --- export ---------------------------------------------------------------------------


def filter_from_query(params: Mapping[str, str], repeated: Sequence[str]) -> WorkerFilter:
    """The WorkerFilter of ``workers`` from query parameters with the same names."""
    known = {*_ENUM_PARAMETERS, *_DATE_PARAMETERS, *_TEXT_PARAMETERS}
    for name in params:
        if name not in known:
            raise QueryInputError(name, "unknown_parameter",
                                  f"Unknown parameter {name!r}; the filters are "
                                  + ", ".join(sorted(known)) + ".")
    for name in repeated:
        raise QueryInputError(name, "repeated", f"{name} is given more than once.")
    values: dict[str, Any] = {}
    for name, enum in _ENUM_PARAMETERS.items():
        if name in params:
            try:
                values[name] = enum(params[name])
            except ValueError:
                allowed = ", ".join(m.value for m in enum)  # type: ignore[attr-defined]
                raise QueryInputError(name, "enum", f"{name} is one of {allowed}.") from None
    for name in _DATE_PARAMETERS:
        if name in params:
            try:
                values[name] = date.fromisoformat(params[name])
            except ValueError:
                raise QueryInputError(name, "date", f"{name} is a date (YYYY-MM-DD).") from None
    for name in _TEXT_PARAMETERS:
        if name in params:
            values[name] = params[name]
    return WorkerFilter(
        placement_status=values.get("placementStatus"),
        phase=values.get("phase"),
        status=values.get("status"),
        destination_country=values.get("destinationCountry"),
        destination_region=values.get("destinationRegion"),
        job_sector=values.get("jobSector"),
        registered_from=values.get("registeredFrom"),
        registered_to=values.get("registeredTo"),
        covered_until_before=values.get("coveredUntilBefore"),
        search=values.get("search"),
    )


async def export_workers_csv(request: Request) -> Response:
    """Your workers as CSV (operators: everyone's), with the filters of ``workers`` as
    query parameters, ordered by registration (id)."""
    request_id = request_id_of(request.scope)
    viewer = await _viewer(request, request_id)
    if isinstance(viewer, JSONResponse):
        return viewer
    try:
        require_scope(viewer, Scope.READ)
        params = request.query_params
        repeated = [k for k in set(params.keys()) if len(params.getlist(k)) > 1]
        qs = filters.apply(visible_workers(viewer), filter_from_query(dict(params), repeated))
    except DomainError as exc:
        return _domain_error(exc, request_id)
    except QueryInputError as exc:
        ext = exc.extensions or {}
        return _error(400, "ValidationError", [FieldProblem(
            str(ext.get("field", "")), str(ext.get("rule", "")), exc.message)], request_id)
    codes = dict(await visible_partners(viewer).values_list("id", "code"))
    return StreamingResponse(
        _export_lines(viewer, qs, codes), media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="workers.csv"',
                 "X-Request-ID": request_id},
    )


async def _export_lines(viewer: Viewer, qs: Any, codes: Mapping[int, str]) -> AsyncIterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    yield _drain(buffer)
    after = 0
    while True:
        page: list[Worker] = list(
            await qs.filter(id__gt=after).order_by("id").limit(EXPORT_PAGE))
        if not page:
            return
        for worker in page:
            writer.writerow(export_row(worker, viewer, codes))
        if viewer.sees_identifiers:
            await audit.record_reveal(viewer, [w.id for w in page], "export:workers.csv")
        yield _drain(buffer)
        if len(page) < EXPORT_PAGE:
            return
        after = page[-1].id


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def export_row(worker: Worker, viewer: Viewer, codes: Mapping[int, str]) -> list[str]:
    def identifier(kind: str) -> str | None:
        value = worker.identifier(kind)
        return value if viewer.sees_identifiers else mask_identifier(value)

    values: dict[str, Any] = {
        "id": ids.encode("Worker", worker.id),
        "partner": codes.get(worker.partner_id, ""),
        "nik": identifier(NIK),
        "fullName": worker.full_name,
        "birthDate": worker.birth_date,
        "gender": worker.gender,
        "birthPlace": worker.birth_place,
        "passportNumber": identifier(PASSPORT),
        "familyCardNumber": identifier(FAMILY_CARD),
        "phone": worker.phone,
        "destinationCountry": worker.destination_country,
        "destinationRegion": worker.destination_region,
        "employerName": worker.employer_name,
        "employerType": worker.employer_type,
        "jobSector": worker.job_sector,
        "placementScheme": worker.placement_scheme,
        "placementStatus": worker.placement_status,
        "phase": worker.phase,
        "status": worker.status,
        "contractStart": worker.contract_start,
        "contractEnd": worker.contract_end,
        "departedOn": worker.departed_on,
        "returnedOn": worker.returned_on,
        "coveredUntil": worker.covered_until,
        "version": worker.version,
        "registeredAt": worker.registered_at,
        "updatedAt": worker.updated_at,
    }
    return [_cell(name, values[name]) for name in EXPORT_COLUMNS]


def _cell(name: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if name in _FREE_TEXT and text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text
