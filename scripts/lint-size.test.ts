import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * The size bounds in eslint.config.js (STYLE.md: files ≤ 300 lines, functions ≤ 60), proved on generated
 * code linted as if it stood at a path: one line over each bound is refused, the bound itself passes, tests
 * are held to the same bounds, and only migrations are exempt.
 */
const ROOT = new URL('../', import.meta.url).pathname;
const eslint = new ESLint({ cwd: ROOT });
const FILE_LINES_MAX = 300;
const FUNCTION_LINES_MAX = 60;

async function sizeRules(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${ROOT}${filePath}` });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message).filter((rule) => rule.startsWith('max-lines'));
}

/** A file of exactly `lines` lines (the last one ends with a newline), of constants only. */
function fileOf(lines: number): string {
  return Array.from({ length: lines }, (_, i) => `export const c${i} = ${i};\n`).join('');
}

/** A function spanning exactly `lines` lines, from `function` to its closing brace. */
function functionOf(lines: number): string {
  const body = Array.from({ length: lines - 4 }, (_, i) => `  total += ${i};\n`).join('');
  return `export function long(): number {\n  let total = 0;\n${body}  return total;\n}\n`;
}

describe('lint holds the size bounds', () => {
  it('refuses a 301-line file and lets a 300-line one through', async () => {
    expect(await sizeRules('src/wallet/x.ts', fileOf(FILE_LINES_MAX + 1))).toEqual(['max-lines']);
    expect(await sizeRules('src/wallet/x.ts', fileOf(FILE_LINES_MAX))).toEqual([]);
  });

  it('refuses a 61-line function and lets a 60-line one through', async () => {
    expect(functionOf(FUNCTION_LINES_MAX + 1).trimEnd().split('\n')).toHaveLength(FUNCTION_LINES_MAX + 1);
    expect(await sizeRules('src/wallet/x.ts', functionOf(FUNCTION_LINES_MAX + 1))).toEqual(['max-lines-per-function']);
    expect(await sizeRules('src/wallet/x.ts', functionOf(FUNCTION_LINES_MAX))).toEqual([]);
  });

  it.each(['scripts/x.ts', 'chaos/x.ts', 'bench/x.ts', 'src/store/x.ts', 'src/wallet/x.test.ts', 'scripts/x.test.ts', 'src/e2e/x.browser.test.ts'])('holds %s to the bounds', async (file) => {
    expect(await sizeRules(file, fileOf(FILE_LINES_MAX + 1))).toEqual(['max-lines']);
    expect(await sizeRules(file, functionOf(FUNCTION_LINES_MAX + 1))).toEqual(['max-lines-per-function']);
  });

  it('holds a long describe callback in a test to the function bound', async () => {
    const body = Array.from({ length: FUNCTION_LINES_MAX - 1 }, (_, i) => `  it('t${i}', () => {});\n`).join('');
    const describeOf = (lines: string) => `import { describe, it } from 'vitest';\ndescribe('long', () => {\n${lines}});\n`;
    expect(await sizeRules('src/wallet/x.test.ts', describeOf(body))).toEqual(['max-lines-per-function']);
    expect(await sizeRules('src/wallet/x.test.ts', describeOf(body.split('\n').slice(1).join('\n')))).toEqual([]);
  });

  it.each(['src/store/migrations/0099_x.ts'])('exempts %s', async (file) => {
    expect(await sizeRules(file, fileOf(FILE_LINES_MAX + 1) + functionOf(FUNCTION_LINES_MAX + 1))).toEqual([]);
  });
});
