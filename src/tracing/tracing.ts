import { ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, defaultTextMapGetter } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { FastifyRequest } from 'fastify';
import type { App } from '../api/kit.ts';
import type { Config } from '../config/config.ts';

/**
 * Optional OpenTelemetry tracing (issue 12): one SERVER span per HTTP request, made in Fastify hooks and
 * sent over OTLP/HTTP to `${OTEL_EXPORTER_OTLP_ENDPOINT}/v1/traces`. An incoming W3C `traceparent` makes
 * the span a child of the caller's. This module is imported only when the endpoint is configured
 * (http/server.ts), so an instance without it loads none of the OpenTelemetry packages. The provider
 * is not registered globally: nothing else in the process is traced by accident.
 */
const TRACES_PATH = '/v1/traces';
const SERVER_ERROR_MIN = 500;
const TRACER_NAME = 'purse';

type OtelConfig = NonNullable<Config['otel']>;

export function registerTracing(app: App, otel: OtelConfig): void {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': otel.serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${otel.endpoint}${TRACES_PATH}` }))],
  });
  const tracer = provider.getTracer(TRACER_NAME);
  const propagator = new W3CTraceContextPropagator();
  const spans = new WeakMap<FastifyRequest, Span>();

  app.addHook('onRequest', async (request) => {
    const parent = propagator.extract(ROOT_CONTEXT, request.headers, defaultTextMapGetter);
    const route = request.routeOptions.url;
    spans.set(request, tracer.startSpan(route ? `${request.method} ${route}` : request.method, {
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': request.method,
        // The path only: a query string may carry a billing-page token.
        'url.path': request.url.split('?')[0] ?? '',
        ...(route ? { 'http.route': route } : {}),
        'purse.request_id': request.id,
      },
    }, parent));
  });
  app.addHook('onError', async (request, _reply, error) => {
    spans.get(request)?.recordException(error);
  });
  app.addHook('onResponse', async (request, reply) => {
    const span = spans.get(request);
    if (!span) return;
    span.setAttribute('http.response.status_code', reply.statusCode);
    if (request.principal) span.setAttributes({ 'purse.tenant_id': request.principal.tenantId, 'purse.key_id': request.principal.keyId });
    if (reply.statusCode >= SERVER_ERROR_MIN) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
    spans.delete(request);
  });
  // Sends what is still batched before the process goes.
  app.addHook('onClose', async () => {
    await provider.shutdown();
  });
}
