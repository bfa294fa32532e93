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
# GraphiQL's own assets (no CDN). Without Node the API still works and /graphql says how
# to build them.
bash scripts/build-graphiql.sh \
  || echo "!! GraphiQL assets not built (needs Node 20 + npm): run scripts/build-graphiql.sh" >&2
exec "$VENV/bin/portal" serve --demo "$@"
