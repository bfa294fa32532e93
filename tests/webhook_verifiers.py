"""The copy-paste verifiers of frontend-contract/webhooks, loaded as integrators use them."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType

import pytest

CONTRACT = Path(__file__).resolve().parent.parent / "frontend-contract" / "webhooks"
IN_CI = os.environ.get("CI", "").lower() == "true"


def load_python_verifier() -> ModuleType:
    spec = importlib.util.spec_from_file_location("portal_webhook_verify",
                                                  CONTRACT / "verify.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def node() -> str:
    """The node binary; skips the test when it is missing, except under CI=true."""
    found = shutil.which("node")
    if found is None:
        if IN_CI:
            pytest.fail("node is required under CI=true for the JavaScript verifier test")
        pytest.skip("node is not installed: the JavaScript verifier test needs it")
    return found


_SCRIPT = """
const { verifyWebhook } = require(process.argv[1]);
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
try {
  const event = verifyWebhook(Buffer.from(input.body, "base64"), input.headers, input.secret,
                              input.options || {});
  process.stdout.write(JSON.stringify({ ok: true, id: event.id }));
} catch (err) {
  process.stdout.write(JSON.stringify({ ok: false, error: err.message }));
}
"""


def run_js_verifier(body: bytes, headers: Mapping[str, str], secret: str | list[str],
                    options: Mapping[str, object] | None = None) -> dict[str, object]:
    import base64

    payload = json.dumps({"body": base64.b64encode(body).decode(), "headers": dict(headers),
                          "secret": secret, "options": dict(options or {})})
    done = subprocess.run([node(), "-e", _SCRIPT, str(CONTRACT / "verify.js")], input=payload,
                          capture_output=True, text=True, timeout=30, check=True)
    return json.loads(done.stdout)
