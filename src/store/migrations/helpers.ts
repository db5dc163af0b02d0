import type { ColumnDefinitionBuilder } from 'kysely';

export type MigrationDialect = 'sqlite' | 'postgres';

/**
 * A 64-bit auto-incrementing primary key. SQLite only auto-assigns for `integer primary key`
 * (which is 64-bit there); PostgreSQL uses an identity column.
 */
export function bigintPk(c: ColumnDefinitionBuilder, dialect: MigrationDialect): ColumnDefinitionBuilder {
  return dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey().generatedAlwaysAsIdentity();
}

/** SQLite insists on the type name `integer` for an auto-assigned rowid alias (still 64-bit). */
export function seqType(dialect: MigrationDialect): 'integer' | 'bigint' {
  return dialect === 'sqlite' ? 'integer' : 'bigint';
}
