import { Type } from 'typebox';
import { type RouteRegistrar, errorResponses, principalOf, tenantSecurity } from '../api/kit.ts';
import { USAGE_GROUPS, summarizeUsage } from './usage-summary.ts';

const Query = Type.Object({
  from: Type.Optional(Type.String({ description: 'Start (inclusive), floored to the hour: YYYY-MM-DD (UTC) or ISO 8601 with offset. Default: 30 days before `to`.' })),
  to: Type.Optional(Type.String({ description: 'End (exclusive), rounded up to the hour. Default: now.' })),
  groupBy: Type.Optional(Type.Union(USAGE_GROUPS.map((g) => Type.Literal(g)), { description: 'day (default), number or description' })),
  timeZone: Type.Optional(Type.String({ description: 'IANA time zone the days are cut in (groupBy=day). Default: UTC.', examples: ['America/Sao_Paulo'] })),
}, { additionalProperties: false });

const SummarySchema = Type.Object({
  currency: Type.String(),
  from: Type.String({ description: 'The range used, in whole hours' }),
  to: Type.String(),
  timeZone: Type.String(),
  total: Type.Number({ description: 'Spent in the range (usage debits and hold captures), major units' }),
  count: Type.Integer({ description: 'Debits and captures in the range' }),
  data: Type.Array(Type.Object({
    key: Type.Union([Type.String(), Type.Null()], { description: 'The day (YYYY-MM-DD), number id or description; null for none' }),
    amount: Type.Number(),
    count: Type.Integer(),
  })),
  averageDaily: Type.Number({ description: 'total ÷ days in the range' }),
  runsOutAt: Type.Union([Type.String(), Type.Null()], {
    description: 'When the available balance reaches zero at the last 30 days\' average spend; null when auto top-up is on or nothing was spent',
  }),
}, {
  examples: [{
    currency: 'BRL', from: '2026-11-06T00:00:00.000Z', to: '2026-12-06T00:00:00.000Z', timeZone: 'UTC', total: 12.5, count: 50,
    data: [{ key: '2026-11-06', amount: 0.25, count: 1 }], averageDaily: 0.41, runsOutAt: '2027-01-10T08:00:00.000Z',
  }],
});

export const registerUsageSummaryRoute: RouteRegistrar = (app, ctx) => {
  app.get('/v1/billing/usage/summary', {
    config: { auth: { kind: 'tenant', scope: 'tenant', permission: 'billing:read' } },
    schema: {
      tags: ['Billing'],
      summary: 'Summarise spending',
      description: 'Usage debits and hold captures between from and to, by day, number or description, with the daily average and when ' +
        'the available balance runs out at the last 30 days\' pace. Read from an hourly rollup kept with every debit: fast at any history size. ' +
        'Billing is account-level: a number-scoped key is refused (403), as for the other billing reads.',
      operationId: 'get_billing_usage_summary',
      security: tenantSecurity,
      querystring: Query,
      response: { 200: SummarySchema, ...errorResponses('VALIDATION_ERROR') },
    },
  }, async (request) => summarizeUsage(ctx, principalOf(request), request.query));
};
