#!/usr/bin/env bash
# Build GraphiQL's assets (scripts, styles, fonts, Monaco workers) into portal/static/graphiql/
# from the npm packages pinned in portal/graphiql_src/package-lock.json, so the portal serves
# GraphiQL with no CDN. Needs Node 20 and npm (the npm registry). Idempotent: does nothing
# when the bundle is newer than the lockfile and the build sources.
#   scripts/build-graphiql.sh [--force]
set -euo pipefail
cd "$(dirname "$0")/.."

SRC=portal/graphiql_src
OUT=portal/static/graphiql
MANIFEST=$OUT/manifest.json

if [ "${1:-}" != "--force" ] && [ -f "$MANIFEST" ] \
   && [ -z "$(find "$SRC/package.json" "$SRC/package-lock.json" "$SRC/build.mjs" "$SRC/src" \
                 -newer "$MANIFEST" -print -quit)" ]; then
  echo "GraphiQL assets are up to date ($OUT)"
  exit 0
fi

if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
  echo "GraphiQL assets need Node 20+ and npm to build; install them and run $0" >&2
  exit 1
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
  echo "GraphiQL assets need Node 20 or newer (found $(node --version))" >&2
  exit 1
fi

cd "$SRC"
# node_modules is reinstalled only when the lockfile changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "== npm ci (GraphiQL packages pinned by $SRC/package-lock.json)"
  npm ci --no-audit --no-fund --loglevel=error
fi
echo "== bundling GraphiQL"
node build.mjs
