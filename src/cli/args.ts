import { parseArgs } from 'node:util';

export type Flags = Record<string, string | boolean | undefined>;

export class UsageError extends Error {}

/** Parses `--name value` / `--json` flags; unknown flags are a usage error, not silently ignored. */
export function flags(argv: string[], spec: Record<string, 'string' | 'boolean'>): { values: Flags; positionals: string[] } {
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const [name, type] of Object.entries(spec)) options[name] = { type };
  try {
    const parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: parsed.values as Flags, positionals: parsed.positionals };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function required(values: Flags, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

export function optional(values: Flags, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** `--json` prints machine-readable JSON; otherwise a short human line. */
export function output(values: Flags, data: unknown, human: string): void {
  process.stdout.write(values.json ? JSON.stringify(data, null, 2) + '\n' : human + '\n');
}
