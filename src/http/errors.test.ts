import { describe, expect, it } from 'vitest';
import { PurseError } from '../errors/purse-error.ts';
import { DatabaseUnavailable } from '../store/pg-failover.ts';
import { toPurseError } from './errors.ts';

/** What reaches a client when the database, not the request, is at fault: a 503 to retry, never a 500. */
describe('errors from the database become 503 DATABASE_UNAVAILABLE with Retry-After', () => {
  const poolTimeout = new Error('timeout exceeded when trying to connect');
  it.each([
    ['a pool with no connection free in time (pg-pool)', poolTimeout],
    ['the same, wrapped as the cause of another error', new Error('batch failed', { cause: poolTimeout })],
    ['a lost connection', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['no writable host', new DatabaseUnavailable()],
  ])('%s', (_, error) => {
    const purse = toPurseError(error);
    expect(purse).toBeInstanceOf(PurseError);
    expect(purse?.code).toBe('DATABASE_UNAVAILABLE');
    expect(purse?.status).toBe(503);
    expect(purse?.headers).toMatchObject({ 'retry-after': '1' });
  });

  it('leaves an unknown error unmapped (a 500 INTERNAL, logged)', () => {
    expect(toPurseError(new Error('timeout exceeded while reading'))).toBeUndefined();
  });
});
