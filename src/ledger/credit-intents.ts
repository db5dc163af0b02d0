import { sql } from 'kysely';
import type { Db } from '../store/db.ts';

/**
 * issue 21: tells the credit-block trigger (migration 0011) to draw the transaction `reference` will post
 * from the block that the credit `creditReference` created first (a refund or a lost dispute claws back
 * from the refunded top-up's own block), then in draw-down order. No block (a credit from before the
 * blocks) leaves the plain draw-down order. Write it in the same transaction, before the posting.
 */
export async function drawFirstFromCredit(db: Db, reference: string, creditReference: string): Promise<void> {
  await sql`insert into credit_block_intents (reference, first_block_id)
    select ${reference}, b.id from credit_blocks b join ledger_transactions t on t.id = b.source_transaction_id where t.reference = ${creditReference}
    on conflict (reference) do nothing`.execute(db);
}

/** The ledger reference of a top-up's credit, as checkout and auto top-up write it. */
export function creditReferenceOf(source: { orderId: string | null; attemptId: string | null }): string | null {
  if (source.orderId) return `topup:${source.orderId}`;
  return source.attemptId ? `auto_topup:${source.attemptId}` : null;
}
