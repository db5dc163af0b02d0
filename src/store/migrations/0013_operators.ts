import { type Kysely, sql } from 'kysely';
import { type MigrationDialect, bigintPk, seqType } from './helpers.ts';

/**
 * Issue 23: operator accounts and sessions (only hashes of passwords, set-password tokens and session
 * cookies are stored), the append-only audit log (triggers refuse UPDATE and DELETE on both databases),
 * and the console's rollup of ledger totals per UTC hour, so the overview never scans the ledger.
 */
export async function up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> {
  await db.schema.createTable('operators')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text')
    .addColumn('set_password_token_hash', 'text', (c) => c.unique())
    .addColumn('set_password_expires_at_ms', 'bigint')
    .addColumn('failed_logins', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('failures_since_ms', 'bigint')
    .addColumn('locked_until_ms', 'bigint')
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createTable('operator_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('operator_id', 'text', (c) => c.notNull().references('operators.id'))
    .addColumn('cookie_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('operator_sessions_operator').on('operator_sessions').column('operator_id').execute();
  await db.schema.createTable('audit_log')
    .addColumn('seq', seqType(dialect), (c) => bigintPk(c, dialect))
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('at_ms', 'bigint', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target', 'text')
    .addColumn('before', 'text')
    .addColumn('after', 'text')
    .addColumn('request_id', 'text')
    .execute();
  await db.schema.createIndex('audit_log_actor_seq').on('audit_log').columns(['actor', 'seq']).execute();
  await db.schema.createIndex('audit_log_target_seq').on('audit_log').columns(['target', 'seq']).execute();
  await refuseAuditChanges(db, dialect);
  await db.schema.createTable('console_hourly_totals')
    .addColumn('hour_ms', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('amount_minor', 'bigint', (c) => c.notNull())
    .addColumn('count', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('console_hourly_totals_pk', ['hour_ms', 'currency', 'kind'])
    .execute();
  await db.schema.createTable('console_rollup_state')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('last_seq', 'bigint', (c) => c.notNull())
    .execute();
  await sql`insert into console_rollup_state (id, last_seq) values ('ledger', 0)`.execute(db);
}

async function refuseAuditChanges(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> {
  if (dialect === 'sqlite') {
    await sql`create trigger audit_log_no_update before update on audit_log begin select raise(abort, 'audit_log is append-only'); end`.execute(db);
    await sql`create trigger audit_log_no_delete before delete on audit_log begin select raise(abort, 'audit_log is append-only'); end`.execute(db);
    return;
  }
  await sql`create function audit_log_refuse() returns trigger language plpgsql as $$
    begin raise exception 'audit_log is append-only'; end $$`.execute(db);
  await sql`create trigger audit_log_no_change before update or delete on audit_log for each row execute function audit_log_refuse()`.execute(db);
  await sql`create trigger audit_log_no_truncate before truncate on audit_log for each statement execute function audit_log_refuse()`.execute(db);
}
