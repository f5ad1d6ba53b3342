#!/bin/sh
# Installs what a fresh machine (Node 20.19+ and npm only) lacks, then builds the workspace.
# `npm test` and `npm run demo` both start here, so each works from a fresh clone.
# With the argument `test` it also makes sure Chromium is there for the browser tests.
set -e
cd "$(dirname "$0")/.."
PNPM_VERSION=10.34.9
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  echo "tollgate: installing pnpm $PNPM_VERSION with npm"
  npm install --global --silent "pnpm@$PNPM_VERSION" >/dev/null
fi
if [ "$1" = "test" ] && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "tollgate: installing Debian's chromium for the browser tests"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null
  else
    echo "tollgate: /usr/bin/chromium is missing: install Debian's chromium package, or the browser tests will fail" >&2
  fi
fi
pnpm install --frozen-lockfile --reporter=silent
pnpm run --silent build
