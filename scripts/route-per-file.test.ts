import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * House style (STYLE.md): one route per file. Read from the source: every `x.get('/…'` / `x.post(BASE…`
 * style registration in production code under src/, counted per file.
 */
const ROOT = new URL('../', import.meta.url).pathname;
const REGISTRATION = /\b\w+\.(?:get|post|put|patch|delete)\(\s*(?:['`]\/|BASE\b|`\$\{BASE\})/g;
// The product has more routes than this (API, console, billing page): a floor that catches a pattern gone blind.
const ROUTES_FOUND_MIN = 90;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('one route per file', () => {
  const counts = sourceFiles(join(ROOT, 'src')).map((file) => ({
    file: relative(ROOT, file),
    routes: readFileSync(file, 'utf8').match(REGISTRATION)?.length ?? 0,
  }));

  it('no production file under src/ registers more than one route', () => {
    expect(counts.filter((c) => c.routes > 1)).toEqual([]);
  });

  it('finds the routes it counts', () => {
    expect(counts.reduce((sum, c) => sum + c.routes, 0)).toBeGreaterThanOrEqual(ROUTES_FOUND_MIN);
  });
});
