"""The GraphiQL page and its assets, in-process (no browser, no Node).

Most tests serve a small stand-in build (a manifest and a few files in a temporary
directory), so they run without Node; the last ones check the real build when it exists
(under CI=true it must).
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest
from graphql import parse, validate
from starlette.requests import Request

from portal import graphiql
from schema.root import schema
from tests.conftest import IN_CI

HTML = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
SCRIPT = "graphiql-0123456789ab.js"
STYLE = "graphiql-0123456789ab.css"
FONT = "inline-0123456789ab.woff2"
SCRIPT_BODY = b"/* bundle */ console.log('GraphiQL');\n" * 200


@pytest.fixture
def assets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in build in a temporary directory, served instead of portal/static/graphiql."""
    directory = tmp_path / "graphiql-assets"
    directory.mkdir()
    (directory / SCRIPT).write_bytes(SCRIPT_BODY)
    (directory / f"{SCRIPT}.gz").write_bytes(gzip.compress(SCRIPT_BODY))
    (directory / f"{SCRIPT}.br").write_bytes(b"pretend-brotli")
    (directory / STYLE).write_text("body { margin: 0 }\n")
    (directory / FONT).write_bytes(b"wOF2fake")
    (directory / "not-listed.js").write_text("alert(1)")
    (directory / "manifest.json").write_text(json.dumps({
        "script": SCRIPT, "style": STYLE, "workers": {}, "files": [SCRIPT, STYLE, FONT],
    }))
    monkeypatch.setattr(graphiql, "ASSETS_DIR", directory)
    return directory


@pytest.fixture
def no_assets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    empty = tmp_path / "unbuilt"
    empty.mkdir()
    monkeypatch.setattr(graphiql, "ASSETS_DIR", empty)
    return empty


def csp_of(response) -> dict[str, str]:
    policy = response.headers["content-security-policy"]
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] if " " in part else ""
            for part in (p.strip() for p in policy.split(";")) if part}


# -- the page ---------------------------------------------------------------------------


async def test_browsers_get_the_graphiql_page_itself_with_a_strict_csp(assets, client):
    response = await client.http.get("/graphql", headers=HTML)
    assert response.status_code == 200  # the page itself, no redirect
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert f'src="/graphiql-assets/{SCRIPT}"' in page
    assert f'href="/graphiql-assets/{STYLE}"' in page

    csp = csp_of(response)
    assert csp["default-src"] == "'self'"
    assert csp["script-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'" and csp["base-uri"] == "'none'"
    assert csp["img-src"] == csp["font-src"] == csp["worker-src"] == "'self'"
    assert csp["connect-src"] == "'self' ws://portal.test wss://portal.test"
    policy = response.headers["content-security-policy"]
    for loose in ("unsafe-eval", "wasm-unsafe-eval", "blob:", "data:", "*", "http:", "https:"):
        assert loose not in policy.replace("ws://portal.test", ""), loose
    # <style> elements need the nonce; only style attributes may be inline (Monaco).
    nonce = re.search(r'<meta property="csp-nonce" nonce="([^"]+)">', page).group(1)
    assert csp["style-src-elem"] == f"'self' 'nonce-{nonce}'"
    assert csp["style-src-attr"] == "'unsafe-inline'"

    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-cache"


async def test_the_page_loads_nothing_from_another_host_and_runs_no_inline_script(assets,
                                                                                   client):
    page = (await client.http.get("/graphql", headers=HTML)).text
    assert re.findall(r"(?:https?:)?//[\w.-]+", page) == []
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    executable = [attrs for attrs, _ in scripts if "application/json" not in attrs]
    assert executable == [f' src="/graphiql-assets/{SCRIPT}" defer']
    assert all(body == "" for attrs, body in scripts if "application/json" not in attrs)
    assert " on" not in re.sub(r"<script.*?</script>", "", page, flags=re.S).lower().replace(
        " only", "")  # no inline event handlers


async def test_each_page_gets_a_fresh_nonce(assets, client):
    first = await client.http.get("/graphql", headers=HTML)
    second = await client.http.get("/graphql", headers=HTML)
    assert csp_of(first)["style-src-elem"] != csp_of(second)["style-src-elem"]


async def test_the_example_operations_open_as_tabs(assets, client):
    page = (await client.http.get("/graphql", headers=HTML)).text
    config = json.loads(re.search(
        r'<script type="application/json" id="portal-graphiql-config">(.*?)</script>',
        page, re.S).group(1))
    assert config["graphqlPath"] == "/graphql"
    names = [op["name"] for op in config["operations"]]
    assert {"WorkersList", "Dashboard"} <= set(names)
    assert names == sorted(names)
    workers_list = next(op for op in config["operations"] if op["name"] == "WorkersList")
    assert "query WorkersList" in workers_list["query"]


def test_every_example_operation_is_valid_against_the_schema():
    operations = graphiql.load_operations()
    assert operations, "frontend-contract/operations/ has no .graphql files"
    for op in operations:
        errors = validate(schema._schema, parse(op["query"]))
        assert errors == [], (op["name"], errors)


def test_operations_cannot_break_out_of_the_config_block(tmp_path: Path, assets: Path):
    operations = tmp_path / "operations"
    operations.mkdir()
    (operations / "Evil.graphql").write_text(
        '# </script><script>alert(1)</script> & \u2028\nquery Evil { viewer { role } }\n')
    (operations / "notes.txt").write_text("not an operation")
    page = graphiql.GraphiQLPage(operations_dir=operations)
    assert [op["name"] for op in page.operations] == ["Evil"]
    scope = {"type": "http", "method": "GET", "path": "/graphql", "root_path": "",
             "scheme": "http", "query_string": b"", "server": ("portal.test", 80),
             "headers": [(b"host", b"portal.test")]}
    body = page.response(Request(scope)).body.decode()
    assert "<script>alert(1)" not in body and "</script><script>" not in body
    config = re.search(r'id="portal-graphiql-config">(.*?)</script>', body, re.S).group(1)
    assert json.loads(config)["operations"][0]["query"].startswith("# </script><script>")


def test_no_operations_directory_means_no_tabs(tmp_path: Path):
    assert graphiql.load_operations(tmp_path / "does-not-exist") == []


async def test_a_forged_host_header_does_not_reach_the_policy(assets, client):
    response = await client.http.get(
        "/graphql", headers={**HTML, "host": "evil.example; script-src *"})
    assert response.status_code == 200
    assert csp_of(response)["connect-src"] == "'self'"
    assert csp_of(response)["script-src"] == "'self'"


async def test_graphql_requests_still_reach_graphql(assets, client):
    # Not HTML: an API client gets GraphQL (here: the 401 for a missing key), not the page.
    response = await client.http.get("/graphql", params={"query": "{ viewer { role } }"},
                                     headers={"accept": "application/json"})
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/json")


# -- assets -----------------------------------------------------------------------------


async def test_assets_are_served_gzipped_and_immutable(assets, client):
    response = await client.http.get(f"/graphiql-assets/{SCRIPT}",
                                     headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "Accept-Encoding" in response.headers["vary"]
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert int(response.headers["content-length"]) < len(SCRIPT_BODY) / 4
    assert response.content == SCRIPT_BODY  # httpx decoded the gzip


async def test_brotli_when_the_browser_accepts_it_and_plain_when_it_accepts_nothing(assets,
                                                                                     client):
    async with client.http.stream("GET", f"/graphiql-assets/{SCRIPT}",
                                  headers={"accept-encoding": "gzip, deflate, br"}) as r:
        assert r.headers["content-encoding"] == "br"
        assert b"".join([chunk async for chunk in r.aiter_raw()]) == b"pretend-brotli"
    plain = await client.http.get(f"/graphiql-assets/{SCRIPT}",
                                  headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.content == SCRIPT_BODY
    refused = await client.http.get(f"/graphiql-assets/{SCRIPT}",
                                    headers={"accept-encoding": "br;q=0, gzip;q=0"})
    assert "content-encoding" not in refused.headers


async def test_files_without_a_compressed_copy_are_served_as_they_are(assets, client):
    response = await client.http.get(f"/graphiql-assets/{FONT}",
                                     headers={"accept-encoding": "gzip, br"})
    assert response.status_code == 200
    assert "content-encoding" not in response.headers
    assert response.headers["content-type"] == "font/woff2"
    assert response.headers["cache-control"].endswith("immutable")
    assert response.headers["content-security-policy"].startswith("default-src 'none'")


@pytest.mark.parametrize("name", [
    "not-listed.js", "manifest.json", f"{SCRIPT}.gz", "..%2Fmanifest.json", ".hidden",
    "missing-000000000000.js",
])
async def test_only_files_of_the_build_are_served(assets, client, name):
    response = await client.http.get(f"/graphiql-assets/{name}")
    assert response.status_code == 404


async def test_head_requests_for_assets(assets, client):
    response = await client.http.head(f"/graphiql-assets/{STYLE}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/css; charset=utf-8"


# -- not built yet ----------------------------------------------------------------------


async def test_without_assets_the_page_says_how_to_build_them(no_assets, client):
    response = await client.http.get("/graphql", headers=HTML)
    assert response.status_code == 200
    assert "scripts/build-graphiql.sh" in response.text
    assert "<script" not in response.text
    assert csp_of(response)["default-src"] == "'none'"
    assert response.headers["x-frame-options"] == "DENY"
    assert (await client.http.get(f"/graphiql-assets/{SCRIPT}")).status_code == 404


def test_serve_logs_a_one_line_hint_when_assets_are_missing(no_assets):
    hint = graphiql.GraphiQLPage().missing_hint()
    assert hint is not None and "\n" not in hint
    assert "scripts/build-graphiql.sh" in hint


def test_no_hint_when_assets_are_built(assets):
    assert graphiql.GraphiQLPage().missing_hint() is None


# -- the real build ---------------------------------------------------------------------


@pytest.fixture
def real_build() -> dict:
    manifest = graphiql.ASSETS_DIR / "manifest.json"
    if not manifest.exists():
        reason = "GraphiQL assets are not built (run scripts/build-graphiql.sh)"
        if IN_CI:
            pytest.fail(f"{reason}; .ci/run builds them before the tests")
        pytest.skip(reason)
    return json.loads(manifest.read_text())


async def test_the_real_build_is_served_compressed_and_loads_nothing_from_a_cdn(real_build,
                                                                                 client):
    assert set(real_build["workers"]) == {"editorWorkerService", "json", "graphql"}
    for name in real_build["files"]:
        response = await client.http.get(f"/graphiql-assets/{name}",
                                         headers={"accept-encoding": "gzip"})
        assert response.status_code == 200, name
        assert response.headers["cache-control"].endswith("immutable"), name
        if name.endswith((".js", ".css")):
            assert response.headers["content-encoding"] == "gzip", name
            text = response.text
            for cdn in ("esm.sh", "unpkg.com", "jsdelivr", "cdnjs", "googleapis.com"):
                assert cdn not in text, (name, cdn)
        if name.endswith(".css"):
            assert "url(data:" not in response.text  # font-src/img-src stay 'self'
    page = (await client.http.get("/graphql", headers=HTML)).text
    assert real_build["script"] in page and real_build["style"] in page
