import { defineConfig } from 'vitest/config';

// CI sets PURSE_TEST_REPORT to collect a JSON summary per database run (see .ci/run).
const report = process.env.PURSE_TEST_REPORT;

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'scripts/**/*.test.ts', 'sdk/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: report ? ['default', ['json', { outputFile: report }]] : ['default'],
  },
});
