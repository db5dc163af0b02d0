import tseslint from 'typescript-eslint';

/**
 * The layering, held by the linter (STYLE.md): http → capability → ledger → store. A capability never
 * imports http; ledger imports no capability; the payment gateway sits below every capability; the
 * Stripe adapter (stripe/) sits above the capabilities it feeds; sandbox imports nothing of Purse.
 */
const CAPABILITIES = ['checkout', 'wallet', 'credits', 'receipts', 'customers', 'operators', 'audit', 'tenants', 'refunds', 'stripe', 'web', 'idempotency', 'portal', 'webhooks', 'auto-topup'];
/**
 * The declared order of the capabilities, bottom first: each may import only those before it. `auth` and
 * `api` (the route kit) sit at the bottom beside idempotency; `stripe/` (the event adapter) and `web/` (the
 * pages) sit on top because they feed or show every capability below them.
 */
const CAPABILITY_ORDER = ['idempotency', 'auth', 'api', 'audit', 'operators', 'webhooks', 'tenants', 'customers', 'credits', 'receipts', 'auto-topup', 'wallet', 'checkout', 'refunds', 'portal', 'stripe', 'web'];
const ABOVE_CAPABILITIES = ['http', 'cli', 'jobs', 'testing', 'e2e', 'console'];
const folders = (names) => `(^|/)(${names.join('|')})/`;
const banned = (names, message) => ({ regex: folders(names), message });
const rootFiles = { regex: '^\\.\\./(app|main)\\.ts$', message: 'Only the entry points assemble the app.' };

/** Production code only: tests stand above everything and may reach any layer. */
function layer(files, patterns, paths = []) {
  return { files, ignores: ['**/*.test.ts'], rules: { 'no-restricted-imports': ['error', { patterns, paths }] } };
}

const FILE_LINES_MAX = 300;
const FUNCTION_LINES_MAX = 60;

const STRIPE_SDK = { name: 'stripe', message: 'Only gateway/ (requests) and stripe/ (events) speak Stripe; capabilities use ctx.payments.' };

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'bench/results/**', 'dist/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    files: ['**/*.test.ts', 'src/testing/**', 'bench/**', 'chaos/**'],
    rules: { 'no-console': 'off' },
  },
  // Size (STYLE.md): files ≤ FILE_LINES_MAX lines, functions ≤ FUNCTION_LINES_MAX, counted as written
  // (blank lines and comments count too: a long comment is still a long file). Tests are held to the same
  // bounds (a describe or it callback is a function). Only the forward-only migrations are exempt: a
  // migration is frozen once shipped and is never split.
  {
    files: ['{src,scripts,chaos,bench}/**/*.ts'],
    ignores: ['src/store/migrations/**'],
    rules: {
      'max-lines': ['error', { max: FILE_LINES_MAX, skipBlankLines: false, skipComments: false }],
      'max-lines-per-function': ['error', { max: FUNCTION_LINES_MAX, skipBlankLines: false, skipComments: false, IIFEs: true }],
    },
  },
  // Capabilities: never the HTTP assembly, the CLI, the jobs, the sandbox or the Stripe adapter above them,
  // and never a capability declared above their own (CAPABILITY_ORDER).
  ...CAPABILITY_ORDER.map((name, i) => layer(
    [`src/${name}/**/*.ts`],
    [
      banned([...ABOVE_CAPABILITIES, 'sandbox', ...(name === 'stripe' ? [] : ['stripe'])], 'A capability never imports the layers above it (http, cli, jobs, the Stripe adapter).'),
      ...(i + 1 < CAPABILITY_ORDER.length ? [banned(CAPABILITY_ORDER.slice(i + 1), `${name}/ sits below ${CAPABILITY_ORDER.slice(i + 1).join(', ')} in CAPABILITY_ORDER and imports none of them.`)] : []),
      rootFiles,
    ],
    name === 'stripe' ? [] : [STRIPE_SDK],
  )),
  // The console (issue 23) sits beside http/: pages over the capabilities and the Stripe adapter, never the server assembly.
  layer(['src/console/**/*.ts'], [banned(['http', 'cli', 'jobs', 'testing', 'e2e', 'sandbox'], 'console/ imports capabilities, never the layers beside or above it.'), rootFiles], [STRIPE_SDK]),
  // The ledger: accounts, transactions, postings, verify. No capability.
  layer(['src/ledger/**/*.ts'], [
    banned([...ABOVE_CAPABILITIES, ...CAPABILITIES, 'sandbox', 'gateway', 'auth', 'api'], 'ledger/ imports no capability.'),
    { regex: '^\\.\\./context\\.ts$', message: 'ledger/ is pure: it takes a database, never the app context.' },
    rootFiles,
  ], [STRIPE_SDK]),
  // The money seam (moveMoney, emit, the outbox): below every capability, above the ledger.
  layer(['src/events/**/*.ts'], [banned([...ABOVE_CAPABILITIES, ...CAPABILITIES, 'sandbox', 'gateway'], 'events/ is the seam below the capabilities: it imports none of them.'), rootFiles], [STRIPE_SDK]),
  // Storage and the pure helpers at the bottom.
  layer(['src/{store,money,ids,errors,state-machine,i18n}/**/*.ts'], [banned([...ABOVE_CAPABILITIES, ...CAPABILITIES, 'sandbox', 'gateway', 'ledger', 'auth', 'api'], 'store/ and the pure helpers import nothing above them.'), rootFiles], [STRIPE_SDK]),
  // The payment gateway builds Stripe requests and sits below every capability.
  layer(['src/gateway/**/*.ts'], [banned([...ABOVE_CAPABILITIES, ...CAPABILITIES, 'sandbox', 'ledger', 'store', 'auth', 'api'], 'gateway/ imports no capability.'), rootFiles]),
  // Ctx depends on the gateway interface, never on the Stripe adapter.
  layer(['src/context.ts'], [{ regex: '^\\./(stripe|gateway/stripe-gateway)', message: 'Ctx names the PaymentGateway interface only.' }]),
  // The sandbox is a Stripe of its own: nothing of Purse, except the neutral currency table both share
  // (Stripe's own minor units per currency, a fact about Stripe, not about Purse).
  layer(['src/sandbox/*.ts'], [{ regex: '^\\.\\./(?!currency-table/)', message: 'sandbox/ imports nothing of Purse.' }]),
  layer(['src/sandbox/*/**/*.ts'], [{ regex: '^\\.\\./\\.\\./(?!currency-table/)', message: 'sandbox/ imports nothing of Purse.' }]),
  // The currency table is a leaf: it imports nothing of Purse or the sandbox.
  layer(['src/currency-table/**/*.ts'], [{ regex: '^\\.\\./', message: 'currency-table/ is a leaf shared by Purse and the sandbox.' }]),
);
