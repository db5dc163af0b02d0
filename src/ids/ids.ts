import { randomBytes } from 'node:crypto';

// Crockford base32, as ULID specifies.
const ULID_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ULID_TIME_CHARS = 10;
const ULID_RANDOM_CHARS = 16;

let lastTimeMs = -1;
let lastRandom: number[] = [];

/** A ULID: 48-bit millisecond time + 80 random bits, monotonic within one millisecond in this process. */
export function ulid(nowMs: number = Date.now()): string {
  if (nowMs <= lastTimeMs) {
    incrementRandom(lastRandom);
  } else {
    lastTimeMs = nowMs;
    lastRandom = randomDigits();
  }
  return encodeTime(lastTimeMs) + lastRandom.map((d) => ULID_ALPHABET[d]).join('');
}

// One call to the CSPRNG per RANDOM_POOL_BYTES of ids (256 ULIDs, or request ids) instead of one per id.
const RANDOM_POOL_BYTES = 4_096;
let pool: Buffer = Buffer.alloc(0);
let poolOffset = 0;

/** `count` (≤ RANDOM_POOL_BYTES) fresh random bytes from the pool, each handed out once; a view, not a copy. */
export function pooledRandomBytes(count: number): Buffer {
  if (poolOffset + count > pool.length) {
    pool = randomBytes(Math.max(RANDOM_POOL_BYTES, count));
    poolOffset = 0;
  }
  const bytes = pool.subarray(poolOffset, poolOffset + count);
  poolOffset += count;
  return bytes;
}

/** 16 base-32 digits (256 is a multiple of 32, so `% 32` stays uniform). */
function randomDigits(): number[] {
  return Array.from(pooledRandomBytes(ULID_RANDOM_CHARS), (b) => b % 32);
}

function encodeTime(timeMs: number): string {
  let out = '';
  let t = timeMs;
  for (let i = 0; i < ULID_TIME_CHARS; i++) {
    out = ULID_ALPHABET[t % 32] + out;
    t = Math.floor(t / 32);
  }
  return out;
}

function incrementRandom(digits: number[]): void {
  for (let i = digits.length - 1; i >= 0; i--) {
    const d = digits[i]!;
    if (d < 31) {
      digits[i] = d + 1;
      return;
    }
    digits[i] = 0;
  }
}

export type IdPrefix = 'ten' | 'num' | 'key' | 'cto' | 'txn' | 'hld' | 'pst' | 'req' | 'pm' | 'evt' | 'whe' | 'prt' | 'we' | 'whd' | 'atu' | 'rcp'
  // Issue 23: operators, their sessions, audit entries.
  | 'opr' | 'ops' | 'aud';

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${ulid()}`;
}
