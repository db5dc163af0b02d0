import type { FastifyReply, FastifyRequest } from 'fastify';
import { auditWrite } from '../audit/audit-log.ts';
import type { Ctx } from '../context.ts';
import { PurseError } from '../errors/purse-error.ts';
import { processEvent } from '../stripe/inbox.ts';
import { html } from '../web/html.ts';
import { formatDate } from '../i18n/locale.ts';
import { auditActorOf, type ConsoleViewer, guardWrite, sendPage } from './console-http.ts';
import { consoleLayout, dataTable, hiddenCsrf, notice, renderMessage } from './console-shell.ts';

/** Deliveries (replay), inbox errors (retry), reconcile, and the audit log. */
const LIST_ROWS = 50;
const ID_PATTERN = /^[A-Za-z0-9_]{1,100}$/;


export function refusal(err: unknown): undefined {
  if (err instanceof PurseError) return undefined;
  throw err;
}

export async function showDeliveries(ctx: Ctx, viewer: ConsoleViewer, reply: FastifyReply, noticeText?: string): Promise<FastifyReply> {
  const t = viewer.t;
  const rows = await ctx.store.reader().selectFrom('webhook_deliveries as d').innerJoin('events as e', 'e.id', 'd.event_id').innerJoin('webhook_endpoints as w', 'w.id', 'd.endpoint_id')
    .select(['d.id', 'd.event_id', 'e.type', 'w.url', 'd.state', 'd.attempts', 'd.last_error', 'd.updated_at_ms'])
    .where('d.state', '=', 'failed').orderBy('d.id', 'desc').limit(LIST_ROWS).execute();
  const table = rows.map((r) => [formatDate(Number(r.updated_at_ms), viewer.lang), r.type, r.url, String(r.attempts), r.last_error ?? '',
    html`<form method="post" action="/admin/deliveries/${r.event_id}/replay">${hiddenCsrf(viewer)}<button type="submit">${t.replay}<span class="sr"> ${r.event_id}</span></button></form>`]);
  return sendPage(reply, viewer, consoleLayout(viewer, t.events, html`${notice(noticeText)}<section>${dataTable(t.events, [t.when, t.event, 'URL', t.attempts, t.lastError, t.replay], table, t.noRows)}</section>`, viewer));
}

export async function showInbox(ctx: Ctx, viewer: ConsoleViewer, reply: FastifyReply, noticeText?: string): Promise<FastifyReply> {
  const t = viewer.t;
  const rows = await ctx.store.reader().selectFrom('stripe_events').select(['id', 'type', 'attempts', 'last_error', 'failed_at_ms'])
    .where('failed_at_ms', 'is not', null).orderBy('failed_at_ms', 'desc').limit(LIST_ROWS).execute();
  const table = rows.map((r) => [formatDate(Number(r.failed_at_ms), viewer.lang), r.type, html`<code>${r.id}</code>`, String(r.attempts), r.last_error ?? '',
    html`<form method="post" action="/admin/inbox/${r.id}/retry">${hiddenCsrf(viewer)}<button type="submit">${t.retry}<span class="sr"> ${r.id}</span></button></form>`]);
  const text = noticeText === 'retried' ? t.retried : noticeText;
  return sendPage(reply, viewer, consoleLayout(viewer, t.inbox, html`${notice(text)}<section><form method="post" action="/admin/reconcile">${hiddenCsrf(viewer)}<button type="submit">${t.reconcile}</button></form></section>
<section>${dataTable(t.inbox, [t.when, t.event, 'Id', t.attempts, t.lastError, t.retry], table, t.noRows)}</section>`, viewer));
}

/** A dead-lettered Stripe event is given one more run now (the handler is idempotent by event id). */
export async function retryInbox(ctx: Ctx, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const viewer = await guardWrite(ctx, request, reply, 'inbox.retry');
  if (!viewer) return reply;
  const eventId = (request.params as { eventId: string }).eventId;
  const row = ID_PATTERN.test(eventId)
    ? await ctx.store.db.selectFrom('stripe_events').select(['id', 'payload', 'attempts', 'last_error']).where('id', '=', eventId).where('failed_at_ms', 'is not', null).executeTakeFirst()
    : undefined;
  if (!row) return sendPage(reply, viewer, renderMessage(viewer, viewer.t.noRows, 'NOT_FOUND', viewer), 404);
  // The entry commits with the event's release from the dead letters; the run itself follows.
  await auditWrite(ctx, auditActorOf(viewer, request), { action: 'inbox.retry', target: row.id, before: { attempts: Number(row.attempts), lastError: row.last_error } },
    () => ctx.store.transact((trx) => trx.updateTable('stripe_events').set({ failed_at_ms: null, attempts: 0n, claimed_until_ms: null }).where('id', '=', row.id).execute()));
  await processEvent(ctx, JSON.parse(row.payload) as Parameters<typeof processEvent>[1]);
  return reply.redirect('/admin/inbox?notice=retried', 303);
}
