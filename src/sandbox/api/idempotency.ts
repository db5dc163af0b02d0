import type { SandboxClock } from '../clock.ts';
import { idempotencyError } from '../errors.ts';
import type { FormValue } from '../form.ts';

/** A stored response, replayed byte for byte when the same key and parameters come back. */
export interface StoredResponse {
  method: string;
  path: string;
  fingerprint: string;
  status: number;
  body: string;
  storedAtMs: number;
}

/** Stripe keeps keys for at least 24 hours. */
const keyTtlMs = 24 * 60 * 60 * 1000;
const keyLengthMax = 255;

/** Canonical form of the parameters: key order does not matter, values do. */
export function fingerprintParams(params: FormValue): string {
  if (typeof params === 'string') return JSON.stringify(params);
  const keys = Object.keys(params).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${fingerprintParams(params[key] as FormValue)}`).join(',')}}`;
}

/** Only results of requests that started executing are kept, as Stripe does. */
export function isReplayable(status: number): boolean {
  return status < 400 || status === 402;
}

export class IdempotencyStore {
  private readonly entries = new Map<string, StoredResponse>();

  constructor(private readonly clock: SandboxClock) {}

  static validateKey(key: string): void {
    if (key.length > keyLengthMax) throw idempotencyError(`Idempotency keys may be at most ${keyLengthMax} characters.`);
  }

  /** The stored response for this key, or null; throws when the key was used for something else. */
  lookup(key: string, method: string, path: string, fingerprint: string): StoredResponse | null {
    this.prune();
    const stored = this.entries.get(key);
    if (!stored) return null;
    if (stored.method !== method || stored.path !== path) {
      throw idempotencyError(
        `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${stored.method} ${stored.path}' vs '${method} ${path}'). Try using a key other than '${key}' if you meant to execute a different request.`,
      );
    }
    if (stored.fingerprint !== fingerprint) {
      throw idempotencyError(
        `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
      );
    }
    return stored;
  }

  save(key: string, entry: Omit<StoredResponse, 'storedAtMs'>): void {
    // Delete first so a re-saved key moves to the end and the order stays storage-time order.
    this.entries.delete(key);
    this.entries.set(key, { ...entry, storedAtMs: this.clock.nowMs() });
  }

  /**
   * Entries sit in insertion order, which is storage-time order (the clock never goes back), so the
   * walk stops at the first live entry: O(expired) per request, not O(all keys).
   */
  private prune(): void {
    const oldestMs = this.clock.nowMs() - keyTtlMs;
    for (const [key, entry] of this.entries) {
      if (entry.storedAtMs >= oldestMs) return;
      this.entries.delete(key);
    }
  }
}
