import { parseConfig } from '../config/config.ts';
import { openStore } from '../store/db.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { type Options, output, progress } from './output.ts';
import { describeDatabase, startupStep } from './startup-errors.ts';

/** `purse migrate [--json]`: applies pending migrations; prints which ones ran. */
export async function migrateCommand(opts: Options): Promise<number> {
  const config = parseConfig(process.env);
  const store = openStore(config.databaseUrl);
  const shown = progress('migrate');
  try {
    shown.step(describeDatabase(config.databaseUrl));
    const applied = await startupStep(`cannot migrate ${describeDatabase(config.databaseUrl)} (DATABASE_URL)`, () => migrateToLatest(store));
    shown.done();
    output(opts, { applied }, applied.length === 0 ? 'migrations applied (already up to date)' : `migrations applied: ${applied.join(', ')}`);
    return 0;
  } finally {
    shown.done();
    await store.close();
  }
}
