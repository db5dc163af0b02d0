import { type Server, createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupTenant } from '../testing/api.ts';
import { TEST_SECRETS, type TestPurse, startTestPurse } from '../testing/harness.ts';
import { freePort, startPurseProcess } from '../testing/process.ts';

/** An OTLP/HTTP collector stand-in: keeps every body POSTed to it. */
interface Collector {
  url: string;
  posts: Array<{ path: string; contentType: string; body: string }>;
  close(): Promise<void>;
}

async function startCollector(): Promise<Collector> {
  const posts: Collector['posts'] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      posts.push({ path: req.url ?? '', contentType: String(req.headers['content-type'] ?? ''), body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, posts, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

interface OtlpAttribute {
  key: string;
  value: { stringValue?: string; intValue?: string | number };
}
interface OtlpSpan {
  name: string;
  traceId: string;
  parentSpanId?: string;
  kind: number;
  attributes: OtlpAttribute[];
}

/** Every span in the collected OTLP JSON bodies, with its resource's service name. */
function spansOf(collector: Collector): Array<OtlpSpan & { service: string | undefined }> {
  return collector.posts.flatMap((post) => {
    const body = JSON.parse(post.body) as { resourceSpans: Array<{ resource: { attributes: OtlpAttribute[] }; scopeSpans: Array<{ spans: OtlpSpan[] }> }> };
    return body.resourceSpans.flatMap((rs) => {
      const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue;
      return rs.scopeSpans.flatMap((ss) => ss.spans.map((span) => ({ ...span, service })));
    });
  });
}

function attribute(span: OtlpSpan, key: string): string | number | undefined {
  const value = span.attributes.find((a) => a.key === key)?.value;
  return value?.stringValue ?? (value?.intValue === undefined ? undefined : Number(value.intValue));
}

const CALLER_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN_ID = '00f067aa0ba902b7';

describe('OpenTelemetry tracing when OTEL_EXPORTER_OTLP_ENDPOINT is set', () => {
  let purse: TestPurse;
  let collector: Collector;
  beforeAll(async () => {
    purse = await startTestPurse();
    collector = await startCollector();
  });
  afterAll(async () => {
    await purse.close();
    await collector.close();
  });

  it('sends a server span per request, named by its route, to the collector by the time purse serve has stopped', async () => {
    const tenant = await setupTenant(purse);
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const proc = startPurseProcess(['serve'], {
      PURSE_ADMIN_KEY: TEST_SECRETS.adminKey, PURSE_MASTER_KEY: TEST_SECRETS.masterKey, DATABASE_URL: purse.cliDatabaseUrl,
      PORT: String(port), PUBLIC_URL: baseUrl, STRIPE_SANDBOX_PORT: String(await freePort()), LOG_LEVEL: 'warn',
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_SERVICE_NAME: 'purse-under-test',
    });
    await proc.waitFor(/Purse is listening/);
    const wallet = await fetch(`${baseUrl}/v1/billing/wallet`, {
      headers: { 'x-api-key': tenant.tenantKey, traceparent: `00-${CALLER_TRACE_ID}-${CALLER_SPAN_ID}-01` },
    });
    expect(wallet.status).toBe(200);
    expect((await fetch(`${baseUrl}/no/such/route?session=secret-token`)).status).toBe(404);
    proc.child.kill('SIGTERM');
    expect(await proc.stop()).toBe(0);

    expect(collector.posts.length).toBeGreaterThan(0);
    expect(collector.posts.every((p) => p.path === '/v1/traces' && p.contentType.includes('json'))).toBe(true);
    const spans = spansOf(collector);
    const walletSpan = spans.find((s) => s.name === 'GET /v1/billing/wallet');
    expect(walletSpan, JSON.stringify(spans.map((s) => s.name))).toBeDefined();
    expect(walletSpan!.service).toBe('purse-under-test');
    expect(walletSpan!.kind).toBe(2); // SERVER
    expect(walletSpan!.traceId).toBe(CALLER_TRACE_ID);
    expect(walletSpan!.parentSpanId).toBe(CALLER_SPAN_ID);
    expect(attribute(walletSpan!, 'http.route')).toBe('/v1/billing/wallet');
    expect(attribute(walletSpan!, 'http.response.status_code')).toBe(200);
    expect(attribute(walletSpan!, 'purse.tenant_id')).toBe(tenant.tenantId);
    expect(attribute(walletSpan!, 'purse.key_id')).toBe(tenant.tenantKeyId);
    const unmatched = spans.find((s) => attribute(s, 'http.response.status_code') === 404);
    expect(unmatched?.name).toBe('GET');
    expect(JSON.stringify(spans)).not.toContain('secret-token');
  });
});
