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
# Quiet when all is well, the whole log when not.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
run() {
  if ! "$@" >"$log" 2>&1; then
    cat "$log" >&2
    echo "tollgate: '$*' failed" >&2
    exit 1
  fi
}
echo "tollgate: installing the workspace"
run pnpm install --frozen-lockfile
echo "tollgate: building the packages"
run pnpm run build
