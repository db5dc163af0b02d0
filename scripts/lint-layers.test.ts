import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * The layering in eslint.config.js, proved on code that breaks it: each case lints a one-line file as if it
 * stood at that path and expects the import rule to refuse it (or to let it pass).
 */
const ROOT = new URL('../', import.meta.url).pathname;
const eslint = new ESLint({ cwd: ROOT });

async function importRuleMessages(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport const used = x;\n`, { filePath: `${ROOT}${filePath}` });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('lint holds the layers', () => {
  it.each([
    ['src/auto-topup/x.ts', "import type x from 'stripe';", 'Only gateway/'],
    ['src/checkout/x.ts', "import x from 'stripe';", 'Only gateway/'],
    ['src/ledger/x.ts', "import { x } from '../checkout/create-checkout.ts';", 'ledger/ imports no capability'],
    ['src/ledger/x.ts', "import type { x } from '../context.ts';", 'ledger/ is pure'],
    ['src/ledger/x.ts', "import { x } from '../api/kit.ts';", 'ledger/ imports no capability'],
    ['src/wallet/x.ts', "import { x } from '../http/server.ts';", 'never imports the layers above it'],
    ['src/store/x.ts', "import { x } from '../ledger/accounts.ts';", 'import nothing above them'],
    ['src/gateway/x.ts', "import { x } from '../wallet/debit-usage.ts';", 'gateway/ imports no capability'],
    ['src/sandbox/x.ts', "import { x } from '../money/money.ts';", 'sandbox/ imports nothing of Purse'],
    // The declared order of capabilities (CAPABILITY_ORDER): a capability imports only those below it.
    ['src/customers/x.ts', "import { x } from '../auto-topup/card-changes.ts';", 'customers/ sits below'],
    ['src/auto-topup/x.ts', "import { x } from '../checkout/create-checkout.ts';", 'auto-topup/ sits below'],
    ['src/wallet/x.ts', "import { x } from '../refunds/disputes.ts';", 'wallet/ sits below'],
    ['src/tenants/x.ts', "import { x } from '../wallet/debit-usage.ts';", 'tenants/ sits below'],
    ['src/webhooks/x.ts', "import { x } from '../tenants/create-tenant.ts';", 'webhooks/ sits below'],
    ['src/refunds/x.ts', "import { x } from '../stripe/inbox.ts';", 'refunds/ sits below'],
  ])('refuses %s: %s', async (file, code, message) => {
    const messages = await importRuleMessages(file, code);
    expect(messages.join('\n')).toContain(message);
  });

  it.each([
    ['src/gateway/x.ts', "import type x from 'stripe';"],
    ['src/stripe/x.ts', "import type x from 'stripe';"],
    ['src/wallet/x.test.ts', "import { x } from '../http/server.ts';"],
    ['src/checkout/x.ts', "import { x } from '../gateway/payment-gateway.ts';"],
    ['src/checkout/x.ts', "import { x } from '../customers/ensure-customer.ts';"],
    ['src/stripe/x.ts', "import { x } from '../refunds/disputes.ts';"],
    ['src/web/x.ts', "import { x } from '../wallet/debit-usage.ts';"],
  ])('allows %s: %s', async (file, code) => {
    expect(await importRuleMessages(file, code)).toEqual([]);
  });
});
