import { sql } from 'kysely';
import type { Config } from '../config/config.ts';
import { openStore } from '../store/db.ts';
import { reasonOf } from './startup-errors.ts';

interface StandbyRow {
  application_name: string;
  state: string;
  sync_state: string;
  replay_lag_ms: number | string | null;
  behind_bytes: bigint | number | string | null;
}

/**
 * `purse doctor` on PostgreSQL (issue 25): the standbys streaming from the primary (pg_stat_replication:
 * name, state, sync or async, replay lag) and, with DATABASE_READ_URL, whether reads go to the replica now
 * and how far behind it is. No standby is reported, not failed: a single PostgreSQL is a valid deployment.
 * A configured read replica that is skipped fails the check, since reads then all land on the primary.
 */
export async function checkReplication(config: Config): Promise<{ name: string; ok: boolean; detail: string } | undefined> {
  if (!config.databaseUrl.startsWith('postgres')) return undefined;
  const store = openStore(config.databaseUrl, { readUrl: config.databaseReadUrl, readReplicaMaxLagMs: config.readReplicaMaxLagMs });
  try {
    const standbys = await sql<StandbyRow>`select application_name, state, sync_state,
        round(extract(epoch from replay_lag) * 1000) as replay_lag_ms,
        pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) as behind_bytes
      from pg_stat_replication order by application_name`.execute(store.db);
    const parts = [standbys.rows.length === 0 ? 'no standby streams from the primary' : standbys.rows.map(describeStandby).join('; ')];
    let ok = true;
    if (store.replica) {
      await store.replica.check();
      const replica = store.replica.state();
      ok = replica.used;
      parts.push(`read replica ${replica.url}: ${replica.used ? `in use, at most ${replica.lagMs} ms behind` : `skipped (${replica.skipped})`} (READ_REPLICA_MAX_LAG_MS=${config.readReplicaMaxLagMs})`);
    }
    return { name: 'replication', ok, detail: parts.join('; ') };
  } catch (err) {
    return { name: 'replication', ok: false, detail: `reading pg_stat_replication: ${reasonOf(err)}` };
  } finally {
    await store.close();
  }
}

function describeStandby(row: StandbyRow): string {
  const lag = row.replay_lag_ms === null ? 'replay lag unknown (idle)' : `replay lag ${Number(row.replay_lag_ms)} ms`;
  const bytes = row.behind_bytes === null ? '' : `, ${Number(row.behind_bytes)} bytes behind`;
  return `standby ${row.application_name} ${row.state} (${row.sync_state}), ${lag}${bytes}`;
}
