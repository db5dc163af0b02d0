import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestPurse, startTestPurse } from '../testing/harness.ts';
import { BODY_LIMIT_BYTES } from './server.ts';

/**
 * Issue 19: a client sending a body far over the limit (~1.1 MB) must read a 413 PAYLOAD_TOO_LARGE, not a
 * connection reset. A raw socket writes the whole body before reading, as most HTTP clients do.
 */
const OVERSIZE_BYTES = 1_100_000;
const SOCKET_TIMEOUT_MS = 20_000;
const run = promisify(execFile);

let purse: TestPurse;
let port: number;
beforeAll(async () => {
  purse = await startTestPurse();
  port = Number(new URL(await purse.app.listen({ port: 0, host: '127.0.0.1' })).port);
});
afterAll(async () => {
  await purse?.close();
});

/**
 * The sender runs in its own process, as a real client does: in this process it would share the event loop
 * with the server, which then never closes the socket while the body is still being written.
 */
const SENDER = `
const net = require('node:net');
const [port, size] = process.argv.slice(1).map(Number);
const body = '{"name":"' + 'x'.repeat(size) + '","currency":"BRL"}';
let response = '';
let error = null;
const socket = net.connect(port, '127.0.0.1', () => {
  socket.write('POST /v1/billing/usage HTTP/1.1\\r\\nhost: x\\r\\nx-api-key: ps_nope\\r\\ncontent-type: application/json\\r\\ncontent-length: ' + Buffer.byteLength(body) + '\\r\\n\\r\\n');
  socket.write(body);
});
socket.setTimeout(${SOCKET_TIMEOUT_MS}, () => socket.destroy(new Error('timeout')));
socket.on('data', (chunk) => { response += chunk.toString('utf8'); });
socket.on('error', (err) => { error = err.code || err.message; });
socket.on('close', () => process.stdout.write(JSON.stringify({ response, error })));
`;

async function sendWhole(sizeBytes: number): Promise<{ response: string; error: string | null }> {
  const { stdout } = await run(process.execPath, ['-e', SENDER, String(port), String(sizeBytes)]);
  return JSON.parse(stdout) as { response: string; error: string | null };
}

describe('oversize bodies', () => {
  it.each([1, 2, 3])('answers a %s× ~1.1 MB body with a readable 413 PAYLOAD_TOO_LARGE, never a reset', async () => {
    expect(OVERSIZE_BYTES).toBeGreaterThan(BODY_LIMIT_BYTES * 10);
    const { response, error } = await sendWhole(OVERSIZE_BYTES);
    expect(error).toBeNull();
    expect(response).toMatch(/^HTTP\/1\.1 413 /);
    expect(JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4))).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', error: 'Payload too large' });
    const tenants = await purse.ctx.store.db.selectFrom('tenants').select('id').execute();
    expect(tenants).toEqual([]);
  });
});
