import type { BillingPageRegistrar } from './billing-document-kit.ts';
import { registerStatementDownload } from './statement-download.ts';

export const registerStatementCsvDownload: BillingPageRegistrar = (pages, ctx, hidden) => {
  registerStatementDownload(pages, ctx, hidden, 'csv');
};
