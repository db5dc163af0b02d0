import type { AutoTopupFacts } from './settings-view.ts';
import { type Html, html } from './html.ts';
import type { Catalog } from '../i18n/en.ts';
import { formatMoney, inputAmount } from '../i18n/locale.ts';

/**
 * The page's two settings forms: auto top-up (its state, the recovery link when a payment waits for the
 * customer, the settings) and the low-balance alert. Each posts with the CSRF token; a refused save comes
 * back with the customer's text in the fields and the message next to the field it names.
 */
export const AUTO_TOPUP_FIELDS = ['threshold', 'amount', 'targetBalance', 'monthlyCap'] as const;
export type AutoTopupField = (typeof AUTO_TOPUP_FIELDS)[number];

export interface FieldProblem {
  /** The field the message names; undefined when it is about the form as a whole (no card). */
  field: AutoTopupField | 'lowBalance' | undefined;
  message: string;
}

/** A refused auto top-up save: what the customer typed, and why it was refused. */
export interface AutoTopupAttempt {
  enabled: boolean;
  values: Record<AutoTopupField, string>;
  problem: FieldProblem;
}

export interface AlertAttempt {
  value: string;
  problem: FieldProblem;
}

export interface SettingsModel {
  t: Catalog;
  locale: string;
  currency: string;
  csrf: Html;
  hasCard: boolean;
  bounds: { minMinor: bigint; maxMinor: bigint };
  autoTopup: AutoTopupFacts;
  recoveryConfirming: boolean;
  lowBalanceMinor: bigint | null;
  autoTopupAttempt?: AutoTopupAttempt | undefined;
  alertAttempt?: AlertAttempt | undefined;
}

const INPUT_IDS: Record<AutoTopupField | 'lowBalance', string> = {
  threshold: 'atu-threshold', amount: 'atu-amount', targetBalance: 'atu-target', monthlyCap: 'atu-cap', lowBalance: 'alert-low',
};

function money(m: SettingsModel, minor: bigint): string {
  return formatMoney(minor, m.currency, m.locale);
}

function typed(m: SettingsModel, minor: bigint | null): string {
  return minor === null ? '' : inputAmount(minor, m.currency, m.locale);
}

export function autoTopupSection(m: SettingsModel): Html {
  const { t, autoTopup: a } = m;
  const attempt = m.autoTopupAttempt;
  const values: Record<AutoTopupField, string> = attempt?.values ?? {
    threshold: typed(m, a.thresholdMinor), amount: typed(m, a.amountMinor), targetBalance: typed(m, a.targetBalanceMinor), monthlyCap: typed(m, a.monthlyCapMinor),
  };
  const enabled = attempt ? attempt.enabled : a.state !== 'off';
  const formProblem = attempt && attempt.problem.field === undefined ? html`<p class="field-error" id="atu-error" role="alert">${attempt.problem.message}</p>` : '';
  const field = (name: AutoTopupField, label: string, hint: string) => amountField(INPUT_IDS[name], name, label, hint, values[name], attempt?.problem);
  return html`<section aria-labelledby="autotopup-h" id="auto-topup"><h2 id="autotopup-h">${t.autoTopupHeading}</h2>
<p class="hint">${t.autoTopupIntro}</p>
${stateLine(m)}${m.hasCard ? '' : html`<p class="note" data-no-card>${t.autoTopupNoCard}</p>`}
<form method="post" action="/billing/auto-topup" class="settings" novalidate>${m.csrf}${formProblem}
<p class="check"><input type="checkbox" id="atu-enabled" name="enabled" value="on"${enabled ? html` checked` : ''}> <label for="atu-enabled">${t.autoTopupEnabled}</label></p>
${field('threshold', t.autoTopupThreshold, t.autoTopupThresholdHint)}
${field('amount', t.autoTopupAmount, t.autoTopupAmountHint(money(m, m.bounds.minMinor), money(m, m.bounds.maxMinor)))}
${field('targetBalance', t.autoTopupTarget, t.autoTopupTargetHint)}
${field('monthlyCap', t.autoTopupCap, t.autoTopupCapHint)}
<button type="submit" class="primary">${t.autoTopupSave}</button>
</form></section>`;
}

/** Where auto top-up stands: on (with what it will charge), off, paused (why, and the way out), disabled. */
function stateLine(m: SettingsModel): Html {
  const { t, autoTopup: a } = m;
  const charged = a.monthlyCapMinor !== null
    ? t.autoTopupChargedOfCap(money(m, a.chargedThisMonthMinor), money(m, a.monthlyCapMinor))
    : t.autoTopupCharged(money(m, a.chargedThisMonthMinor));
  const chargedLine = a.state !== 'off' && (a.chargedThisMonthMinor > 0n || a.monthlyCapMinor !== null) ? html`<p class="hint">${charged}</p>` : '';
  const line = (tone: string, text: Html | string) => html`<div class="state ${tone}" id="atu-state" data-state="${a.state}">${text}</div>${chargedLine}`;
  if (a.state === 'active' && a.thresholdMinor !== null) {
    const text = a.amountMinor !== null
      ? t.autoTopupActiveAmount(money(m, a.thresholdMinor), money(m, a.amountMinor))
      : t.autoTopupActiveTarget(money(m, a.thresholdMinor), money(m, a.targetBalanceMinor ?? 0n));
    return line('ok', html`<p>${text}</p>`);
  }
  if (a.state === 'paused' && a.pausedReason === 'authentication_required' && m.recoveryConfirming) return line('info', html`<p>${t.autoTopupPausedConfirming}</p>`);
  if (a.state === 'paused' && a.pausedReason === 'authentication_required') {
    const link = a.recoveryUrl ? html` <a href="${a.recoveryUrl}" id="atu-recovery">${t.autoTopupRecoveryLink}</a>` : '';
    return line('error', html`<p>${t.autoTopupPausedAuth}${link}</p>`);
  }
  if (a.state === 'paused') return line('error', html`<p>${t.autoTopupPausedNoCard}</p>`);
  if (a.state === 'disabled') return line('error', html`<p>${t.autoTopupDisabled}</p>`);
  return line('info', html`<p>${t.autoTopupOff}</p>`);
}

function amountField(id: string, name: string, label: string, hint: string, value: string, problem: FieldProblem | undefined): Html {
  const error = problem && problem.field === name ? problem.message : undefined;
  return html`<label for="${id}">${label}</label>
<p class="hint" id="${id}-hint">${hint}</p>
${error ? html`<p class="field-error" id="${id}-error">${error}</p>` : ''}
<input type="text" id="${id}" name="${name}" inputmode="decimal" autocomplete="off" value="${value}"
 aria-describedby="${error ? `${id}-error ` : ''}${id}-hint"${error ? html` aria-invalid="true" autofocus` : ''}>`;
}

export function alertSection(m: SettingsModel): Html {
  const { t } = m;
  const attempt = m.alertAttempt;
  const current = m.lowBalanceMinor === null ? t.alertNone : t.alertCurrent(money(m, m.lowBalanceMinor));
  return html`<section aria-labelledby="alert-h" id="low-balance"><h2 id="alert-h">${t.alertHeading}</h2>
<p id="alert-current">${current}</p>
<form method="post" action="/billing/alerts" class="settings" novalidate>${m.csrf}
${amountField(INPUT_IDS.lowBalance, 'lowBalance', t.alertLabel, t.alertHint, attempt?.value ?? typed(m, m.lowBalanceMinor), attempt?.problem)}
<button type="submit" class="primary">${t.alertSave}</button>
</form></section>`;
}
