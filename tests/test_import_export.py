"""Bulk: importWorkers, the CSV upload, the streaming CSV export, and `portal import`."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from typing import Any

import pytest

from models import bulk_import, identifiers
from models.db import close_database, open_database
from models.enums import Role
from models.events import WorkerEvent
from models.workers import Worker
from portal import csv_routes
from portal.cli import main
from tests import factories as f
from tests.conftest import TEST_SECRET

IMPORT = """
mutation($rows: [RegisterWorkerInput!]!, $mode: ImportMode, $key: String) {
  importWorkers(rows: $rows, mode: $mode, idempotencyKey: $key) {
    __typename
    ... on ImportWorkersSuccess {
      created failed written
      rows { rowNumber worker { id fullName status } errors { field rule message } }
    }
    ... on ValidationError { field rule message }
    ... on NotAllowedError { needed }
    ... on IdempotencyConflictError { message }
  }
}
"""
STATS = "{ workerStats { total byPlacementStatus { key count } } }"


async def _officer(client, code="kbri-hongkong", country="HK", role=Role.PARTNER_OFFICER):
    p = await f.partner(code, country=country)
    secret = await f.key(p, role)
    return p, client.as_key(secret), secret


async def _import(c, rows, mode=None, key=None) -> dict[str, Any]:
    variables = {"rows": rows, "key": key}
    if mode is not None:  # an explicit null would not take the argument's default
        variables["mode"] = mode
    return (await c.run(IMPORT, variables))["importWorkers"]


# --- importWorkers -------------------------------------------------------------------


async def test_all_or_nothing_writes_nothing_and_reports_every_bad_row(client):
    _, c, _ = await _officer(client)
    rows = [f.worker_input(), f.worker_input(phone="0812"), f.worker_input(),
            f.worker_input(fullName="R2D2")]
    result = await _import(c, rows)
    assert (result["created"], result["failed"], result["written"]) == (0, 2, False)
    assert [r["rowNumber"] for r in result["rows"]] == [1, 2, 3, 4]
    assert [(r["rowNumber"], e["field"], e["rule"]) for r in result["rows"]
            for e in r["errors"]] == [(2, "phone", "e164"), (4, "fullName", "name_characters")]
    assert all(r["worker"] is None for r in result["rows"])
    assert (await c.run(STATS))["workerStats"]["total"] == 0
    assert await WorkerEvent.all().count() == 0


async def test_best_effort_writes_the_good_rows_with_events_and_counters(client):
    _, c, _ = await _officer(client)
    rows = [f.worker_input(fullName="Ani"), f.worker_input(phone="0812"),
            f.worker_input(fullName="Budi", gender="MALE")]
    result = await _import(c, rows, mode="BEST_EFFORT")
    assert (result["created"], result["failed"], result["written"]) == (2, 1, True)
    assert [r["worker"] and r["worker"]["fullName"] for r in result["rows"]] == [
        "Ani", None, "Budi"]
    assert result["rows"][0]["worker"]["status"] == "REGISTERED"
    assert (await c.run(STATS))["workerStats"] == {
        "total": 2, "byPlacementStatus": [{"key": "CANDIDATE", "count": 2}]}
    history = await c.run("query($id: ID!) { worker(id: $id) { events { edges { node { type "
                          "reason } } } } }", {"id": result["rows"][2]["worker"]["id"]})
    assert history["worker"]["events"]["edges"] == [
        {"node": {"type": "REGISTERED", "reason": "Imported (row 3)"}}]


async def test_duplicate_niks_in_the_batch_and_in_the_registry_are_row_errors(client):
    _, hk, _ = await _officer(client)
    _, sg, _ = await _officer(client, "kbri-singapore", "SG")
    mine, theirs, twice = f.worker_input(), f.worker_input(), f.worker_input()
    await _import(hk, [mine])
    await _import(sg, [theirs])
    result = await _import(hk, [mine, theirs, twice, dict(twice, fullName="Again")],
                           mode="BEST_EFFORT")
    errors = {r["rowNumber"]: [(e["rule"], e["message"]) for e in r["errors"]]
              for r in result["rows"]}
    assert errors == {
        1: [("duplicate", "This NIK is already registered by your organisation.")],
        2: [("duplicate", "This NIK is already registered elsewhere.")],
        3: [],
        4: [("duplicate_in_import", "This NIK is also on row 3 of this import.")],
    }
    assert result["created"] == 1


async def test_more_than_10000_rows_is_a_validation_error_naming_rows(client):
    _, _, secret = await _officer(client)
    required = ("nik", "fullName", "birthDate", "gender", "destinationCountry", "jobSector",
                "placementScheme")
    row = {k: v for k, v in f.worker_input().items() if k in required}
    # A generous timeout: 10,001 input objects take a while on a busy shared machine.
    response = await client.http.post(
        "/graphql", json={"query": IMPORT, "variables": {"rows": [row] * 10_001}},
        headers={"authorization": f"Bearer {secret}"}, timeout=60)
    result = response.json()["data"]["importWorkers"]
    assert (result["__typename"], result["field"], result["rule"]) == (
        "ValidationError", "rows", "max_items")
    assert await Worker.all().count() == 0


async def test_unknown_enum_value_in_a_row_is_a_graphql_error_not_a_500(client):
    _, c, _ = await _officer(client)
    response = await c.post(IMPORT, {"rows": [f.worker_input(jobSector="ASTRONAUT")]})
    assert response.status_code == 200
    assert "ASTRONAUT" in response.json()["errors"][0]["message"]


async def test_import_idempotency_returns_the_first_result(client):
    _, c, _ = await _officer(client)
    rows = [f.worker_input(), f.worker_input()]
    first = await _import(c, rows, key="batch-1")
    again = await _import(c, rows, key="batch-1")
    assert again == first
    assert await Worker.all().count() == 2
    other = await _import(c, [f.worker_input()], key="batch-1")
    assert other["__typename"] == "IdempotencyConflictError"


async def test_viewers_may_not_import(client):
    _, c, _ = await _officer(client, role=Role.PARTNER_VIEWER)
    assert (await _import(c, [f.worker_input()]))["__typename"] == "NotAllowedError"


# --- CSV upload ----------------------------------------------------------------------

COLUMNS = ["nik", "fullName", "birthDate", "gender", "destinationCountry", "jobSector",
           "placementScheme", "passportNumber", "heirs", "externalIds.kpjNumber"]


def _csv(rows: list[dict[str, Any]], columns: list[str] = COLUMNS) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


async def _upload(client, secret: str | None, body: bytes, query: str = ""):
    headers = {"content-type": "text/csv"}
    if secret:
        headers["authorization"] = f"Bearer {secret}"
    return await client.http.post(f"/import/workers.csv{query}", content=body,
                                  headers=headers)


async def test_csv_upload_registers_the_rows_with_heirs_and_external_ids(client):
    _, c, secret = await _officer(client)
    row = f.worker_input(heirs=json.dumps([{"fullName": "Budi", "relation": "SPOUSE_OR_CHILD"}]))
    row["externalIds.kpjNumber"] = "12345678901"
    response = await _upload(client, secret, _csv([row, f.worker_input()]))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["created"], body["failed"], body["written"]) == (2, 0, True)
    worker = (await c.run("query($id: ID!) { worker(id: $id) { heirs { fullName } "
                          "externalIds { kpjNumber } } }",
                          {"id": body["rows"][0]["workerId"]}))["worker"]
    assert worker == {"heirs": [{"fullName": "Budi"}],
                      "externalIds": {"kpjNumber": "12345678901"}}


async def test_csv_row_problems_are_reported_per_row_and_nothing_is_written(client):
    _, _, secret = await _officer(client)
    response = await _upload(client, secret, _csv([f.worker_input(), f.worker_input(nik="1")]))
    assert response.status_code == 422
    body = response.json()
    assert body["written"] is False
    assert body["rows"][1]["errors"][0]["field"] == "nik"
    assert await Worker.all().count() == 0


async def test_csv_that_is_not_utf8_names_the_row(client):
    _, _, secret = await _officer(client)
    body = _csv([f.worker_input(), f.worker_input(fullName="Jose")])
    body = body.replace(b"Jose", "José".encode("latin-1"))
    response = await _upload(client, secret, body)
    assert response.status_code == 400
    error = response.json()
    assert (error["field"], error["rule"]) == ("file", "encoding")
    assert "row 2" in error["message"] and "0xe9" in error["message"]


async def test_csv_with_missing_or_unknown_columns_names_each(client):
    _, _, secret = await _officer(client)
    columns = ["nik", "fullName", "birthDate", "gender", "colour"]
    response = await _upload(client, secret, _csv([f.worker_input()], columns))
    assert response.status_code == 400
    problems = {(e["field"], e["rule"]) for e in response.json()["errors"]}
    assert problems == {("colour", "unknown_column"),
                        ("destinationCountry", "missing_column"),
                        ("jobSector", "missing_column"),
                        ("placementScheme", "missing_column")}


async def test_csv_with_more_than_10000_rows_is_refused_before_any_work(client):
    _, _, secret = await _officer(client)
    line = ",".join(["x"] * len(COLUMNS))
    body = (",".join(COLUMNS) + "\n" + "\n".join([line] * 10_001) + "\n").encode()
    response = await _upload(client, secret, body)
    assert response.status_code == 400
    assert (response.json()["field"], response.json()["rule"]) == ("rows", "max_items")


async def test_csv_row_with_the_wrong_number_of_cells_is_named(client):
    _, _, secret = await _officer(client)
    body = _csv([f.worker_input()]) + b"a,b\n"
    response = await _upload(client, secret, body)
    assert response.status_code == 400
    assert (response.json()["field"], response.json()["rule"]) == ("row 2", "column_count")


async def test_csv_upload_needs_a_key_with_write(client):
    p, _, _ = await _officer(client)
    assert (await _upload(client, None, _csv([f.worker_input()]))).status_code == 401
    viewer = await f.key(p, Role.PARTNER_VIEWER)
    response = await _upload(client, viewer, _csv([f.worker_input()]))
    assert (response.status_code, response.json()["__typename"]) == (403, "NotAllowedError")
    bad_mode = await _upload(client, await f.key(p), _csv([f.worker_input()]), "?mode=SOME")
    assert (bad_mode.status_code, bad_mode.json()["field"]) == (400, "mode")


# --- CSV export ----------------------------------------------------------------------


async def _export(client, secret: str, query: str = "") -> tuple[int, list[dict[str, str]]]:
    response = await client.http.get(f"/export/workers.csv{query}",
                                      headers={"authorization": f"Bearer {secret}"})
    if response.status_code != 200:
        return response.status_code, [response.json()]
    return 200, list(csv.DictReader(io.StringIO(response.text)))


async def test_export_contains_only_the_partners_own_workers(client):
    _, hk, hk_secret = await _officer(client)
    _, sg, sg_secret = await _officer(client, "kbri-singapore", "SG")
    hk_rows = [f.worker_input(fullName="Hong Kong One"), f.worker_input(fullName="Hong Kong Two")]
    sg_rows = [f.worker_input(fullName="Singapore One", destinationCountry="SG")]
    await _import(hk, hk_rows)
    await _import(sg, sg_rows)
    status, rows = await _export(client, hk_secret)
    assert status == 200
    assert sorted(r["fullName"] for r in rows) == ["Hong Kong One", "Hong Kong Two"]
    assert {r["partner"] for r in rows} == {"kbri-hongkong"}
    assert {r["nik"] for r in rows} == {r["nik"] for r in hk_rows}
    _, theirs = await _export(client, sg_secret)
    assert [r["fullName"] for r in theirs] == ["Singapore One"]


async def test_export_masks_identifiers_for_viewers_like_the_api(client):
    p, hk, _ = await _officer(client)
    row = f.worker_input(passportNumber="C1234567")
    await _import(hk, [row])
    viewer_secret = await f.key(p, Role.PARTNER_VIEWER)
    _, rows = await _export(client, viewer_secret)
    api = (await client.as_key(viewer_secret).run(
        "{ workers { edges { node { nik passportNumber } } } }"))["workers"]["edges"][0]["node"]
    assert (rows[0]["nik"], rows[0]["passportNumber"]) == (api["nik"], api["passportNumber"])
    assert rows[0]["nik"] != row["nik"] and "••••" in rows[0]["nik"]


async def test_export_applies_the_filters_of_workers(client):
    _, hk, secret = await _officer(client)
    await _import(hk, [f.worker_input(fullName="Ani", jobSector="CAREGIVER"),
                       f.worker_input(fullName="Budi", gender="MALE")])
    _, rows = await _export(client, secret, "?jobSector=CAREGIVER&placementStatus=CANDIDATE")
    assert [r["fullName"] for r in rows] == ["Ani"]
    _, searched = await _export(client, secret, "?search=bud")
    assert [r["fullName"] for r in searched] == ["Budi"]


@pytest.mark.parametrize(("query", "field", "rule"), [
    ("?jobSector=ASTRONAUT", "jobSector", "enum"),
    ("?registeredFrom=yesterday", "registeredFrom", "date"),
    ("?colour=red", "colour", "unknown_parameter"),
    ("?destinationCountry=XX", "filter.destinationCountry", "iso3166_alpha2"),
    ("?status=ACTIVE&status=EXPIRED", "status", "repeated"),
])
async def test_export_with_a_bad_filter_is_a_400_naming_the_parameter(client, query, field,
                                                                      rule):
    _, _, secret = await _officer(client)
    status, body = await _export(client, secret, query)
    assert status == 400
    assert (body[0]["field"], body[0]["rule"]) == (field, rule)


async def test_export_reads_page_by_page_without_repeating_or_skipping(client, monkeypatch):
    monkeypatch.setattr(csv_routes, "EXPORT_PAGE", 2)
    _, hk, secret = await _officer(client)
    names = [f"Worker {chr(65 + i)}" for i in range(5)]
    await _import(hk, [f.worker_input(fullName=n) for n in names])
    _, rows = await _export(client, secret)
    assert [r["fullName"] for r in rows] == names


# --- CLI -----------------------------------------------------------------------------


def test_cli_import_writes_rows_reports_failures_and_shows_progress(
    database_url, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("PORTAL_DATABASE_URL", database_url)
    monkeypatch.setenv("PORTAL_SECRET_KEY", TEST_SECRET)
    main(["create-partner", "--code", "kbri-hongkong", "--name", "KBRI Hong Kong",
          "--kind", "EMBASSY", "--country", "HK"])
    good, bad = f.worker_input(), f.worker_input(phone="0812")
    source = tmp_path / "workers.csv"
    source.write_bytes(_csv([good, bad], [*COLUMNS, "phone"]))
    errors = tmp_path / "errors.csv"

    with pytest.raises(SystemExit) as refused:
        main(["import", str(source), "--partner", "kbri-hongkong", "--errors-file",
              str(errors)])
    assert refused.value.code == 1
    assert "created 0 worker(s); 1 row(s) failed (nothing written" in capsys.readouterr().out
    report = list(csv.DictReader(errors.open()))
    assert [(r["rowNumber"], r["field"], r["rule"]) for r in report] == [("2", "phone", "e164")]

    with pytest.raises(SystemExit):
        main(["import", str(source), "--partner", "kbri-hongkong", "--mode", "BEST_EFFORT"])
    captured = capsys.readouterr()
    assert "created 1 worker(s); 1 row(s) failed" in captured.out
    assert "writing" in captured.err and "1/1 rows" in captured.err
    assert "row 2: phone:" in captured.err

    async def count() -> int:
        identifiers.configure(f_settings().vault())
        await open_database(database_url)
        try:
            return await Worker.all().count()
        finally:
            await close_database()

    assert asyncio.run(count()) == 1


def test_cli_import_refuses_a_broken_file_with_one_line(database_url, tmp_path, monkeypatch,
                                                        capsys):
    monkeypatch.setenv("PORTAL_DATABASE_URL", database_url)
    source = tmp_path / "workers.csv"
    source.write_bytes(b"nik,fullName\n")
    with pytest.raises(SystemExit) as refused:
        main(["import", str(source), "--partner", "kbri-hongkong"])
    assert refused.value.code == 2
    assert "missing" in capsys.readouterr().err


def test_cli_sweep_reports_what_it_expired(database_url, monkeypatch, capsys):
    monkeypatch.setenv("PORTAL_DATABASE_URL", database_url)
    monkeypatch.setenv("PORTAL_SECRET_KEY", TEST_SECRET)
    main(["sweep"])
    assert "expired 0 membership(s)" in capsys.readouterr().out


def f_settings() -> Any:
    from tests.conftest import settings_for

    return settings_for("sqlite://:memory:")


def test_csv_parser_keeps_empty_cells_out_and_skips_blank_lines() -> None:
    rows = bulk_import.parse_csv(_csv([f.worker_input()]) + b"\n,,,,,,,,,\n")
    assert len(rows) == 1 and "heirs" not in rows[0]


async def test_imported_rows_keep_their_heirs_and_external_ids(client):
    _, c, _ = await _officer(client)
    row = f.worker_input(heirs=[{"fullName": "Budi", "relation": "SPOUSE_OR_CHILD",
                                 "phone": "+6281234567890"}],
                         externalIds={"kpjNumber": "12345678901"})
    result = await _import(c, [row])
    worker = (await c.run("query($id: ID!) { worker(id: $id) { heirs { fullName relation phone } "
                          "externalIds { kpjNumber siskop2miId } } }",
                          {"id": result["rows"][0]["worker"]["id"]}))["worker"]
    assert worker == {
        "heirs": [{"fullName": "Budi", "relation": "SPOUSE_OR_CHILD", "phone": "+6281234567890"}],
        "externalIds": {"kpjNumber": "12345678901", "siskop2miId": None}}
