import type { SessionRecord } from '../checkout-types.ts';
import { html, layout } from './html.ts';
import { type FormValues, money } from './render.ts';
import { DEFAULT_PAGE_LOCALE, type PageLocale } from './words.ts';

/** The form field whose value says what the shopper did on the challenge step. */
export const challengeField = 'challenge';
export type ChallengeChoice = 'complete' | 'fail';

export function challengeChoiceOf(values: FormValues): ChallengeChoice | null {
  const choice = values[challengeField];
  if (choice === 'complete' || choice === 'fail') return choice;
  return null;
}

/**
 * The 3D Secure step Stripe shows for cards that need authentication (4000002500003155, 4000002760003184):
 * the shopper's bank asks them to confirm. The submitted form travels along in hidden fields, so the page
 * keeps no state; completing pays (or saves) exactly as the first submit would have, failing refuses it.
 */
export function renderChallengePage(record: SessionRecord, values: FormValues, page: PageLocale = DEFAULT_PAGE_LOCALE): string {
  const { session } = record;
  const { words } = page;
  const hidden = Object.entries(values)
    .filter(([name]) => name !== challengeField && name !== 'action')
    .map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`);
  const what = session.mode === 'payment'
    ? words.challengeWhatPayment(money({ page }, session.amount_total ?? 0, session.currency ?? 'usd'))
    : words.challengeWhatSetup;
  const last4 = (values.cardNumber ?? '').replace(/\D/g, '').slice(-4);
  const body = html`<h1 id="challenge-heading">${words.challengeHeading}</h1>
<p>${words.challengeText(what, last4)}</p>
<p class="note">${words.challengeNote}</p>
<form method="post" action="/c/pay/${session.id}">
  ${hidden}
  <input type="hidden" name="action" value="pay">
  <div class="actions">
    <button type="submit" name="${challengeField}" value="complete" class="primary" id="challenge-complete">${words.challengeComplete}</button>
    <button type="submit" name="${challengeField}" value="fail" class="secondary" id="challenge-fail">${words.challengeFail}</button>
  </div>
</form>`;
  return layout(words.challengeTitle, body, words);
}
