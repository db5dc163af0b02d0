import type { FastifyRequest } from 'fastify';
import { PurseError } from '../errors/purse-error.ts';

/**
 * The JSON body parser. Keeps the raw text (signed requests and webhooks are verified over the exact
 * bytes) and keeps what the client wrote for a numeric top-level `amount`: JSON.parse turns `1e2`
 * into 100 and `1.0000000000000001` into 1, which would slip past the strict decimal rules that the
 * same amount written as a string meets. So a numeric `amount` reaches the route as the string of its
 * source digits, and the money parser judges both forms by one rule. (A JSON.parse reviver cannot
 * see the source text before Node 22's `context.source`; this scan works on every Node version.)
 */
export const RAW_TEXT_FIELDS = ['amount'] as const;

export function parseJsonBody(request: FastifyRequest, body: string | Buffer, done: (err: Error | null, value?: unknown) => void): void {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  request.rawBody = text;
  if (text.trim() === '') {
    done(null, undefined);
    return;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    done(new PurseError('INVALID_JSON'), undefined);
    return;
  }
  done(null, keepNumberText(text, value));
}

function keepNumberText(text: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const record = value as Record<string, unknown>;
  const wanted = RAW_TEXT_FIELDS.filter((field) => typeof record[field] === 'number');
  if (wanted.length === 0) return value;
  const sources = topLevelNumberTexts(text);
  for (const field of wanted) {
    const source = sources.get(field);
    if (source !== undefined) record[field] = source;
  }
  return record;
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const NUMBER_TOKEN = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * For text already known to be valid JSON with an object at the top: each top-level key whose value
 * is a number, mapped to the number's source text. A later duplicate key overwrites an earlier one,
 * as JSON.parse does; keys are compared decoded, so `"\u0061mount"` is `amount`.
 */
export function topLevelNumberTexts(text: string): Map<string, string> {
  const found = new Map<string, string>();
  let depth = 0;
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"') {
      const end = stringEnd(text, i);
      if (depth === 1) {
        let j = end;
        while (WHITESPACE.has(text[j] ?? '')) j += 1;
        if (text[j] === ':') {
          const key = JSON.parse(text.slice(i, end)) as string;
          j += 1;
          while (WHITESPACE.has(text[j] ?? '')) j += 1;
          NUMBER_TOKEN.lastIndex = j;
          const number = NUMBER_TOKEN.exec(text);
          if (number) found.set(key, number[0]);
          else found.delete(key);
        }
      }
      i = end;
      continue;
    }
    if (ch === '{' || ch === '[') depth += 1;
    else if (ch === '}' || ch === ']') depth -= 1;
    i += 1;
  }
  return found;
}

/** Index just past the closing quote of the JSON string that opens at `start`. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '\\') i += 2;
    else if (ch === '"') return i + 1;
    else i += 1;
  }
  return i;
}
