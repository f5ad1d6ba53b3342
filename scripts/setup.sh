#!/bin/sh
# Installs what a fresh machine (Node 20.19+ and npm only) lacks, then builds the workspace.
# `npm test` and `npm run demo` both start here, so each works from a fresh clone.
# With the argument `test` it also makes sure the system packages the tests run are there:
# Chromium for the browser tests, redis-server for the Redis store and the multi-process tests.
set -e
cd "$(dirname "$0")/.."
PNPM_VERSION=10.34.9
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  echo "tollgate: installing pnpm $PNPM_VERSION with npm"
  npm install --global --silent "pnpm@$PNPM_VERSION" >/dev/null
fi
if [ "$1" = "test" ]; then
  missing=""
  [ -x /usr/bin/chromium ] || missing="chromium"
  command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || [ -x /usr/sbin/redis-server ] || missing="$missing redis-server"
  missing=${missing# }
  if [ -n "$missing" ]; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
      # One `apt-get update` for all of them. The tests start their own redis-server on a free
      # loopback port; Debian's service, if the package starts one, is not used.
      echo "tollgate: installing Debian's $missing for the tests"
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing) >/dev/null
    else
      for package in $missing; do
        case $package in
          chromium) echo "tollgate: /usr/bin/chromium is missing: install Debian's chromium package, or the browser tests will fail" >&2 ;;
          redis-server) echo "tollgate: redis-server is missing: install Debian's redis-server package, or the Redis tests will fail" >&2 ;;
        esac
      done
    fi
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
