import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleApiRequest } from './api/server.ts';
import type { ApiContext } from './api/server.ts';
import { handleControlRequest } from './control.ts';
import type { ControlContext } from './control.ts';
import type { SandboxCore } from './core.ts';
import { sendJson } from './http.ts';
import { handlePageRequest } from './page/routes.ts';
import { RECEIPT_PATH, handleReceiptPage } from './page/receipt.ts';

export interface ServerParts {
  core: SandboxCore;
  api: ApiContext;
  control: ControlContext;
  /** Called before control and page requests too, so expiry is seen everywhere. */
  beforeRequest(): void;
  /** Told of every request that may change state (any method but GET and HEAD), before it runs. */
  onWriteRequest?: () => void;
  logger: (line: Record<string, unknown>) => void;
}

async function route(parts: ServerParts, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sandbox.local');
  if (url.pathname.startsWith('/v1/')) {
    await handleApiRequest(parts.api, req, res, url);
    return;
  }
  parts.beforeRequest();
  if (url.pathname.startsWith('/_sandbox/')) await handleControlRequest(parts.control, req, res, url);
  else if (url.pathname.startsWith('/c/pay/')) await handlePageRequest(parts.core, req, res, url);
  else if (url.pathname.startsWith(RECEIPT_PATH)) handleReceiptPage(parts.core, res, url);
  else sendJson(res, 404, { error: { type: 'invalid_request_error', message: `Nothing at ${url.pathname}. The Stripe API is under /v1/.` } });
}

/** One HTTP server for the Stripe API, the control API and the hosted pages. */
export function createSandboxServer(parts: ServerParts): http.Server {
  return http.createServer((req, res) => {
    const startedMs = performance.now();
    if (req.method !== 'GET' && req.method !== 'HEAD') parts.onWriteRequest?.();
    res.on('finish', () => {
      parts.logger({ msg: 'request', method: req.method, path: req.url?.split('?')[0], status: res.statusCode, durationMs: Math.round(performance.now() - startedMs) });
    });
    route(parts, req, res).catch((error: unknown) => {
      parts.logger({ msg: 'unhandled sandbox error', error: error instanceof Error ? error.stack : String(error) });
      if (!res.headersSent) sendJson(res, 500, { error: { type: 'api_error', message: 'Unexpected sandbox error.' } });
      else res.destroy();
    });
  });
}

export function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Stops accepting, drops keep-alive and in-flight sockets, and resolves once the server is closed. */
export function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
