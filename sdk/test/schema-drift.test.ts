import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SCHEMA_FILE, renderSdkSchema } from '../../scripts/sdk-generate.ts';

const GENERATE_TIMEOUT_MS = 90_000;

/** The first line where two texts differ, for a failure message shorter than a 12,000-line diff. */
function firstDifference(a: string, b: string): string {
  const left = a.split('\n');
  const right = b.split('\n');
  const i = left.findIndex((line, n) => line !== right[n]);
  const at = i === -1 ? left.length : i;
  return `line ${at + 1}: committed ${JSON.stringify(left[at])}, generated ${JSON.stringify(right[at])}`;
}

describe('sdk/src/schema.d.ts', () => {
  it('is exactly what `npm run sdk:generate` writes from the current routes', async () => {
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    const regenerated = await renderSdkSchema();
    const hint = regenerated === committed ? '' : `stale, run \`npm run sdk:generate\` and commit it (${firstDifference(committed, regenerated)})`;
    expect(hint).toBe('');
  }, GENERATE_TIMEOUT_MS);
});
