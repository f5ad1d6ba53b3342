#!/bin/sh
# Installs what a fresh machine (Node 20.19+ and npm only) lacks, then builds the workspace.
# Used by `npm test` and `npm run demo`, so both commands work from a fresh clone.
set -e
cd "$(dirname "$0")/.."
PNPM_VERSION=10.34.9
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  echo "tollgate: installing pnpm $PNPM_VERSION with npm"
  npm install --global --silent "pnpm@$PNPM_VERSION" >/dev/null
fi
pnpm install --frozen-lockfile --reporter=silent
pnpm run --silent build
