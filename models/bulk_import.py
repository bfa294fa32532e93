"""Registering many workers in one call: importWorkers, the CSV upload and ``portal import``.

Every row is checked with registerWorker's rules (models.worker_input), and its NIK
against the other rows and against the whole registry (a NIK held by another partner is
"registered elsewhere", nothing more). In ALL_OR_NOTHING mode one bad row means nothing
is written and every row's problems are reported; in BEST_EFFORT mode the good rows are
written. Writes are bulk inserts in one transaction: workers, their REGISTERED events
(models.event_log.append_many) and the dashboard counters (models.stats.apply, one delta
per combination), so an import commits or vanishes as a whole.

The CSV format (shared by the upload endpoint and the CLI) is here too: a header row of
RegisterWorkerInput field names (camelCase), UTF-8, one worker per row. ``heirs`` is a
JSON array of {fullName, relation, phone}; external ids are the columns
``externalIds.siskop2miId`` and ``externalIds.kpjNumber``.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models import bulk_write, event_log, idempotency, stats, worker_input
from models.access import Viewer
from models.authorization import require_worker_write
from models.clock import now, today_jakarta
from models.enums import WorkerEventType
from models.errors import FieldProblem, ValidationFailed
from models.identifiers import vault
from models.workers import NIK, Worker

MAX_ROWS = 10_000
WRITE_BATCH = 1_000
PROGRESS_EVERY = 500

Progress = Callable[[str, int, int], None]


class ImportMode(StrEnum):
    ALL_OR_NOTHING = "ALL_OR_NOTHING"
    BEST_EFFORT = "BEST_EFFORT"


@dataclass(slots=True)
class RowOutcome:
    """One input row: its 1-based number, and the new worker's id or its problems."""

    row_number: int
    worker_id: int | None = None
    problems: list[FieldProblem] = field(default_factory=list)


@dataclass(slots=True)
class ImportOutcome:
    mode: ImportMode
    rows: list[RowOutcome]
    written: bool

    @property
    def created(self) -> int:
        return sum(1 for r in self.rows if r.worker_id is not None)

    @property
    def failed(self) -> int:
        return sum(1 for r in self.rows if r.problems)

    def to_json(self) -> dict[str, Any]:
        return {
            "mode": self.mode.value,
            "written": self.written,
            "rows": [[r.row_number, r.worker_id,
                      [[p.field, p.rule, p.message] for p in r.problems]] for r in self.rows],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ImportOutcome:
        return cls(
            ImportMode(data["mode"]),
            [RowOutcome(n, worker_id, [FieldProblem(*p) for p in problems])
             for n, worker_id, problems in data["rows"]],
            bool(data["written"]),
        )


class _RolledBack(Exception):
    """Leaves the transaction without writing anything (ALL_OR_NOTHING with failures)."""

    def __init__(self, outcome: ImportOutcome) -> None:
        super().__init__("import rolled back")
        self.outcome = outcome


async def import_workers(
    viewer: Viewer,
    rows: Sequence[Mapping[str, Any]],
    *,
    mode: ImportMode | str = ImportMode.ALL_OR_NOTHING,
    idempotency_key: str | None = None,
    max_rows: int | None = MAX_ROWS,
    progress: Progress | None = None,
) -> ImportOutcome:
    require_worker_write(viewer)
    if idempotency_key is not None:
        idempotency.check_key(idempotency_key)
    if max_rows is not None and len(rows) > max_rows:
        raise ValidationFailed.single(
            "rows", "max_items",
            f"An import takes at most {max_rows:,} rows; this one has {len(rows):,}. "
            "Split it into several imports.")
    mode = ImportMode(mode)
    outcomes, clean = _validate(rows, progress)
    digest = (idempotency.request_digest({"mode": mode.value, "rows": [dict(r) for r in rows]})
              if idempotency_key is not None else None)
    for attempt in (1, 2):
        try:
            return await _write(viewer, mode, outcomes, clean, idempotency_key, digest,
                                progress)
        except _RolledBack as exc:
            return exc.outcome
        except IntegrityError:
            # A concurrent registration took one of these NIKs between our check and our
            # insert. Checking again finds it and reports it as that row's problem.
            if attempt == 2:
                raise ValidationFailed.single(
                    "rows", "concurrent_registration",
                    "Some of these workers were registered at the same moment by another "
                    "request; run the import again.") from None
            for o in outcomes:
                o.problems = [p for p in o.problems if p.rule != "duplicate"]
                o.worker_id = None
    raise AssertionError("unreachable")


def _validate(
    rows: Sequence[Mapping[str, Any]], progress: Progress | None
) -> tuple[list[RowOutcome], list[dict[str, Any] | None]]:
    today = today_jakarta()
    outcomes: list[RowOutcome] = []
    clean: list[dict[str, Any] | None] = []
    first_row_of: dict[str, int] = {}
    total = len(rows)
    for index, raw in enumerate(rows):
        outcome = RowOutcome(index + 1)
        values: dict[str, Any] | None = None
        if not isinstance(raw, Mapping):
            outcome.problems.append(FieldProblem("row", "type", "A row is an object of fields."))
        else:
            try:
                values = worker_input.validate(raw, today=today)
            except ValidationFailed as exc:
                outcome.problems.extend(exc.problems)
        nik = values["nik"] if values else _plain_nik(raw)
        if nik is not None:
            if nik in first_row_of:
                outcome.problems.append(FieldProblem(
                    "nik", "duplicate_in_import",
                    f"This NIK is also on row {first_row_of[nik]} of this import."))
            else:
                first_row_of[nik] = outcome.row_number
        outcomes.append(outcome)
        clean.append(values if not outcome.problems else None)
        if progress and (index + 1) % PROGRESS_EVERY == 0:
            progress("checking", index + 1, total)
    if progress:
        progress("checking", total, total)
    return outcomes, clean


def _plain_nik(raw: object) -> str | None:
    """The NIK of a row that failed on other fields, for the in-import duplicate check."""
    if not isinstance(raw, Mapping) or not isinstance(raw.get("nik"), str):
        return None
    text = raw["nik"].strip().replace(" ", "")
    return text if len(text) == 16 and text.isdigit() else None


async def _write(
    viewer: Viewer,
    mode: ImportMode,
    outcomes: list[RowOutcome],
    clean: list[dict[str, Any] | None],
    key: str | None,
    digest: str | None,
    progress: Progress | None,
) -> ImportOutcome:
    async with in_transaction() as conn:
        claim_id = None
        if key is not None and digest is not None:
            claim_id, stored = await idempotency.claim(
                conn, viewer.partner_id, "importWorkers", key, digest)
            if stored is not None:
                return ImportOutcome.from_json(stored)
        await _mark_registered(conn, viewer, outcomes, clean)
        if mode == ImportMode.ALL_OR_NOTHING and any(o.problems for o in outcomes):
            raise _RolledBack(ImportOutcome(mode, outcomes, written=False))
        at = now()
        good = [(o, c) for o, c in zip(outcomes, clean, strict=True)
                if c is not None and not o.problems]
        new_rows = [worker_input.new_worker_row(viewer.partner_id, c, at) for _, c in good]
        await _insert_workers(conn, new_rows, progress)
        # Bulk inserts do not return ids. Every row of this import has the same partner and
        # registration instant, so one index range finds them; the NIK digest (unique)
        # tells which row is which.
        ours = {row["nik_digest"] for row in new_rows}
        found = await Worker.filter(
            partner_id=viewer.partner_id, registered_at=at
        ).using_db(conn).values_list("nik_digest", "id")
        id_of = {d: int(i) for d, i in found if d in ours}
        for (outcome, _), row in zip(good, new_rows, strict=True):
            outcome.worker_id = id_of[row["nik_digest"]]
        await stats.apply(conn, Counter(stats.Combo(
            viewer.partner_id, *(str(getattr(row[d], "value", row[d])) for d in stats.DIMENSIONS)
        ) for row in new_rows))
        changes = worker_input.registered_changes()
        await event_log.append_many(conn, [
            event_log.NewEvent(
                partner_id=viewer.partner_id,
                worker_id=o.worker_id,
                type=WorkerEventType.REGISTERED,
                occurred_at=at,
                actor=viewer.actor,
                reason=f"Imported (row {o.row_number})",
                changes=changes,
                request_id=viewer.request_id,
            )
            for o, _ in good if o.worker_id is not None
        ])
        outcome = ImportOutcome(mode, outcomes, written=True)
        if claim_id is not None:
            await idempotency.store_result(conn, claim_id, outcome.to_json())
    return outcome


async def _insert_workers(
    conn: Any, rows: list[dict[str, Any]], progress: Progress | None
) -> None:
    def written(n: int) -> None:
        if progress:
            progress("writing", n, len(rows))

    await bulk_write.insert_rows(conn, Worker, rows, written)


async def _mark_registered(
    conn: Any, viewer: Viewer, outcomes: list[RowOutcome], clean: list[dict[str, Any] | None]
) -> None:
    """Rows whose NIK is in the registry already. Uniqueness is system-wide, so this lookup
    is not viewer-scoped; it answers only "yours" or "elsewhere", never whose."""
    row_of = {vault().digest(NIK, c["nik"]): o
              for o, c in zip(outcomes, clean, strict=True) if c is not None}
    for nik_digest, partner_id in await _registered(conn, list(row_of)):
        elsewhere = partner_id != viewer.partner_id
        row_of[nik_digest].problems.append(FieldProblem(
            "nik", "duplicate",
            "This NIK is already registered elsewhere." if elsewhere
            else "This NIK is already registered by your organisation."))


async def _registered(conn: Any, digests: list[str]) -> list[tuple[str, int]]:
    """(digest, partner id) of the workers holding these NIK digests."""
    if event_log.is_postgres(conn):
        # One array parameter, not an IN list: the driver's prepared statement may get a
        # generic plan, and a generic plan over thousands of IN parameters compares every
        # row with every value (seconds per call once the table has grown); = ANY($1)
        # stays an index lookup.
        rows = await conn.execute_query_dict(
            'SELECT "nik_digest", "partner_id" FROM "worker" WHERE "nik_digest" = ANY($1)',
            [digests])
        return [(r["nik_digest"], int(r["partner_id"])) for r in rows]
    taken: list[tuple[str, int]] = []
    for start in range(0, len(digests), WRITE_BATCH):
        taken.extend(await Worker.filter(
            nik_digest__in=digests[start:start + WRITE_BATCH]
        ).using_db(conn).values_list("nik_digest", "partner_id"))
    return taken


# --- CSV ------------------------------------------------------------------------------

SCALAR_COLUMNS: tuple[str, ...] = (
    "nik", "fullName", "birthDate", "gender", "destinationCountry", "jobSector",
    "placementScheme", "birthPlace", "passportNumber", "familyCardNumber", "phone",
    "destinationRegion", "employerName", "employerType", "contractStart", "contractEnd",
)
EXTERNAL_ID_COLUMNS: tuple[str, ...] = ("externalIds.siskop2miId", "externalIds.kpjNumber")
CSV_COLUMNS: tuple[str, ...] = (*SCALAR_COLUMNS, "heirs", *EXTERNAL_ID_COLUMNS)
MAX_CSV_BYTES = 20 * 1024 * 1024
MAX_CELL = 2_000


class CsvRejected(Exception):
    """The file as a whole cannot be read; ``problems`` name where and why."""

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        super().__init__(problems[0].message)
        self.problems = tuple(problems)


def parse_csv(data: bytes, *, max_rows: int | None = MAX_ROWS) -> list[dict[str, Any]]:
    """Rows of an import file as RegisterWorkerInput dicts (empty cells left out).

    Problems with the file itself (encoding, header, row count, a malformed row) raise
    CsvRejected naming the row and column; problems with values are left to the import,
    which reports them per row.
    """
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None or not any(h.strip() for h in header):
            raise CsvRejected([FieldProblem(
                "header", "missing_header",
                "The file is empty; the first row names the columns (e.g. nik,fullName,...).")])
        columns = _check_header([h.strip() for h in header])
        rows: list[dict[str, Any]] = []
        problems: list[FieldProblem] = []
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue  # blank lines, e.g. at the end of a spreadsheet export
            number = len(rows) + 1
            if max_rows is not None and number > max_rows:
                raise CsvRejected([FieldProblem(
                    "rows", "max_items",
                    f"An import takes at most {max_rows:,} rows; row {number} is one too "
                    "many. Split the file.")])
            if len(record) != len(columns):
                problems.append(FieldProblem(
                    f"row {number}", "column_count",
                    f"Row {number} has {len(record)} cells; the header has {len(columns)}."))
                rows.append({})
                continue
            rows.append(_row(number, columns, record, problems))
        if problems:
            raise CsvRejected(problems)
        return rows
    except csv.Error as exc:
        raise CsvRejected([FieldProblem(
            f"row {max(reader.line_num - 1, 1)}", "csv_syntax",
            f"The file is not valid CSV near line {reader.line_num}: {exc}.")]) from None


def _decode(data: bytes) -> str:
    if len(data) > MAX_CSV_BYTES:
        raise CsvRejected([FieldProblem(
            "file", "max_size", f"The file is larger than {MAX_CSV_BYTES // (1024 * 1024)} MB.")])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise CsvRejected([FieldProblem(
            "file", "encoding",
            f"The file is not UTF-8: byte 0x{data[exc.start]:02x} on line {line} "
            f"({'the header' if line == 1 else f'row {line - 1}'}) cannot be read. Save it "
            "as 'CSV UTF-8' and upload it again.")]) from None


def _check_header(header: list[str]) -> list[str]:
    problems: list[FieldProblem] = []
    known = set(CSV_COLUMNS)
    seen: set[str] = set()
    for name in header:
        if name not in known:
            problems.append(FieldProblem(
                name or "(empty)", "unknown_column",
                f"Unknown column {name!r}; the columns are RegisterWorkerInput field names: "
                + ", ".join(CSV_COLUMNS) + "."))
        elif name in seen:
            problems.append(FieldProblem(name, "duplicate_column", f"Column {name!r} appears "
                                         "twice."))
        seen.add(name)
    for name in worker_input.REQUIRED_FOR_REGISTRATION:
        if name not in seen:
            problems.append(FieldProblem(name, "missing_column",
                                         f"The required column {name!r} is missing."))
    if problems:
        raise CsvRejected(problems)
    return header


def _row(number: int, columns: list[str], record: list[str],
         problems: list[FieldProblem]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for name, cell in zip(columns, record, strict=True):
        value = cell.strip()
        if not value:
            continue
        if len(value) > MAX_CELL:
            problems.append(FieldProblem(f"row {number}.{name}", "max_length",
                                         f"Row {number}: {name} is longer than {MAX_CELL} "
                                         "characters."))
            continue
        if name == "heirs":
            try:
                row["heirs"] = json.loads(value)
            except ValueError:
                # Left to the import to report: the row is fine as a CSV row.
                row["heirs"] = "not JSON"
        elif name.startswith("externalIds."):
            row.setdefault("externalIds", {})[name.split(".", 1)[1]] = value
        else:
            row[name] = value
    return row


def error_report(outcome: ImportOutcome) -> str:
    """The problems as CSV (rowNumber, field, rule, message), for a person to fix the file."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["rowNumber", "field", "rule", "message"])
    for row in outcome.rows:
        for p in row.problems:
            writer.writerow([row.row_number, p.field, p.rule, p.message])
    return out.getvalue()
