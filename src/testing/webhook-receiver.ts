import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** How the receiver answers the next request: a status, never (the sender times out), or a dropped connection. */
export type Answer = number | 'hang' | 'close';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A local HTTP server standing in for an operator's webhook receiver. Records every request; answers
 * with whatever `answer` says (default 200). `waitFor(n)` resolves once n requests have arrived.
 */
export interface Receiver {
  url: string;
  received: Received[];
  answer: (request: Received) => Answer;
  waitFor(count: number): Promise<void>;
  /** Payloads verified with the `standardwebhooks` package, as a receiver would, with the given secret. */
  verified(secret: string, from?: number): Array<{ id: string; type: string; tenantId: string | null; createdAt: string; data: Record<string, unknown> }>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const hanging = new Set<() => void>();
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const receiver: Receiver = {
    url: '',
    received: [],
    answer: () => 200,
    waitFor: (count) => new Promise((resolve) => {
      if (receiver.received.length >= count) resolve();
      else waiters.push({ count, resolve });
    }),
    verified: (secret, from = 0) => {
      const wh = new Webhook(secret);
      return receiver.received.slice(from).map((r) => wh.verify(r.body, {
        'webhook-id': String(r.headers['webhook-id']),
        'webhook-timestamp': String(r.headers['webhook-timestamp']),
        'webhook-signature': String(r.headers['webhook-signature']),
      }) as ReturnType<Receiver['verified']>[number]);
    },
    close: async () => {
      for (const release of hanging) release();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      receiver.received.push(request);
      for (const w of waiters.filter((w) => receiver.received.length >= w.count)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
      const answer = receiver.answer(request);
      if (answer === 'close') req.socket.destroy();
      else if (answer === 'hang') hanging.add(() => res.destroy());
      else res.writeHead(answer).end();
    });
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return receiver;
}
