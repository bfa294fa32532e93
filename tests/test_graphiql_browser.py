"""GraphiQL in real headless Chromium against a real `portal serve`, with no internet.

Chromium (Debian's /usr/bin/chromium) gets a fresh profile and can reach nothing but
127.0.0.1 (tests/cdp.py). A staff member signs in through the page's form, runs the
WorkersList tab and sees her partner's workers; a subscription tab then receives a new
registration over graphql-transport-ws with the session cookie. The test asserts every
request stayed on 127.0.0.1 and the page hit no Content-Security-Policy violation, and
saves a screenshot (the test's tmp dir, and the latest also as bench/out/graphiql.png).

Runs once, in the SQLite pass. Without Chromium or the built assets it skips, saying so;
under CI=true it fails instead (.ci/run installs Chromium and builds the assets).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import time
from pathlib import Path

import httpx
import pytest

from models import accounts
from models.enums import Role
from portal import graphiql
from tests import factories as f
from tests.cdp import CHROMIUM, Page, chromium, loopback_only
from tests.conftest import BACKEND, IN_CI
from tests.server import ROOT, running_server

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(BACKEND == "postgres",
                       reason="browser test runs once, in the SQLite pass"),
]

EMAIL = "dewi@kbri-hk.example"
PASSWORD = "correct horse battery staple"
REGISTER = """mutation($input: RegisterWorkerInput!) { registerWorker(input: $input) {
  __typename ... on RegisterWorkerSuccess { worker { id } } } }"""
EVENTS = "query { events(first: 100) { edges { cursor } } }"


def require(condition: bool, reason: str) -> None:
    if not condition:
        if IN_CI:
            pytest.fail(f"{reason} (required under CI=true; .ci/run provides it)")
        pytest.skip(reason)


def response_text(page: Page, needle: str, timeout: float = 30) -> str:
    """The result pane's text once it shows ``needle`` (Monaco renders spaces as nbsp)."""
    return page.wait_for(
        f"""(() => {{ const pane = document.querySelector('.graphiql-response');
             const text = (pane ? pane.innerText : '').replace(/\\u00a0/g, ' ');
             return text.includes({json.dumps(needle)}) ? text : null; }})()""",
        timeout=timeout, what=f"{needle!r} in the result pane")


def click_tab(page: Page, title: str) -> None:
    page.wait_for(f"""(() => {{ const tab = [...document.querySelectorAll('.graphiql-tab')]
        .find(t => t.innerText.trim().startsWith({json.dumps(title)}));
        if (!tab) return false;
        tab.querySelector('button').setAttribute('data-test-tab', {json.dumps(title)});
        return true; }})()""", what=f"the {title} tab")
    page.click(f'[data-test-tab="{title}"]')
    # The editor follows the tab a moment later; run nothing before it has.
    page.wait_for(f"""(() => {{ const editor = document.querySelector('.graphiql-query-editor');
        return !!editor && editor.innerText.replace(/\\u00a0/g, ' ')
            .includes({json.dumps(title)}); }})()""", what=f"the {title} operation in the editor")


def replace_operation(page: Page, text: str) -> None:
    """Type into the operation editor as a person would: select all, then type."""
    page.click(".graphiql-query-editor .view-lines")
    for kind in ("keyDown", "keyUp"):
        page.send("Input.dispatchKeyEvent", {
            "type": kind, "key": "a", "code": "KeyA", "modifiers": 2,
            "windowsVirtualKeyCode": 65, "commands": ["selectAll"] if kind == "keyDown" else []})
    page.send("Input.insertText", {"text": text})
    first_line = text.splitlines()[0][:40]
    page.wait_for(f"""(() => {{ const editor = document.querySelector('.graphiql-query-editor');
        return !!editor && editor.innerText.replace(/\\u00a0/g, ' ')
            .includes({json.dumps(first_line)}); }})()""", what="the typed operation")


def api(base: str, secret: str, query: str, variables: dict | None = None) -> dict:
    response = httpx.post(f"{base}/graphql", json={"query": query, "variables": variables or {}},
                          headers={"authorization": f"Bearer {secret}"}, timeout=20)
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def drive(database_url: str, invitation: str, secret: str, tmp_path: Path) -> None:
    with running_server(database_url, log_path=tmp_path / "serve.log") as base:
        accepted = httpx.post(f"{base}/auth/accept-invitation", timeout=20,
                              json={"token": invitation, "password": PASSWORD})
        assert accepted.status_code == 200, accepted.text
        for name in ("Siti Rahmawati", "Ayu Lestari"):  # Ayu is the latest: listed first
            api(base, secret, REGISTER, {"input": f.worker_input(fullName=name)})

        with chromium(tmp_path / "chromium-profile",
                      log_path=tmp_path / "chromium.log") as page:
            try:
                sign_in_and_list_workers(page, base)
                shot = page.screenshot(tmp_path / "graphiql.png")
                out = ROOT / "bench" / "out"
                out.mkdir(parents=True, exist_ok=True)
                shutil.copy(shot, out / "graphiql.png")
                subscribe(page, base, secret)
                page.screenshot(tmp_path / "graphiql-subscription.png")
                sign_out(page)
            except Exception:
                page.screenshot(tmp_path / "graphiql-failure.png")
                for url, body in page.posts:
                    print("POST", url, body[:2000])
                raise
            check_nothing_left_loopback(page, base)


def sign_in_and_list_workers(page: Page, base: str) -> None:
    page.navigate(f"{base}/graphql")
    # Signed out: the page offers the sign-in form.
    page.wait_for("!!document.querySelector('#portal-email')", timeout=60, what="sign-in form")
    page.type_into("#portal-email", EMAIL)
    page.type_into("#portal-password", PASSWORD)
    page.click("#portal-sign-in")
    signed_in = page.wait_for("document.querySelector('#portal-signed-in')?.innerText",
                              timeout=30, what="the signed-in account")
    assert EMAIL in signed_in and "PARTNER_OFFICER" in signed_in

    # The WorkersList example operation is a tab; run it with the session cookie.
    click_tab(page, "WorkersList")
    page.click(".graphiql-execute-button")
    result = response_text(page, "Ayu Lestari")
    assert '"totalCount": 2' in result
    assert "Siti Rahmawati" in result
    time.sleep(0.5)  # let Monaco finish painting before the screenshot


def subscribe(page: Page, base: str, secret: str) -> None:
    """A subscription over graphql-transport-ws on the same URL, authenticated by the
    session cookie. It resumes after the last event, so it cannot miss the registration."""
    last = api(base, secret, EVENTS)["events"]["edges"][-1]["cursor"]
    page.click(".graphiql-tab-add")
    replace_operation(page, f'subscription Live {{ workerEvents(after: "{last}") '
                            "{ type worker { fullName } } }")
    page.click(".graphiql-execute-button")
    api(base, secret, REGISTER, {"input": f.worker_input(fullName="Ratna Sari")})
    live = response_text(page, "Ratna Sari")
    assert '"REGISTERED"' in live
    page.click(".graphiql-execute-button")  # stop it


def sign_out(page: Page) -> None:
    page.click("#portal-sign-out")
    page.wait_for("!!document.querySelector('#portal-email')", what="the sign-in form again")


def check_nothing_left_loopback(page: Page, base: str) -> None:
    assert page.requests, "the browser made no requests at all"
    outside = [url for url in page.requests if not loopback_only(url, base)]
    assert outside == [], f"requests that left {base}: {outside}"
    assert any("/graphiql-assets/" in u and ".worker-" in u for u in page.requests), \
        "Monaco's workers were not loaded from the portal"
    assert any(u.startswith(base.replace("http://", "ws://")) for u in page.requests), \
        "the subscription did not use a WebSocket to the portal"
    assert page.csp_violations() == []
    errors = [c for c in page.console if c.get("level") == "exception"]
    assert errors == [], errors


async def test_staff_sign_in_and_run_workers_in_graphiql_with_no_internet(db, tmp_path):
    require(CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK),
            f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    require((graphiql.ASSETS_DIR / "manifest.json").is_file(),
            "GraphiQL assets are not built (scripts/build-graphiql.sh needs Node 20 + npm)")
    partner = await f.partner()
    secret = await f.key(partner, Role.PARTNER_OFFICER)
    invitation = await accounts.invite(None, partner, EMAIL, "Dewi", Role.PARTNER_OFFICER)
    await asyncio.to_thread(drive, db.database_url, invitation.token, secret, tmp_path)
