#!/usr/bin/env bash
# Failover lab, `pg_ctl promote` variant, or Patroni + etcd with FAILOVER_LAB_PATRONI=1 (issue 25). A primary and a synchronous streaming standby of its own
# (src/testing/pg-lab.ts: initdb + pg_basebackup on loopback ports 55432/55433, data under a fresh /tmp
# folder, never touching the PostgreSQL on 5432), two `purse serve` instances on the multi-host DATABASE_URL,
# one shared `purse sandbox` process and a webhook receiver. Mixed load — debits with Idempotency-Keys,
# top-ups paid through the sandbox, auto top-ups, refunds, disputes, holds, outgoing webhooks — from
# FAILOVER_LAB_PARALLEL tenants at once; mid-load the primary is SIGKILLed and the standby promoted, once per
# round (FAILOVER_LAB_ROUNDS). Clients retry as a real client does (503: wait Retry-After, same request).
# Checks: every acknowledged debit once, every paid order credited once, no auto top-up charged twice,
# every outbox delivery received, `purse ledger verify` clean on the promoted node. Prints the figures and
# the time to recover. FAILOVER_LAB_SYNC=0: asynchronous replication.
set -euo pipefail
cd "$(dirname "$0")/.."
PARALLEL="${FAILOVER_LAB_PARALLEL:-4}"
ROUNDS="${FAILOVER_LAB_ROUNDS:-2}"
SEED="${FAILOVER_LAB_SEED:-25}"
mode=()
[ "${FAILOVER_LAB_SYNC:-1}" = 1 ] || mode=(--async)
# FAILOVER_LAB_PATRONI=1: etcd + two Patroni nodes (src/testing/patroni-lab.ts) promote the standby instead.
[ "${FAILOVER_LAB_PATRONI:-0}" = 1 ] && mode+=(--patroni)
exec node --import tsx chaos/run.ts --failover --schedules "$((PARALLEL * ROUNDS))" --parallel "$PARALLEL" --seed "$SEED" "${mode[@]}"
