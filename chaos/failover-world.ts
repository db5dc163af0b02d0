import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { BENCH_ADMIN_KEY, BENCH_MASTER_KEY, type Child, startProcess } from '../bench/processes.ts';
import type { PgLab } from '../src/testing/pg-lab.ts';
import { freePort } from '../src/testing/process.ts';
import { CHAOS_WEBHOOK_SECRET, type World } from './world.ts';

/**
 * The chaos world for `--failover` (issue 25): a lab primary + standby (src/testing/pg-lab.ts), two
 * `purse serve` instances on its multi-host DATABASE_URL, one shared `purse sandbox` process, and a
 * receiver that records every outgoing webhook. `purseUrl` is a round-robin front that also plays the
 * client's retry policy, as a real client would: on 503 it waits Retry-After and sends the same request
 * again (same Idempotency-Key, same bytes), and on a dropped connection it retries likewise, for at most
 * CLIENT_RETRY_LIMIT_MS. `killPurse` is the failover: the primary SIGKILLed, the standby promoted.
 */
const CLIENT_RETRY_LIMIT_MS = 60_000;
const RETRY_AFTER_DEFAULT_S = 1;
const RECOVERY_PROBE_MS = 20;
const RATE_LIMIT_PER_MINUTE_UNLIMITED = 1_000_000;
const INSTANCES = 2;

export interface FailoverFigures {
  /** 503 answers the client front waited out and retried. */
  retried503: number;
  /** Per failover: SIGKILL → promoted, → first /readyz 200, → first 2xx write seen by a client. */
  failovers: Array<{ promoteMs: number; readyMs: number; firstWriteMs: number | null }>;
}

export interface FailoverWorld extends World {
  /** Event ids the webhook receiver was sent (each at least once). */
  received: Set<string>;
  figures: FailoverFigures;
  /** After a failover: the dead node rebuilt as the new primary's standby, ready for the next one. */
  nextRound(): Promise<void>;
}

export async function startFailoverWorld(lab: PgLab, databaseUrl: string, dataDir: string): Promise<FailoverWorld> {
  const sandboxPort = await freePort();
  const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
  const sandbox = await startProcess({ name: 'sandbox', args: ['bin/purse.js', 'sandbox', '--port', String(sandboxPort)], url: sandboxUrl, readyUrl: `${sandboxUrl}/_sandbox/health`, env: {} });
  const instances: Child[] = [];
  for (let i = 0; i < INSTANCES; i += 1) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    instances.push(await startProcess({
      name: `purse-${i}`, args: ['bin/purse.js', 'serve'], url, readyUrl: `${url}/readyz`,
      env: {
        DATABASE_URL: databaseUrl, PORT: String(port), PUBLIC_URL: url, PURSE_DATA_DIR: dataDir,
        PURSE_ADMIN_KEY: BENCH_ADMIN_KEY, PURSE_MASTER_KEY: BENCH_MASTER_KEY,
        STRIPE_SECRET_KEY: 'sk_test_purse_chaos', STRIPE_API_URL: sandboxUrl, STRIPE_WEBHOOK_SECRET: CHAOS_WEBHOOK_SECRET,
        LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT_PER_MINUTE_UNLIMITED),
      },
    }));
  }
  const figures: FailoverFigures = { retried503: 0, failovers: [] };
  const front = await startClientFront(instances.map((c) => c.url), figures);
  const sink = await startRecordingSink();
  let failover: Promise<void> | null = null;
  let failedOver = false;
  return {
    purseUrl: front.url, sandboxUrl, sinkUrl: sink.url, adminKey: BENCH_ADMIN_KEY, received: sink.received, figures,
    killPurse() {
      if (failedOver) return; // one failover per round; schedules beside this one share it
      failedOver = true;
      failover = failOver(lab, instances.map((c) => c.url), front, figures);
    },
    async restartPurse() {
      await failover;
    },
    async nextRound() {
      front.stopWatching();
      if (!failedOver) return;
      lab.rebuildStandby();
      await lab.awaitStandby?.();
      failedOver = false;
      failover = null;
    },
    async stop() {
      for (const child of instances) await child.stop();
      await sandbox.stop();
      await new Promise((resolve) => front.server.close(resolve));
      await new Promise((resolve) => sink.server.close(resolve));
    },
  };
}

async function failOver(lab: PgLab, urls: string[], front: ClientFront, figures: FailoverFigures): Promise<void> {
  const killedMs = performance.now();
  front.watchFirstWrite(killedMs);
  lab.killPrimary();
  await lab.promote();
  const promoteMs = performance.now() - killedMs;
  let readyMs: number | null = null;
  while (readyMs === null) {
    for (const url of urls) {
      const res = await fetch(`${url}/readyz`).catch(() => null);
      if (res?.ok && readyMs === null) readyMs = performance.now() - killedMs;
    }
    if (readyMs === null) await new Promise((resolve) => setTimeout(resolve, RECOVERY_PROBE_MS));
  }
  figures.failovers.push({ promoteMs: Math.round(promoteMs), readyMs: Math.round(readyMs), firstWriteMs: null });
  const entry = figures.failovers[figures.failovers.length - 1]!;
  front.onFirstWrite((ms) => { entry.firstWriteMs = Math.round(ms); });
}

interface ClientFront {
  server: Server;
  url: string;
  watchFirstWrite(sinceMs: number): void;
  onFirstWrite(report: (ms: number) => void): void;
  /** The round is over: a later write belongs to the next round, not to this failover's recovery. */
  stopWatching(): void;
}

async function startClientFront(targets: string[], figures: FailoverFigures): Promise<ClientFront> {
  let turn = 0;
  let watch: { sinceMs: number; seenMs: number | null; report: ((ms: number) => void) | null } | null = null;
  // Only an attempt sent after the kill counts: one answered just after it may have committed just before.
  const sawWrite = (sentMs: number) => {
    if (!watch || watch.seenMs !== null || sentMs < watch.sinceMs) return;
    watch.seenMs = performance.now() - watch.sinceMs;
    watch.report?.(watch.seenMs);
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'connection', 'content-length'].includes(k)).map(([k, v]) => [k, String(v)]));
    const deadline = Date.now() + CLIENT_RETRY_LIMIT_MS;
    for (;;) {
      const target = targets[turn++ % targets.length]!;
      const sentMs = performance.now();
      const answer = await fetch(`${target}${req.url ?? '/'}`, { method: req.method ?? 'GET', headers, ...(body ? { body } : {}) }).catch(() => null);
      const retry = answer === null || answer.status === 503;
      if (retry && Date.now() < deadline) {
        if (answer) figures.retried503 += 1;
        const waitS = Number(answer?.headers.get('retry-after') ?? RETRY_AFTER_DEFAULT_S);
        await answer?.arrayBuffer();
        await new Promise((resolve) => setTimeout(resolve, (Number.isFinite(waitS) ? waitS : RETRY_AFTER_DEFAULT_S) * 1_000));
        continue;
      }
      if (answer === null) return res.destroy();
      if (req.method !== 'GET' && answer.ok) sawWrite(sentMs);
      const bytes = Buffer.from(await answer.arrayBuffer());
      const type = answer.headers.get('content-type');
      res.writeHead(answer.status, type ? { 'content-type': type } : {}).end(bytes);
      return;
    }
  };
  const server = createServer((req, res) => void handle(req, res).catch(() => res.destroy()));
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    server, url: `http://127.0.0.1:${port}`,
    watchFirstWrite: (sinceMs) => { watch = { sinceMs, seenMs: null, report: null }; },
    stopWatching: () => { watch = null; },
    onFirstWrite: (report) => {
      if (!watch) return;
      watch.report = report;
      if (watch.seenMs !== null) report(watch.seenMs);
    },
  };
}

async function startRecordingSink(): Promise<{ server: Server; url: string; received: Set<string> }> {
  const received = new Set<string>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        received.add((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: string }).id);
      } catch { /* not an event: still answered */ }
      res.writeHead(204).end();
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${port}/hooks`, received };
}
