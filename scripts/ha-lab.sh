#!/usr/bin/env bash
# Patroni + etcd lab (issue 25): one etcd (v2 API, as Debian's python-etcd speaks it) and two Patroni-managed
# PostgreSQL nodes with synchronous_mode on loopback ports (etcd 52379/52380, PostgreSQL 55472/55473, Patroni
# REST 58008/58009), data under a fresh /tmp folder, torn down on exit. Waits for a leader and a streaming
# synchronous replica, writes a row, SIGKILLs the leader's Patroni and PostgreSQL, waits for Patroni to promote
# the replica, and checks the row is there and the new leader takes writes. Prints the time to the new leader.
# HA_LAB_KEEP=1: leave it running (prints the multi-host DATABASE_URL) until Ctrl-C.
set -euo pipefail
PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)}"
LAB="$(mktemp -d /tmp/purse-ha-lab.XXXXXX)"
chmod 755 "$LAB"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$LAB"
PIDS=()
# as_pg runs each server under runuser: the server is runuser's child, and that child is what gets signalled.
child_of() { pgrep -P "$1" | head -1 || true; }
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$(child_of "$pid")" "$pid" 2>/dev/null || true; done
  sleep 3
  for node in 1 2; do [ -f "$LAB/pg$node/postmaster.pid" ] && as_pg "$PG_BIN/pg_ctl" -D "$LAB/pg$node" -m immediate stop >/dev/null 2>&1 || true; done
  for pid in "${PIDS[@]}"; do kill -9 "$(child_of "$pid")" "$pid" 2>/dev/null || true; done
  rm -rf "$LAB"
}
trap cleanup EXIT
log() { printf '[ha-lab] %s\n' "$*" >&2; }
ms() { date +%s%3N; }

if [ "$(id -u)" = 0 ]; then ETCD=(runuser -u postgres -- etcd); else ETCD=(etcd); fi
"${ETCD[@]}" --name lab --data-dir "$LAB/etcd" --enable-v2=true \
  --listen-client-urls http://127.0.0.1:52379 --advertise-client-urls http://127.0.0.1:52379 \
  --listen-peer-urls http://127.0.0.1:52380 --initial-advertise-peer-urls http://127.0.0.1:52380 \
  --initial-cluster lab=http://127.0.0.1:52380 >"$LAB/etcd.log" 2>&1 &
PIDS+=($!)

node_conf() { # node_conf <n> <pg port> <rest port>
  cat <<YAML
scope: purse-lab
name: node$1
restapi: {listen: 127.0.0.1:$3, connect_address: 127.0.0.1:$3}
etcd: {host: 127.0.0.1:52379}
bootstrap:
  dcs:
    ttl: 10
    loop_wait: 1
    retry_timeout: 5
    synchronous_mode: true
    postgresql:
      use_pg_rewind: false
      parameters: {wal_level: replica, hot_standby: 'on', max_wal_senders: 5, max_replication_slots: 5, fsync: 'on'}
  initdb: [{auth: trust}, {username: postgres}]
  pg_hba: ['host all all 127.0.0.1/32 trust', 'host replication all 127.0.0.1/32 trust', 'local all all trust']
postgresql:
  listen: 127.0.0.1:$2
  connect_address: 127.0.0.1:$2
  data_dir: $LAB/pg$1
  bin_dir: $PG_BIN
  pgpass: $LAB/pgpass$1
  parameters: {unix_socket_directories: '$LAB'}
  authentication:
    superuser: {username: postgres}
    replication: {username: postgres}
YAML
}
node_conf 1 55472 58008 >"$LAB/node1.yml"
node_conf 2 55473 58009 >"$LAB/node2.yml"
[ "$(id -u)" = 0 ] && chown postgres "$LAB"/node*.yml
start_node() { # a simple command in the background, so $! is runuser's own pid (not a subshell's)
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- patroni "$LAB/node$1.yml" >>"$LAB/patroni$1.log" 2>&1 &
  else patroni "$LAB/node$1.yml" >>"$LAB/patroni$1.log" 2>&1 & fi
  PIDS+=($!); eval "PATRONI_PID_$1=$!"
}
start_node 1
sleep 3
start_node 2

role_of() { curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/$2"; }
wait_for() { # wait_for <seconds> <description> <command…>
  local limit="$1" what="$2"; shift 2
  for _ in $(seq 1 "$((limit * 10))"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  log "FATAL: $what not within ${limit}s"; tail -n 20 "$LAB"/patroni*.log >&2; exit 1
}
is_sync() { [ "$(role_of "$1" sync)" = 200 ]; }
wait_for 90 "a leader" sh -c "[ \$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:58008/primary) = 200 ]"
wait_for 90 "a synchronous replica" is_sync 58009
log "leader node1 (55472), synchronous replica node2 (55473)"
psql -h 127.0.0.1 -p 55472 -U postgres -qc "create table ha_probe (id int primary key); insert into ha_probe values (1)"
URL="postgres://postgres@127.0.0.1:55472,127.0.0.1:55473/postgres?target_session_attrs=read-write"
if [ "${HA_LAB_KEEP:-0}" = 1 ]; then log "DATABASE_URL=$URL (Ctrl-C to stop)"; wait; fi

killed=$(ms)
if [ "$(id -u)" = 0 ]; then kill -9 "$(child_of "$PATRONI_PID_1")"; fi
kill -9 "$PATRONI_PID_1"
kill -9 "$(head -1 "$LAB/pg1/postmaster.pid")"
log "node1's Patroni and PostgreSQL SIGKILLed"
wait_for 60 "node2 promoted by Patroni" sh -c "[ \$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:58009/primary) = 200 ]"
promoted=$(ms)
wait_for 30 "a write on node2" psql -h 127.0.0.1 -p 55473 -U postgres -qc "insert into ha_probe values (2)"
written=$(ms)
rows=$(psql -h 127.0.0.1 -p 55473 -U postgres -tAc "select count(*) from ha_probe")
[ "$rows" = 2 ] || { log "FATAL: expected 2 rows on the promoted node, found $rows"; exit 1; }
echo "{\"leaderPromotedMs\": $((promoted - killed)), \"firstWriteMs\": $((written - killed)), \"rowsOnPromoted\": $rows}"
