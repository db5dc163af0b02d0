import type { App } from '../api/kit.ts';
import type { Ctx } from '../context.ts';
import type { BillingPageRegistrar } from './billing-document-kit.ts';
import { registerReceiptDownload } from './receipt-download-route.ts';
import { registerStatementPdfDownload } from './statement-pdf-download-route.ts';
import { registerStatementCsvDownload } from './statement-csv-download-route.ts';
import { registerHistoryDownload } from './history-download-route.ts';
import { registerHistoryCsv } from './history-csv-route.ts';

/** Receipts shown on the page (the newest), and months offered as statements (this one and the ones before). */
export const PAGE_RECEIPTS_MAX = 10;
export const PAGE_STATEMENT_MONTHS = 12;

/**
 * Downloads behind the billing page's session cookie (issue 22): a receipt's PDF, a month's statement as PDF
 * or CSV, and the whole history as CSV — the same documents as the API, for the customer in the browser.
 * One route per file (billing-document-kit.ts says what they share), in the order they are registered.
 */
const BILLING_DOCUMENTS: BillingPageRegistrar[] = [registerReceiptDownload, registerStatementPdfDownload, registerStatementCsvDownload, registerHistoryDownload, registerHistoryCsv];

export function registerBillingDocuments(pages: App, ctx: Ctx, hidden: object): void {
  for (const register of BILLING_DOCUMENTS) register(pages, ctx, hidden);
}

/** The months offered: the current one back to the tenant's first month, at most PAGE_STATEMENT_MONTHS. */
export function statementMonths(nowMs: number, sinceMs: number): string[] {
  const months: string[] = [];
  const now = new Date(nowMs);
  for (let i = 0; i < PAGE_STATEMENT_MONTHS; i += 1) {
    const startMs = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i, 1);
    if (i > 0 && Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i + 1, 1) <= sinceMs) break;
    months.push(new Date(startMs).toISOString().slice(0, 7));
  }
  return months;
}
