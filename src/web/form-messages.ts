import { minorDigits } from '../money/currencies.ts';
import type { TopupBounds } from '../money/limits.ts';
import { parseMajor } from '../money/money.ts';
import { LOW_BALANCE_MINOR_MAX } from '../wallet/alerts.ts';
import { localeSeparators, readAmountInput } from '../i18n/amount-input.ts';
import type { Catalog } from '../i18n/en.ts';
import { formatMoney } from '../i18n/locale.ts';
import { AUTO_TOPUP_FIELDS, type AutoTopupField, type FieldProblem } from './render-settings.ts';

/**
 * A refused form, said for people: the machine code (and field) the service answered, or AMOUNT_AMBIGUOUS
 * when the page itself would not guess what the customer meant. The customer's text picks the wording only.
 */
export const AMBIGUOUS_CODE = 'AMOUNT_AMBIGUOUS';

export interface Problem {
  code: string;
  field: string | undefined;
}

export interface MessageFacts {
  t: Catalog;
  locale: string;
  currency: string;
  bounds: TopupBounds;
}

/** An example amount in the locale's own writing, without grouping: "1234.50", "1234,50", "1234". */
function example(m: MessageFacts): string {
  const digits = minorDigits(m.currency);
  return digits === 0 ? '1234' : `1234${localeSeparators(m.locale).decimal}${'50'.padEnd(digits, '0')}`;
}

function parsedOf(text: string, m: MessageFacts): bigint | 'invalid' | 'too_precise' {
  const read = readAmountInput(text, m.locale, m.currency);
  return read.kind === 'decimal' ? parseMajor(read.text, m.currency) : 'invalid';
}

export function topupMessage(p: Problem, m: MessageFacts, typed: string): string {
  const { t } = m;
  switch (p.code) {
    case AMBIGUOUS_CODE: return t.errorAmountAmbiguous(example(m));
    case 'AMOUNT_REQUIRED': return t.errorAmountRequired;
    case 'AMOUNT_INVALID': return parsedOf(typed, m) === 'too_precise' ? t.errorAmountTooPrecise : t.errorAmountInvalid;
    case 'AMOUNT_BELOW_MINIMUM': return t.errorAmountBelow(formatMoney(m.bounds.minMinor, m.currency, m.locale));
    case 'AMOUNT_ABOVE_MAXIMUM': return t.errorAmountAbove(formatMoney(m.bounds.maxMinor, m.currency, m.locale));
    default: return actionMessage(p.code, t);
  }
}

/** A card action or an outage, said for the banner at the top. */
export function actionMessage(code: string, t: Catalog): string {
  if (code === 'NOT_FOUND') return t.errorCardMissing;
  if (code === 'STRIPE_UNAVAILABLE') return t.errorStripe;
  return t.errorGeneric;
}

function labelOf(t: Catalog, field: AutoTopupField): string {
  return { threshold: t.autoTopupThreshold, amount: t.autoTopupAmount, targetBalance: t.autoTopupTarget, monthlyCap: t.autoTopupCap }[field];
}

export function isAutoTopupField(field: string | undefined): field is AutoTopupField {
  return (AUTO_TOPUP_FIELDS as readonly (string | undefined)[]).includes(field);
}

/** The field is the one the service named; the parse only picks the wording. */
export function autoTopupProblem(p: Problem, m: MessageFacts, values: Record<AutoTopupField, string>): FieldProblem {
  const { t } = m;
  if (p.code === 'NO_PAYMENT_METHOD') return { field: undefined, message: t.errorNoPaymentMethod };
  const field = p.field;
  if (!isAutoTopupField(field)) return { field: undefined, message: actionMessage(p.code, t) };
  const label = labelOf(t, field);
  const parsed = parsedOf(values[field], m);
  const say = (message: string): FieldProblem => ({ field, message });
  switch (p.code) {
    case AMBIGUOUS_CODE: return say(t.errorFieldAmbiguous(label, example(m)));
    case 'AMOUNT_REQUIRED': return say(field === 'amount' ? t.errorAmountOrTargetMissing : t.errorFieldRequired(label));
    case 'VALIDATION_ERROR': return say(field === 'targetBalance' ? t.errorAmountOrTarget : t.errorFieldRequired(label));
    case 'AMOUNT_INVALID': return say(invalidMessage(t, label, parsed, field === 'targetBalance'));
    case 'AMOUNT_BELOW_MINIMUM': {
      if (field !== 'monthlyCap') return say(t.errorFieldBelow(label, formatMoney(m.bounds.minMinor, m.currency, m.locale)));
      const amount = parsedOf(values.amount, m);
      return say(t.errorCapBelowCharge(formatMoney(typeof amount === 'bigint' && values.amount.trim() !== '' ? amount : m.bounds.minMinor, m.currency, m.locale)));
    }
    case 'AMOUNT_ABOVE_MAXIMUM': return say(t.errorFieldAbove(label, formatMoney(m.bounds.maxMinor, m.currency, m.locale)));
    default: return say(t.errorGeneric);
  }
}

function invalidMessage(t: Catalog, label: string, parsed: bigint | 'invalid' | 'too_precise', isTarget: boolean): string {
  if (parsed === 'too_precise') return t.errorFieldTooPrecise(label);
  if (parsed === 'invalid') return t.errorFieldInvalid(label);
  if (isTarget) return t.errorTargetNotAboveThreshold;
  return t.errorFieldPositive(label);
}

export function alertProblem(p: Problem, m: MessageFacts, value: string): FieldProblem {
  const { t } = m;
  if (p.field !== 'lowBalance') return { field: undefined, message: actionMessage(p.code, t) };
  if (p.code === AMBIGUOUS_CODE) return { field: 'lowBalance', message: t.errorFieldAmbiguous(t.alertLabel, example(m)) };
  const parsed = parsedOf(value, m);
  const message = typeof parsed === 'bigint' && parsed > LOW_BALANCE_MINOR_MAX
    ? t.errorFieldAbove(t.alertLabel, formatMoney(LOW_BALANCE_MINOR_MAX, m.currency, m.locale))
    : invalidMessage(t, t.alertLabel, parsed, false);
  return { field: 'lowBalance', message };
}
