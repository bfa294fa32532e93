"""GraphiQL served by the portal itself: the page at ``GET /graphql`` and its assets.

Embassy networks often block public CDNs, so every script, style, font and editor worker
comes from this app. The assets are third-party code and are not committed: they are built
from the npm packages pinned in ``portal/graphiql_src/package-lock.json`` by
``scripts/build-graphiql.sh`` into ``portal/static/graphiql/`` (git-ignored). Until they are
built the page says how to build them.

Assets have content-hashed names and are served precompressed (brotli or gzip, as the
client accepts) with ``Cache-Control: public, max-age=31536000, immutable``; the page
itself is ``no-cache`` and carries a strict Content-Security-Policy (see ``page_csp``).

The example operations in ``frontend-contract/operations/*.graphql`` are read once, when the
app is created, and open as GraphiQL's first tabs.
"""

from __future__ import annotations

import html
import json
import logging
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

log = logging.getLogger("portal.graphiql")

PACKAGE_DIR = Path(__file__).resolve().parent
ASSETS_DIR = PACKAGE_DIR / "static" / "graphiql"
OPERATIONS_DIR = PACKAGE_DIR.parent / "frontend-contract" / "operations"
ASSETS_PATH = "/graphiql-assets"
BUILD_COMMAND = "scripts/build-graphiql.sh"
MAX_OPERATION_BYTES = 64 * 1024

IMMUTABLE = "public, max-age=31536000, immutable"
MEDIA_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".gif": "image/gif",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".txt": "text/plain; charset=utf-8",
}
# Only plain file names (no directories, no dot files) are ever looked up.
ASSET_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$")
# A Host header we are willing to repeat in the CSP (for the same-origin WebSocket URL).
SAFE_HOST = re.compile(
    r"^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?$")

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def page_csp(nonce: str, host: str | None) -> str:
    """The page's Content-Security-Policy.

    - ``script-src 'self'``: the bundle and its bootstrap are files from this origin; no
      inline script, no eval, no WebAssembly.
    - ``style-src-elem 'self' 'nonce-…'``: the stylesheet is a file from this origin, and
      the ``<style>`` elements that Monaco (editor themes, decorations), Radix and
      react-aria create at run time carry the per-request nonce (``csp-nonce.js`` in the
      bundle gives it to them). Markup injected by anyone else cannot add a stylesheet.
    - ``style-src-attr 'unsafe-inline'``: Monaco renders editor lines as HTML strings whose
      elements carry ``style="top:…px"`` attributes, and positions its widgets with them;
      without inline style attributes the editors do not lay out (Chromium reports some 700
      violations on one page load). Style attributes cannot
      load anything (``img-src``/``font-src`` stay ``'self'``) nor select elements, so this
      is far narrower than ``'unsafe-inline'`` for stylesheets. ``style-src`` repeats the
      element rule for browsers that predate the split directives.
    - ``worker-src 'self'``: Monaco's three workers are files from this origin (no ``blob:``).
    - ``connect-src``: GraphQL over HTTP and graphql-transport-ws on this origin only;
      ``ws:``/``wss:`` to this host are spelled out because older browsers do not let
      ``'self'`` cover WebSocket URLs (both, since behind a TLS-terminating proxy the app
      may not know which one the browser uses).
    """
    connect = ["'self'"]
    if host and SAFE_HOST.match(host):
        connect += [f"ws://{host}", f"wss://{host}"]
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        f"style-src 'self' 'nonce-{nonce}'",
        f"style-src-elem 'self' 'nonce-{nonce}'",
        "style-src-attr 'unsafe-inline'",
        "img-src 'self'",
        "font-src 'self'",
        f"connect-src {' '.join(connect)}",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


MISSING_CSP = ("default-src 'none'; base-uri 'none'; form-action 'none'; "
               "frame-ancestors 'none'")


def _json_for_html(value: Any) -> str:
    """JSON that can sit inside a <script type="application/json"> element."""
    return (json.dumps(value, ensure_ascii=False)
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def load_operations(directory: Path = OPERATIONS_DIR) -> list[dict[str, str]]:
    """The example operations, one ``.graphql`` file each, sorted by file name; none if the
    directory does not exist."""
    if not directory.is_dir():
        return []
    operations = []
    for path in sorted(directory.glob("*.graphql")):
        try:
            if path.stat().st_size > MAX_OPERATION_BYTES:
                log.warning("GraphiQL: skipped %s (larger than %d bytes)", path.name,
                            MAX_OPERATION_BYTES)
                continue
            operations.append({"name": path.stem, "query": path.read_text("utf-8")})
        except (OSError, UnicodeDecodeError) as exc:
            log.warning("GraphiQL: skipped %s (%s)", path.name, exc)
    return operations


def _accepted_encodings(header: str) -> set[str]:
    accepted = set()
    for part in header.lower().split(","):
        name, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if name and q > 0:
            accepted.add(name.strip())
    return accepted


@dataclass
class GraphiQLPage:
    """The GraphiQL page and its asset route, for one app."""

    assets_dir: Path = field(default_factory=lambda: ASSETS_DIR)
    operations_dir: Path = field(default_factory=lambda: OPERATIONS_DIR)
    graphql_path: str = "/graphql"
    operations: list[dict[str, str]] = field(default_factory=list)
    _manifest: tuple[int, dict[str, Any]] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.operations = load_operations(self.operations_dir)

    # -- assets -----------------------------------------------------------------------

    def manifest(self) -> dict[str, Any] | None:
        """The build's manifest, re-read when a new build replaces it; None when unbuilt."""
        path = self.assets_dir / "manifest.json"
        try:
            stamp = path.stat().st_mtime_ns
        except OSError:
            return None
        if self._manifest is None or self._manifest[0] != stamp:
            try:
                data = json.loads(path.read_text("utf-8"))
                if not (isinstance(data, dict) and isinstance(data.get("script"), str)
                        and isinstance(data.get("style"), str)
                        and isinstance(data.get("files"), list)):
                    raise ValueError("not a GraphiQL asset manifest")
            except (OSError, ValueError) as exc:
                log.warning("GraphiQL: unreadable %s (%s)", path, exc)
                return None
            self._manifest = (stamp, data)
        return self._manifest[1]

    def missing_hint(self) -> str | None:
        """One line for the server log when the assets are not built, else None."""
        if self.manifest() is not None:
            return None
        return (f"GraphiQL assets are not built: run {BUILD_COMMAND} (Node 20 + npm), "
                "then reload /graphql in the browser.")

    async def asset(self, request: Request) -> Response:
        name = request.path_params["name"]
        manifest = self.manifest()
        if (manifest is None or not ASSET_NAME.match(name)
                or name not in set(manifest["files"])):
            return PlainTextResponse("Not found", status_code=404,
                                     headers={"X-Content-Type-Options": "nosniff"})
        path = self.assets_dir / name
        suffix = path.suffix.lower()
        headers = {
            "Cache-Control": IMMUTABLE,
            "Vary": "Accept-Encoding",
            "X-Content-Type-Options": "nosniff",
            "Cross-Origin-Resource-Policy": "same-origin",
        }
        if suffix != ".js":
            # Nothing but scripts needs to run anything (an SVG opened directly cannot).
            # Scripts get none: a worker script's CSP would apply inside the worker.
            headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
        accepted = _accepted_encodings(request.headers.get("accept-encoding", ""))
        for encoding, ext in (("br", ".br"), ("gzip", ".gz")):
            compressed = path.with_name(name + ext)
            if encoding in accepted and compressed.is_file():
                headers["Content-Encoding"] = encoding
                path = compressed
                break
        if not path.is_file():
            return PlainTextResponse("Not found", status_code=404)
        return FileResponse(path, media_type=MEDIA_TYPES.get(suffix, "application/octet-stream"),
                            headers=headers)

    def routes(self) -> list[Route]:
        return [Route(f"{ASSETS_PATH}/{{name}}", self.asset, methods=["GET", "HEAD"])]

    # -- the page -----------------------------------------------------------------------

    def response(self, request: Request) -> Response:
        manifest = self.manifest()
        if manifest is None:
            return self._missing_response()
        nonce = secrets.token_urlsafe(18)
        root = request.scope.get("root_path", "").rstrip("/")
        assets = f"{root}{ASSETS_PATH}"
        config = {"graphqlPath": f"{root}{self.graphql_path}", "operations": self.operations}
        page = PAGE.format(
            nonce=html.escape(nonce),
            style=html.escape(f"{assets}/{manifest['style']}"),
            script=html.escape(f"{assets}/{manifest['script']}"),
            icon=html.escape(f"{assets}/{manifest['icon']}") if manifest.get("icon") else "",
            config=_json_for_html(config),
        )
        headers = {
            **SECURITY_HEADERS,
            "Cache-Control": "no-cache",
            "Content-Security-Policy": page_csp(nonce, request.headers.get("host")),
        }
        return HTMLResponse(page, headers=headers)

    def _missing_response(self) -> Response:
        headers = {**SECURITY_HEADERS, "Cache-Control": "no-cache",
                   "Content-Security-Policy": MISSING_CSP}
        return HTMLResponse(MISSING_PAGE.format(command=html.escape(BUILD_COMMAND),
                                                assets=html.escape(_display(self.assets_dir))),
                            headers=headers)


def _display(path: Path) -> str:
    try:
        return os.path.relpath(path, PACKAGE_DIR.parent)
    except ValueError:
        return str(path)


PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta property="csp-nonce" nonce="{nonce}">
<title>Partner Portal · GraphiQL</title>
<link rel="icon" type="image/svg+xml" href="{icon}">
<link rel="stylesheet" href="{style}">
<script type="application/json" id="portal-graphiql-config">{config}</script>
<script src="{script}" defer></script>
</head>
<body>
<div id="portal-graphiql"><noscript>GraphiQL needs JavaScript. GraphQL requests can still
be sent to this URL with an API key.</noscript></div>
</body>
</html>
"""

MISSING_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Partner Portal · GraphiQL is not built</title>
</head>
<body>
<h1>GraphiQL is not built yet</h1>
<p>This server serves GraphiQL from its own files (no CDN), and they have not been built.
From the project directory, run:</p>
<pre><code>{command}</code></pre>
<p>It needs Node 20 and npm, installs the pinned packages from the npm registry
(<code>npm ci</code>) and writes the bundle to <code>{assets}/</code>. Then reload this
page.</p>
<p>Meanwhile this URL still answers GraphQL requests sent with
<code>Authorization: Bearer &lt;API key&gt;</code>.</p>
</body>
</html>
"""
