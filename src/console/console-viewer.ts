import type { Lang } from '../i18n/locale.ts';
import type { OperatorSession } from '../operators/sessions.ts';
import type { ConsoleText } from './console-i18n.ts';

/** A console page being answered: its language, text, CSP nonce and when it started (for Server-Timing). */
export interface ConsolePage {
  lang: Lang;
  t: ConsoleText;
  nonce: string;
  startMs: number;
}

/** A console page answered to a signed-in operator, with the CSRF token its forms carry. */
export interface ConsoleViewer extends ConsolePage {
  operator: OperatorSession;
  csrf: string;
}
