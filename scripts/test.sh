#!/usr/bin/env bash
# Install everything the tests need and run the suite on SQLite, then on PostgreSQL.
#   scripts/test.sh [pytest args…]
# PostgreSQL: PORTAL_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test).
# Without a reachable server the PostgreSQL pass is skipped, except under CI=true, where it
# fails (and this script first tries to start the machine's cluster).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${PORTAL_VENV:-.venv}
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >/dev/null
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e ".[dev]"

# Node tooling of the frontend contract (graphql-http audit, TypeScript codegen). Without
# npm the tests that need it skip, except under CI=true where they fail.
if command -v npm >/dev/null; then
  (cd frontend-contract && { [ -d node_modules/graphql-http ] && [ node_modules -nt package-lock.json ]; } \
    || npm ci --no-audit --no-fund --loglevel=error)
fi

# GraphiQL's assets, for the browser test (which skips without them, or fails under CI).
if ! bash scripts/build-graphiql.sh; then
  if [ "${CI:-}" = "true" ]; then
    echo "GraphiQL assets are required under CI=true but did not build" >&2
    exit 1
  fi
  echo "== GraphiQL assets not built (needs Node 20 + npm): the browser test will skip"
fi

pg_up() { "$VENV/bin/python" -c "from tests import pg; raise SystemExit(0 if pg.reachable() else 1)"; }

if ! pg_up && [ "${CI:-}" = "true" ] && command -v pg_ctlcluster >/dev/null; then
  echo "== PostgreSQL is down; starting the local cluster"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
fi

run_pass() {
  local backend=$1; shift
  echo "== pytest on $backend"
  set +e
  PORTAL_TEST_BACKEND=$backend "$VENV/bin/python" -m pytest -p no:cacheprovider "$@"
  local rc=$?
  set -e
  if [ $rc -eq 5 ]; then echo "no tests were collected on $backend"; return 1; fi
  return $rc
}

run_pass sqlite "$@"
if pg_up; then
  run_pass postgres "$@"
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL is required under CI=true but is not reachable" >&2
  exit 1
else
  echo "== PostgreSQL not reachable: skipped the PostgreSQL pass (CI runs it)"
fi
