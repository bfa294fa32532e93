"""The ``portal`` command: migrate, serve, load demo data, export the schema, manage keys,
import workers from CSV, run the expiry sweep.

Every command has --help; bad input exits with status 2 and one line saying why.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

from models.errors import DomainError, ValidationFailed

EXIT_USAGE = 2


def fail(message: str) -> NoReturn:
    print(f"portal: error: {message}", file=sys.stderr)
    raise SystemExit(EXIT_USAGE)


def _settings() -> Any:
    from portal.settings import SettingsError, load

    try:
        return load()
    except SettingsError as exc:
        fail(str(exc))


def _run(settings: Any, work: Callable[[], Awaitable[Any]]) -> Any:
    """Open the database, run ``work``, close; domain errors become one-line failures."""
    from models import identifiers
    from models.db import close_database, open_database

    async def main() -> Any:
        identifiers.configure(settings.vault())
        await open_database(settings.database_url, pool_max=settings.db_pool_max)
        try:
            return await work()
        finally:
            await close_database()

    try:
        return asyncio.run(main())
    except ValidationFailed as exc:
        fail("; ".join(f"{p.field}: {p.message}" for p in exc.problems))
    except DomainError as exc:
        fail(exc.message)
    except OSError as exc:
        fail(f"cannot reach the database ({type(exc).__name__}: {exc.strerror or exc})")


def cmd_migrate(args: argparse.Namespace) -> None:
    from portal.migrations import migrate

    settings = _settings()
    applied = _run(settings, lambda: migrate(settings.database_url))
    print(f"database is up to date ({applied} migration(s) applied)")


def cmd_export_schema(args: argparse.Namespace) -> None:
    from schema.root import schema

    sys.stdout.write(schema.as_str() + "\n")


def _print_keys(keys: dict[str, Any]) -> None:
    print("Demo API keys (shown once; also in the keys file if you asked for one):")
    print(f"  operator (BPJS)                      {keys['operator']['apiKey']}")
    for partner in keys["partners"]:
        for role, secret in partner["keys"].items():
            print(f"  {partner['code']:<22} {role:<8}    {secret}")


def cmd_demo(args: argparse.Namespace) -> None:
    from portal.demo import load_demo
    from portal.migrations import migrate

    if args.workers < 0:
        fail("--workers must be 0 or more")
    settings = _settings()

    async def work() -> dict[str, Any]:
        await migrate(settings.database_url)
        return await load_demo(workers=args.workers, seed=args.seed, progress=not args.quiet)

    keys = _run(settings, work)
    if args.keys_file:
        Path(args.keys_file).write_text(json.dumps(keys, indent=2) + "\n")
        os.chmod(args.keys_file, 0o600)
        print(f"API keys written to {args.keys_file}")
    else:
        _print_keys(keys)


def cmd_serve(args: argparse.Namespace) -> None:
    import uvicorn

    from portal.demo import demo_loaded, load_demo
    from portal.migrations import migrate

    if not 1 <= args.port <= 65535 and args.port != 0:
        fail("--port must be between 1 and 65535")
    if args.processes < 1:
        fail("--processes must be 1 or more")
    settings = _settings()
    if args.demo:
        async def prepare() -> dict[str, Any] | None:
            await migrate(settings.database_url)
            if await demo_loaded():
                return None
            return await load_demo(workers=args.workers, seed=1, progress=True)

        keys = _run(settings, prepare)
        if keys is None:
            print("Demo data already loaded; its keys were shown when it was created "
                  "(run 'portal demo --keys-file FILE' on an empty database for new ones).")
        else:
            _print_keys(keys)
        print(f"GraphiQL: http://{args.host}:{args.port}/graphql  "
              "(paste a key as the header {\"Authorization\": \"Bearer <key>\"})")
    uvicorn.run(
        "portal.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.processes if args.processes > 1 else None,
        # uvicorn's own messages (WebSocket accepted/closed, startup) follow PORTAL_LOG_LEVEL,
        # but never below INFO: at DEBUG uvicorn and websockets log raw frames and headers,
        # which carry keys and session tokens.
        log_level="info" if settings.log_level == "DEBUG" else settings.log_level.lower(),
        # Uvicorn's access log prints query strings (GET variables may hold a NIK);
        # portal.edge logs each request without them.
        access_log=False,
        # SIGTERM: stop accepting, let in-flight requests finish for this long (WebSockets
        # are closed with 1012 so clients resume from their cursor), then shut down.
        timeout_graceful_shutdown=20,
        # No permessage-deflate: GraphQL events are a few hundred bytes, and each
        # compressing connection holds ~41 KiB of zlib state (bench/RESULTS.md, issue 5).
        ws_per_message_deflate=False,
    )


def cmd_create_partner(args: argparse.Namespace) -> None:
    from models.partner_admin import create_partner

    settings = _settings()
    partner = _run(settings, lambda: create_partner(
        code=args.code, name=args.name, kind=args.kind, country=args.country, region=args.region
    ))
    print(f"created partner {partner.code} (id {partner.id})")


def cmd_create_api_key(args: argparse.Namespace) -> None:
    from models import api_keys
    from models.enums import Role, Scope
    from models.partners import Partner

    settings = _settings()
    try:
        role = Role(args.role)
        scopes = [Scope(s.strip().upper()) for s in args.scopes.split(",") if s.strip()]
    except ValueError as exc:
        fail(str(exc))
    expires = None
    if args.expires_at:
        try:
            expires = datetime.fromisoformat(args.expires_at)
        except ValueError:
            fail("--expires-at must be an ISO 8601 date-time, e.g. 2027-01-01T00:00:00+00:00")
        if expires.tzinfo is None:
            fail("--expires-at needs a time zone, e.g. 2027-01-01T00:00:00+07:00")

    async def work() -> api_keys.IssuedKey:
        partner = await Partner.get_or_none(code=args.partner)
        if partner is None:
            fail(f"no partner with code {args.partner!r}")
        return await api_keys.issue(partner, args.name, role, scopes, expires)

    issued = _run(settings, work)
    print(issued.secret)
    print(f"created key {issued.key.name!r} ({role.value}: {', '.join(issued.key.scopes)}); "
          "the secret above is shown only once", file=sys.stderr)


def cmd_create_account(args: argparse.Namespace) -> None:
    from models import accounts
    from models.enums import Role
    from models.partners import Partner

    settings = _settings()
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else None

    async def work() -> str:
        partner = await Partner.get_or_none(code=args.partner)
        if partner is None:
            fail(f"no partner with code {args.partner!r}")
        invitation = await accounts.invite(None, partner, args.email, args.name,
                                           Role(args.role))
        if password is None:
            return (f"invitation token (shown once, valid until "
                    f"{invitation.expires_at:%Y-%m-%d %H:%M} UTC): {invitation.token}\n"
                    "accept with POST /auth/accept-invitation "
                    '{"token": "…", "password": "…"}')
        await accounts.accept_invitation(invitation.token, password)
        return f"account {invitation.account.email} is ready to sign in"

    print(_run(settings, work))


def cmd_rotate_data_key(args: argparse.Namespace) -> None:
    from models.data_keys import new_key_spec, reseal_all

    if args.generate:
        print(new_key_spec(args.generate))
        print("put this entry FIRST in PORTAL_DATA_KEYS, keep the old entries after it, "
              "restart, then run 'portal rotate-data-key'", file=sys.stderr)
        return
    settings = _settings()

    def progress(report: Any) -> None:
        print(f"\rscanned {report.scanned}, re-sealed {report.resealed}", end="",
              file=sys.stderr, flush=True)

    async def work() -> tuple[Any, int]:
        from models.webhook_endpoints import reseal_secrets

        return await reseal_all(progress), await reseal_secrets()

    report, secrets = _run(settings, work)
    print(file=sys.stderr)
    print(f"re-sealed {report.resealed} worker(s) and {secrets} webhook signing secret(s) "
          f"under key {settings.vault().current!r}; {report.skipped_changed} worker(s) "
          "changed meanwhile (run again to cover them)")


def cmd_export_worker_data(args: argparse.Namespace) -> None:
    from models.errors import FieldInvalid
    from models.worker_export import export

    settings = _settings()

    async def work() -> dict[str, Any] | None:
        try:
            return await export(args.nik, actor=f"cli:{os.environ.get('USER', 'operator')}")
        except FieldInvalid as exc:
            fail(f"nik: {exc.message}")

    data = _run(settings, work)
    if data is None:
        fail("no worker with this NIK")
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if args.output:
        Path(args.output).write_text(text)
        os.chmod(args.output, 0o600)
        print(f"written to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)


def _progress_bar(stage: str, done: int, total: int) -> None:
    width = 30
    filled = width * done // total if total else width
    print(f"\r{stage:<8} [{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} rows",
          end="", file=sys.stderr, flush=True)
    if done >= total:
        print(file=sys.stderr)


def cmd_import(args: argparse.Namespace) -> None:
    import getpass

    from models import bulk_import, worker_changes
    from models.access import ROLE_SCOPES, Viewer
    from models.enums import PartnerKind, Role
    from models.partners import Partner

    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        fail(f"cannot read {args.file}: {exc.strerror or exc}")
    try:
        rows = bulk_import.parse_csv(data, max_rows=None)
    except bulk_import.CsvRejected as exc:
        if args.errors_file:
            _write_file_problems(args.errors_file, exc.problems)
        more = f" (and {len(exc.problems) - 1} more)" if len(exc.problems) > 1 else ""
        fail(f"{args.file}: {exc.problems[0].field}: {exc.problems[0].message}{more}")
    settings = _settings()

    async def work() -> bulk_import.ImportOutcome:
        partner = await Partner.get_or_none(code=args.partner)
        if partner is None:
            fail(f"no partner with code {args.partner!r}")
        if partner.kind == PartnerKind.BPJS_OFFICE:
            fail("the BPJS office owns no workers; import for an embassy, consulate, "
                 "consortium or agency")
        # The person at the console acts for the partner, as its admin would.
        viewer = Viewer(
            partner_id=partner.id, partner_kind=partner.kind, role=Role.PARTNER_ADMIN,
            scopes=ROLE_SCOPES[Role.PARTNER_ADMIN], actor=f"cli:{getpass.getuser()}",
        )
        return await worker_changes.import_workers(
            viewer, rows, mode=args.mode, idempotency_key=args.idempotency_key,
            max_rows=None, progress=None if args.quiet else _progress_bar,
        )

    outcome = _run(settings, work)
    if args.errors_file:
        Path(args.errors_file).write_text(bulk_import.error_report(outcome))
    elif outcome.failed:
        for row in [r for r in outcome.rows if r.problems][:10]:
            for problem in row.problems:
                print(f"row {row.row_number}: {problem.field}: {problem.message}",
                      file=sys.stderr)
        if outcome.failed > 10:
            print(f"... {outcome.failed - 10} more failed rows (use --errors-file)",
                  file=sys.stderr)
    written = "" if outcome.written else " (nothing written: ALL_OR_NOTHING)"
    print(f"created {outcome.created} worker(s); {outcome.failed} row(s) failed{written}")
    if outcome.failed:
        raise SystemExit(1)


def _write_file_problems(path: str, problems: Sequence[Any]) -> None:
    """Problems of the file as a whole, in the error report's columns (no row number)."""
    import csv

    with open(path, "w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["rowNumber", "field", "rule", "message"])
        for problem in problems:
            writer.writerow(["", problem.field, problem.rule, problem.message])


def cmd_sweep(args: argparse.Namespace) -> None:
    from models import worker_changes

    if args.batch_size < 1:
        fail("--batch-size must be 1 or more")
    settings = _settings()
    result = _run(settings, lambda: worker_changes.expire_lapsed(batch_size=args.batch_size))
    print(f"expired {result.expired} membership(s) whose cover ended "
          f"({result.batches} batch(es))")


def cmd_contract(args: argparse.Namespace) -> None:
    from portal import contract

    if args.action == "write":
        for path in contract.write():
            print(f"wrote {path}")
        return
    problems = contract.check()
    for problem in problems:
        print(f"contract: {problem}", file=sys.stderr)
    if problems:
        raise SystemExit(1)
    print("frontend contract is in step with the server")


def build_parser() -> argparse.ArgumentParser:
    from models.enums import PartnerKind, Role

    parser = argparse.ArgumentParser(
        prog="portal",
        description="Partner Portal: the GraphQL registry of Indonesian migrant workers for "
        "BPJS Ketenagakerjaan and its partners. Configure with PORTAL_* environment variables "
        "(see README).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("migrate", help="apply database migrations",
                       description="Apply the schema migrations to PORTAL_DATABASE_URL.")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("serve", help="serve the GraphQL API with uvicorn",
                       description="Serve /graphql (HTTP, WebSocket, GraphiQL).")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--processes", type=int, default=1, help="worker processes (default 1)")
    p.add_argument("--demo", action="store_true",
                   help="on an empty database: migrate, load demo data, print its keys")
    p.add_argument("--workers", type=int, default=3000,
                   help="demo workers to generate with --demo (default 3000)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("demo", help="load synthetic demo data and write its API keys",
                       description="Load partners, an operator and synthetic workers that "
                       "follow the 2018 registry's proportions.")
    p.add_argument("--workers", type=int, default=3000, help="number of workers (default 3000)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--keys-file", help="write the API keys as JSON to this file")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("export-schema", help="print the GraphQL SDL (needs no database)",
                       description="Print the schema in SDL to standard output.")
    p.set_defaults(func=cmd_export_schema)

    p = sub.add_parser("contract", help="write or check the frontend contract",
                       description="write: regenerate frontend-contract/schema.graphql and the "
                       "trusted documents manifest; check: fail when they are stale, an "
                       "operation does not validate, or a breaking change is undocumented.")
    p.add_argument("action", choices=["write", "check"])
    p.set_defaults(func=cmd_contract)

    p = sub.add_parser("create-partner", help="create a partner organisation",
                       description="Create a partner organisation.")
    p.add_argument("--code", required=True, help='short stable code, e.g. "kbri-hongkong"')
    p.add_argument("--name", required=True, help="full name")
    p.add_argument("--kind", required=True, choices=[k.value for k in PartnerKind])
    p.add_argument("--country", required=True, help="ISO 3166-1 alpha-2 country code")
    p.add_argument("--region", help='region, e.g. "Sabah"')
    p.set_defaults(func=cmd_create_partner)

    p = sub.add_parser("create-api-key", help="issue an API key for a partner",
                       description="Issue an API key; the secret is printed once.")
    p.add_argument("--partner", required=True, help="partner code")
    p.add_argument("--name", required=True, help="a name for the key (shown as actor)")
    p.add_argument("--role", required=True, choices=[r.value for r in Role])
    p.add_argument("--scopes", default="READ",
                   help="comma-separated scopes: READ,WRITE,SUBSCRIBE,WEBHOOKS,ADMIN")
    p.add_argument("--expires-at", help="ISO 8601 date-time with zone")
    p.set_defaults(func=cmd_create_api_key)
    p = sub.add_parser("create-account", help="create a staff account (invitation)",
                       description="Create a person's account; prints an invitation token, or "
                       "sets the password read from standard input with --password-stdin.")
    p.add_argument("--partner", required=True, help="partner code")
    p.add_argument("--email", required=True, help="sign-in email")
    p.add_argument("--name", required=True, help="display name")
    p.add_argument("--role", required=True, choices=[r.value for r in Role])
    p.add_argument("--password-stdin", action="store_true",
                   help="read the password (one line) from standard input")
    p.set_defaults(func=cmd_create_account)

    p = sub.add_parser("rotate-data-key", help="re-encrypt identifiers under the current key",
                       description="Re-seal every NIK, passport and family-card number still "
                       "under an older data key; with --generate ID, print a new key entry.")
    p.add_argument("--generate", metavar="ID", help="print a new PORTAL_DATA_KEYS entry")
    p.set_defaults(func=cmd_rotate_data_key)

    p = sub.add_parser("export-worker-data", help="everything about one worker (PDP request)",
                       description="Export all data about the worker with this NIK, "
                       "including who processed it, as JSON.")
    p.add_argument("nik", help="the worker's 16-digit NIK")
    p.add_argument("--output", help="write to this file (mode 600) instead of stdout")
    p.set_defaults(func=cmd_export_worker_data)

    p = sub.add_parser("import", help="register the workers of a CSV file for a partner",
                       description="Register workers from a UTF-8 CSV file whose header "
                       "names RegisterWorkerInput fields (nik, fullName, birthDate, gender, "
                       "destinationCountry, jobSector, placementScheme, ...). Exits 1 when "
                       "rows failed, 2 when the file cannot be read.")
    p.add_argument("file", help="the CSV file")
    p.add_argument("--partner", required=True, help="code of the partner that owns the workers")
    p.add_argument("--mode", choices=["ALL_OR_NOTHING", "BEST_EFFORT"],
                   default="ALL_OR_NOTHING",
                   help="ALL_OR_NOTHING (default): write nothing if a row fails; "
                   "BEST_EFFORT: write the good rows")
    p.add_argument("--errors-file", help="write every problem as CSV (rowNumber, field, rule, "
                   "message) to this file")
    p.add_argument("--idempotency-key", help="repeat-safe key: running again with the same "
                   "key and file does not import twice")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("sweep", help="expire memberships whose cover has ended",
                       description="Move ACTIVE memberships whose cover window ended "
                       "(Asia/Jakarta) to EXPIRED, with an event each. Safe to run while "
                       "the server runs its own periodic sweep.")
    p.add_argument("--batch-size", type=int, default=500,
                   help="workers per transaction (default 500)")
    p.set_defaults(func=cmd_sweep)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
