#!/usr/bin/env bash
# Failover lab, `pg_ctl promote` variant (issue 25): a primary and a streaming standby (synchronous unless
# FAILOVER_LAB_SYNC=0) on loopback ports 55432/55433, data under a fresh /tmp directory, never touching the
# PostgreSQL on 5432. Runs scripts/failover-lab.ts against them (two Purse instances under debit load, the
# primary SIGKILLed mid-load, the standby promoted), then stops both clusters and removes the directory.
set -euo pipefail
cd "$(dirname "$0")/.."
PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)}"
PRIMARY_PORT="${FAILOVER_LAB_PRIMARY_PORT:-55432}"
STANDBY_PORT="${FAILOVER_LAB_STANDBY_PORT:-55433}"
SYNC="${FAILOVER_LAB_SYNC:-1}"
LAB="$(mktemp -d /tmp/purse-failover-lab.XXXXXX)"
chmod 755 "$LAB"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "$(id -u)" = 0 ]; then chown postgres "$LAB"; fi

cleanup() {
  for node in primary standby; do
    [ -f "$LAB/$node/postmaster.pid" ] && as_pg "$PG_BIN/pg_ctl" -D "$LAB/$node" -m immediate stop >/dev/null 2>&1 || true
  done
  rm -rf "$LAB"
}
trap cleanup EXIT

as_pg "$PG_BIN/initdb" -D "$LAB/primary" -U postgres --auth=trust >/dev/null
cat >>"$LAB/primary/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PRIMARY_PORT
unix_socket_directories = '$LAB'
wal_level = replica
max_wal_senders = 5
hot_standby = on
fsync = on
CONF
[ "$SYNC" = 1 ] && echo "synchronous_standby_names = 'standby'" >>"$LAB/primary/postgresql.conf"
echo "host replication postgres 127.0.0.1/32 trust" >>"$LAB/primary/pg_hba.conf"
as_pg "$PG_BIN/pg_ctl" -D "$LAB/primary" -l "$LAB/primary.log" -w start >/dev/null
as_pg "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$LAB/standby" -R -X stream >/dev/null
# The promoted standby has no standby of its own: it must not wait for one on every COMMIT (Patroni does this itself).
sed -i -e "s/^port = .*/port = $STANDBY_PORT/" -e "/^synchronous_standby_names/d" "$LAB/standby/postgresql.conf"
echo "primary_conninfo = 'host=127.0.0.1 port=$PRIMARY_PORT user=postgres application_name=standby'" >>"$LAB/standby/postgresql.auto.conf"
as_pg "$PG_BIN/pg_ctl" -D "$LAB/standby" -l "$LAB/standby.log" -w start >/dev/null
psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -qc "create database purse" >/dev/null

export DATABASE_URL="postgres://postgres@127.0.0.1:$PRIMARY_PORT,127.0.0.1:$STANDBY_PORT/purse?target_session_attrs=read-write"
export FAILOVER_LAB_PRIMARY_PID="$(head -1 "$LAB/primary/postmaster.pid")"
export FAILOVER_LAB_PROMOTE="runuser -u postgres -- $PG_BIN/pg_ctl -D $LAB/standby -w promote"
[ "$(id -u)" = 0 ] || FAILOVER_LAB_PROMOTE="$PG_BIN/pg_ctl -D $LAB/standby -w promote"
export FAILOVER_LAB_PROMOTED_URL="postgres://postgres@127.0.0.1:$STANDBY_PORT/purse"
export FAILOVER_LAB_SYNC="$SYNC"
echo "[lab] clusters up: primary $PRIMARY_PORT, standby $STANDBY_PORT (sync=$SYNC)" >&2
node --import tsx scripts/failover-lab.ts || { rc=$?; echo "failover-lab.ts exited $rc" >&2; tail -n 5 "$LAB/primary.log" "$LAB/standby.log" >&2; exit $rc; }
