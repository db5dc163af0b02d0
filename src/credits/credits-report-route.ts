import { Type } from 'typebox';
import { adminSecurity, errorResponses, type RouteRegistrar } from '../api/kit.ts';
import { creditsReport } from './credits-report.ts';
import { ReportSchema } from './credit-route-kit.ts';

export const registerCreditsReportRoute: RouteRegistrar = (app, ctx) => {
  app.get('/v1/admin/reports/credits', {
    config: { auth: { kind: 'admin' } },
    schema: {
      tags: ['Admin'], summary: 'Prepaid credit report for a month: opening, purchased, granted, consumed, expired (breakage), clawed back, closing', security: adminSecurity,
      querystring: Type.Object({ month: Type.String({ maxLength: 7, description: 'YYYY-MM (UTC)' }) }, { additionalProperties: false }),
      response: { 200: ReportSchema, ...errorResponses('VALIDATION_ERROR') },
    },
  }, async (request) => creditsReport(ctx, request.query.month));
};
