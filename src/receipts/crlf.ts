import { Transform, type TransformCallback } from 'node:stream';

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/**
 * PostgreSQL's COPY ends CSV records with LF; RFC 4180 asks for CRLF. This rewrites each record end (an LF
 * outside quotes) to CRLF and leaves line breaks inside quoted fields as they are. State (inside quotes or
 * not) carries across chunks; one pass to count, one to copy, no per-row work.
 */
export function crlfRecords(): Transform {
  let quoted = false;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      let ends = 0;
      let state = quoted;
      for (let i = 0; i < chunk.length; i += 1) {
        const b = chunk[i];
        if (b === QUOTE) state = !state;
        else if (b === LF && !state) ends += 1;
      }
      if (ends === 0) {
        quoted = state;
        callback(null, chunk);
        return;
      }
      const out = Buffer.allocUnsafe(chunk.length + ends);
      let o = 0;
      for (let i = 0; i < chunk.length; i += 1) {
        const b = chunk[i] as number;
        if (b === QUOTE) quoted = !quoted;
        else if (b === LF && !quoted) out[o++] = CR;
        out[o++] = b;
      }
      callback(null, out);
    },
  });
}
