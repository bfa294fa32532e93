#!/usr/bin/env bash
# Install the portal and serve it with demo data: prints the demo API keys and the GraphiQL URL.
#   scripts/demo.sh [--port 8000] [--workers 3000]
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${PORTAL_VENV:-.venv}
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >/dev/null
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e .
exec "$VENV/bin/portal" serve --demo "$@"
