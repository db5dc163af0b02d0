import { type Lang, catalogOf } from '../i18n/locale.ts';

/** Every word the receipt and statement documents print, per language (en, pt-BR). */
export interface DocumentLabels {
  receipt: string;
  creditNote: string;
  statement: string;
  number: string;
  date: string;
  period: string;
  billedTo: string;
  taxId: string;
  credited: string;
  refunded: string;
  tax: string;
  total: string;
  presentment: string;
  card: string;
  stripeReceipt: string;
  walletTopup: string;
  autoTopup: string;
  refund: string;
  opening: string;
  credits: string;
  debits: string;
  closing: string;
  count: string;
  amount: string;
  otherKind: string;
}

const en: DocumentLabels = {
  receipt: 'Receipt', creditNote: 'Credit note', statement: 'Statement', number: 'Number', date: 'Date', period: 'Period',
  billedTo: 'Billed to', taxId: 'Tax ID', credited: 'Credited to wallet', refunded: 'Refunded from wallet', tax: 'Tax', total: 'Total charged',
  presentment: 'Charged in', card: 'Card', stripeReceipt: 'Stripe receipt', walletTopup: 'Wallet top-up', autoTopup: 'Automatic wallet top-up',
  refund: 'Refund', opening: 'Opening balance', credits: 'Credits', debits: 'Debits', closing: 'Closing balance', count: 'Count', amount: 'Amount', otherKind: 'Other',
};

const ptBR: DocumentLabels = {
  receipt: 'Recibo', creditNote: 'Nota de crédito', statement: 'Extrato', number: 'Número', date: 'Data', period: 'Período',
  billedTo: 'Cobrado de', taxId: 'CNPJ/CPF', credited: 'Creditado na carteira', refunded: 'Estornado da carteira', tax: 'Impostos', total: 'Total cobrado',
  presentment: 'Cobrado em', card: 'Cartão', stripeReceipt: 'Recibo Stripe', walletTopup: 'Recarga da carteira', autoTopup: 'Recarga automática da carteira',
  refund: 'Reembolso', opening: 'Saldo inicial', credits: 'Créditos', debits: 'Débitos', closing: 'Saldo final', count: 'Quantidade', amount: 'Valor', otherKind: 'Outros',
};

const LABELS: Record<Lang, DocumentLabels> = { en, 'pt-BR': ptBR };

export function labelsOf(lang: Lang): DocumentLabels {
  return LABELS[lang];
}

/**
 * A ledger kind for people. The names live in one place, the billing page's catalogs (web/i18n: `kinds`);
 * a kind they do not name yet (one another feature adds) reads "Other (its_kind)" instead of failing.
 */
export function kindLabel(kind: string, lang: Lang): string {
  return catalogOf(lang).kinds[kind] ?? `${LABELS[lang].otherKind} (${kind})`;
}
