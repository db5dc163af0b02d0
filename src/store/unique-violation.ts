/**
 * Whether a database error is a unique-constraint violation (PostgreSQL 23505, SQLite
 * SQLITE_CONSTRAINT_UNIQUE). Work that races on a unique partial index (one default card, one attempt in
 * flight) loses with this error and runs again, seeing the winner's row.
 */
const PG_UNIQUE_VIOLATION = '23505';
const SQLITE_UNIQUE_VIOLATION = 'SQLITE_CONSTRAINT_UNIQUE';
export const UNIQUE_RACE_RETRIES_MAX = 3;

export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === PG_UNIQUE_VIOLATION || code === SQLITE_UNIQUE_VIOLATION;
}

/** Runs `work` again (up to UNIQUE_RACE_RETRIES_MAX times) when it lost a race on a unique index. */
export async function retryingUniqueRace<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (!isUniqueViolation(error) || attempt >= UNIQUE_RACE_RETRIES_MAX) throw error;
    }
  }
}
