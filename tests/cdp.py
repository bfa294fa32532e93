"""A small Chrome DevTools Protocol driver for headless Chromium (Debian's /usr/bin/chromium).

No browser download and no extra dependency: Chromium is started as a subprocess with a
fresh profile, and spoken to over its DevTools WebSocket with the ``websockets`` package.
The network is limited to loopback: every host name resolves to nothing except 127.0.0.1,
and everything that is not loopback goes to a proxy that does not exist (so even an IP
literal cannot leave). Every request the page makes is recorded, as are console messages
and Content-Security-Policy violations.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from websockets.sync.client import ClientConnection, connect

CHROMIUM = Path(os.environ.get("PORTAL_TEST_CHROMIUM", "/usr/bin/chromium"))

# Reports violations to the page's own list before any page script runs; DevTools injects
# it, so the page's CSP does not apply to it.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push({directive: e.violatedDirective, blocked: e.blockedURI,
                               sample: e.sample, source: e.sourceFile, line: e.lineNumber});
});
"""


class CDPError(RuntimeError):
    pass


class Page:
    """One browser tab, driven through a flattened DevTools session."""

    def __init__(self, socket: ClientConnection, session_id: str | None) -> None:
        self.socket = socket
        self.session_id = session_id
        self._next_id = 1000
        self.requests: list[str] = []
        self.posts: list[tuple[str, str]] = []  # (url, body) of requests with a body
        self.console: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []

    # -- protocol -------------------------------------------------------------------------

    def _record(self, message: dict[str, Any]) -> None:
        method = message.get("method", "")
        params = message.get("params", {})
        if method == "Network.requestWillBeSent":
            self.requests.append(params["request"]["url"])
            if params["request"].get("postData"):
                self.posts.append((params["request"]["url"], params["request"]["postData"]))
        elif method == "Network.webSocketCreated":
            self.requests.append(params["url"])
        elif method == "Runtime.consoleAPICalled":
            text = " ".join(str(a.get("value", a.get("description", "")))
                            for a in params.get("args", []))
            self.console.append({"level": params.get("type"), "text": text})
        elif method == "Log.entryAdded":
            entry = params.get("entry", {})
            self.console.append({"level": entry.get("level"), "text": entry.get("text", ""),
                                 "source": entry.get("source"), "url": entry.get("url")})
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            text = details.get("exception", {}).get("description") or details.get("text")
            self.console.append({"level": "exception", "text": str(text)})
        self.events.append(message)

    def _pump(self, timeout: float) -> dict[str, Any] | None:
        try:
            raw = self.socket.recv(timeout=timeout)
        except TimeoutError:
            return None
        message = json.loads(raw)
        if "id" not in message:
            self._record(message)
        return message

    def send(self, method: str, params: dict[str, Any] | None = None,
             timeout: float = 30) -> dict[str, Any]:
        self._next_id += 1
        call_id = self._next_id
        message: dict[str, Any] = {"id": call_id, "method": method, "params": params or {}}
        if self.session_id:  # browser-level commands carry none
            message["sessionId"] = self.session_id
        self.socket.send(json.dumps(message))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = self._pump(max(0.01, deadline - time.monotonic()))
            if message is not None and message.get("id") == call_id:
                if "error" in message:
                    raise CDPError(f"{method}: {message['error']}")
                return message.get("result", {})
        raise CDPError(f"{method}: no answer within {timeout} s")

    def wait_event(self, method: str, timeout: float = 30) -> dict[str, Any]:
        seen = len(self.events)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.events[seen:]:
                if message.get("method") == method:
                    return message.get("params", {})
            seen = len(self.events)
            self._pump(0.1)
        raise CDPError(f"no {method} within {timeout} s")

    # -- page helpers ---------------------------------------------------------------------

    def evaluate(self, expression: str, timeout: float = 30) -> Any:
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True}, timeout=timeout)
        if "exceptionDetails" in result:
            raise CDPError(f"{expression[:80]}: {result['exceptionDetails']}")
        return result.get("result", {}).get("value")

    def wait_for(self, expression: str, timeout: float = 30, what: str | None = None) -> Any:
        """Poll a JavaScript expression until it is truthy; returns its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise CDPError(f"timed out after {timeout} s waiting for {what or expression}")
            self._pump(0.2)

    def navigate(self, url: str, timeout: float = 60) -> None:
        self.send("Page.navigate", {"url": url})
        self.wait_event("Page.loadEventFired", timeout)

    def click(self, selector: str) -> None:
        """A real mouse click in the middle of the element."""
        box = self.wait_for(
            f"""(() => {{ const el = document.querySelector({json.dumps(selector)});
                 if (!el) return null; el.scrollIntoView({{block: 'center'}});
                 const r = el.getBoundingClientRect();
                 return r.width && r.height ? {{x: r.x + r.width / 2, y: r.y + r.height / 2}}
                                            : null; }})()""", what=selector)
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", {"type": kind, "x": box["x"], "y": box["y"],
                                                   "button": "left", "clickCount": 1})

    def type_into(self, selector: str, text: str) -> None:
        self.click(selector)
        self.send("Input.insertText", {"text": text})

    def screenshot(self, path: Path) -> Path:
        data = self.send("Page.captureScreenshot", {"format": "png"})["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def csp_violations(self) -> list[Any]:
        found = list(self.evaluate("window.__cspViolations || []") or [])
        found += [c for c in self.console
                  if "Content Security Policy" in (c.get("text") or "")]
        return found


def loopback_only(url: str, base: str) -> bool:
    """A URL the page may load: this server, over HTTP or WebSocket, or nothing at all."""
    if url.startswith(("about:", "data:", "blob:")):
        return url in ("about:blank",)
    ws = base.replace("http://", "ws://", 1)
    return url == base or url.startswith((base + "/", ws + "/"))


@contextmanager
def chromium(profile: Path, *, width: int = 1440, height: int = 900,
             log_path: Path | None = None) -> Iterator[Page]:
    """Headless Chromium with a fresh profile and only loopback reachable; one open tab."""
    profile.mkdir(parents=True, exist_ok=True)
    args = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--no-default-browser-check", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-extensions",
        "--disable-default-apps", "--disable-domain-reliability", "--mute-audio",
        "--metrics-recording-only", "--password-store=basic", "--use-mock-keychain",
        "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication",
        f"--user-data-dir={profile}",
        # Only loopback: names resolve to nothing but 127.0.0.1, and anything that is not
        # loopback (an IP literal too) is sent to a proxy that does not exist.
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
        "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>;127.0.0.1",
        f"--window-size={width},{height}",
        "--remote-debugging-port=0", "about:blank",
    ]
    log = open(log_path, "wb") if log_path else subprocess.DEVNULL  # noqa: SIM115
    process = subprocess.Popen(args, stdout=log, stderr=log, start_new_session=True)
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and len(port_file.read_text().splitlines()) >= 2):
            if process.poll() is not None:
                raise CDPError(f"chromium exited with {process.returncode}")
            if time.monotonic() > deadline:
                raise CDPError("chromium did not open its DevTools port within 30 s")
            time.sleep(0.1)
        port, path = port_file.read_text().splitlines()[:2]
        with connect(f"ws://127.0.0.1:{port}{path}", max_size=None, open_timeout=10,
                     close_timeout=2) as socket:
            browser = Page(socket, None)
            target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
            session = browser.send("Target.attachToTarget", {"targetId": target,
                                                             "flatten": True})["sessionId"]
            page = Page(socket, session)
            for domain in ("Page", "Runtime", "Log", "Network"):
                page.send(f"{domain}.enable")
            page.send("Emulation.setDeviceMetricsOverride",
                      {"width": width, "height": height, "deviceScaleFactor": 1,
                       "mobile": False})
            page.send("Page.addScriptToEvaluateOnNewDocument", {"source": CSP_LISTENER})
            yield page
    finally:
        # Chromium was started in its own session: stop its whole process group by its id.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if log_path:
            log.close()  # type: ignore[union-attr]
