import type { BenchDatabase } from '../bench/fixtures.ts';
import type { CreditSeen } from './credits.ts';
import type { Violation } from './invariants.ts';

/**
 * What must hold for a tenant's credit blocks after any schedule (issue 21), read from the database alone:
 * - the blocks' remaining add up to the wallet's balance, and no block but the deficit one is negative;
 * - each block: granted = consumed + expired + voided + remaining, from its own block postings;
 * - an ended block (expired, voided) holds nothing and was ended by at most one ledger transaction, with
 *   exactly one credit.expired / credit.voided event; an active block has none of them;
 * - no usage debit drew from a block after the transaction that expired it;
 * - every grant Purse acknowledged is there exactly once, for its amount; every void it acknowledged ended
 *   its block as voided.
 */
interface BlockRow {
  id: string;
  category: string;
  state: string;
  amount_minor: number | string;
  opening_minor: number | string;
  remaining_minor: number | string;
}

interface MoveRow {
  block_id: string;
  kind: string;
  reference: string;
  seq: number | string;
  amount_minor: number | string;
}

export async function checkCredits(db: BenchDatabase, seed: number, tenantId: string, seen: CreditSeen | undefined): Promise<Violation[]> {
  const out: Violation[] = [];
  const fail = (what: string) => out.push({ seed, what });
  const blocks = await db.query<BlockRow>('select id, category, state, amount_minor, opening_minor, remaining_minor from credit_blocks where tenant_id = $1', [tenantId]);
  const moves = await db.query<MoveRow>(
    `select p.block_id, t.kind, t.reference, t.seq, p.amount_minor from credit_block_postings p
      join ledger_transactions t on t.id = p.transaction_id where t.tenant_id = $1 order by t.seq`, [tenantId]);
  const [wallet] = await db.query<{ balance_minor: number | string }>('select balance_minor from wallets where tenant_id = $1', [tenantId]);
  const sum = blocks.reduce((s, b) => s + Number(b.remaining_minor), 0);
  if (sum !== Number(wallet?.balance_minor ?? 0)) fail(`blocks hold ${sum}, the wallet's balance is ${wallet?.balance_minor}`);
  const events = await eventCounts(db, tenantId);
  for (const block of blocks) checkBlock(block, moves.filter((m) => m.block_id === block.id), events, fail);
  checkAcknowledged(blocks, moves, seen, fail);
  return out;
}

const ENDINGS: Record<string, { kind: string; event: string }> = {
  expired: { kind: 'credit_expiry', event: 'credit.expired' },
  voided: { kind: 'credit_void', event: 'credit.voided' },
};

function checkBlock(block: BlockRow, moves: MoveRow[], events: Map<string, number>, fail: (what: string) => void): void {
  const remaining = Number(block.remaining_minor);
  if (block.category !== 'deficit' && remaining < 0) fail(`block ${block.id} is negative (${remaining})`);
  const granted = Number(block.opening_minor) + moves.filter((m) => Number(m.amount_minor) > 0).reduce((s, m) => s + Number(m.amount_minor), 0);
  const out = (kinds: (kind: string) => boolean) => -moves.filter((m) => Number(m.amount_minor) < 0 && kinds(m.kind)).reduce((s, m) => s + Number(m.amount_minor), 0);
  const expired = out((k) => k === 'credit_expiry');
  const voided = out((k) => k === 'credit_void');
  const consumed = out((k) => k !== 'credit_expiry' && k !== 'credit_void');
  if (granted !== consumed + expired + voided + remaining) {
    fail(`block ${block.id}: granted ${granted} ≠ consumed ${consumed} + expired ${expired} + voided ${voided} + remaining ${remaining}`);
  }
  for (const [state, ending] of Object.entries(ENDINGS)) {
    const endings = new Set(moves.filter((m) => m.kind === ending.kind).map((m) => m.reference)).size;
    const sent = events.get(`${ending.event}:${block.id}`) ?? 0;
    const ended = block.state === state;
    if (ended && (remaining !== 0 || endings > 1 || sent !== 1)) fail(`block ${block.id} ${state}: remaining ${remaining}, ${endings} ledger transactions, ${sent} ${ending.event} events (want 0, ≤1, 1)`);
    if (!ended && (endings > 0 || sent > 0)) fail(`block ${block.id} is ${block.state} but has ${endings} ${ending.kind} transactions and ${sent} ${ending.event} events`);
  }
  const expiry = moves.find((m) => m.kind === 'credit_expiry');
  const late = expiry ? moves.filter((m) => m.kind === 'usage' && Number(m.seq) > Number(expiry.seq)) : [];
  if (late.length > 0) fail(`block ${block.id}: ${late.length} usage debits drew from it after its expiry`);
}

function checkAcknowledged(blocks: BlockRow[], moves: MoveRow[], seen: CreditSeen | undefined, fail: (what: string) => void): void {
  const byId = new Map(blocks.map((b) => [b.id, b]));
  for (const grant of seen?.grants ?? []) {
    const posted = moves.filter((m) => m.reference === grant.reference);
    const block = byId.get(grant.blockId);
    if (!block || posted.length !== 1 || Number(posted[0]?.amount_minor) !== grant.amountMinor || Number(block.amount_minor) !== grant.amountMinor) {
      fail(`acknowledged grant ${grant.reference}: ${posted.length} block postings, block ${block ? Number(block.amount_minor) : 'missing'}, expected ${grant.amountMinor} once`);
    }
  }
  for (const blockId of seen?.voided ?? []) {
    if (byId.get(blockId)?.state !== 'voided') fail(`acknowledged void of ${blockId}: block is ${byId.get(blockId)?.state ?? 'missing'}`);
  }
}

/** credit.expired / credit.voided events of the tenant, per `{type}:{blockId}`. */
async function eventCounts(db: BenchDatabase, tenantId: string): Promise<Map<string, number>> {
  const rows = await db.query<{ type: string; data: unknown }>("select type, data from events where tenant_id = $1 and type in ('credit.expired', 'credit.voided')", [tenantId]);
  const counts = new Map<string, number>();
  for (const row of rows) {
    const data = (typeof row.data === 'string' ? JSON.parse(row.data) : row.data) as { blockId?: string };
    const key = `${row.type}:${data.blockId ?? ''}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}
