import type { Command } from 'commander';
import { PERMISSIONS } from '../auth/permissions.ts';
import type { CommandKit } from './kit.ts';

/**
 * Every `purse` command, registered with commander (https://github.com/tj/commander.js).
 *
 * To add a command, add a few lines here and nothing else in the CLI:
 *
 *   kit.command(program, 'webhooks list').description('list the webhook endpoints')
 *     .requiredOption('--tenant <id>', 'tenant id')
 *     .action(kit.withCtx(() => import('../webhooks/webhooks-cli.ts').then((m) => m.listWebhooks)));
 *
 * - A handler is `(ctx, opts, args) => Promise<number | void>` (exit code, 0 when void) for `withCtx`
 *   (configuration parsed, database opened and migrated, closed afterwards), or `(opts, args)` for `plain`.
 *   A command that changes anything (moves money, changes a tenant, key, endpoint…) uses `audited` instead
 *   of `withCtx`: the same, plus an audit log entry as actor `cli:<os user>` in its first commit (cli-audit.ts).
 *   Print with `output(opts, data, humanText)` from ./output.ts; throw PurseError (exit 1, its JSON on
 *   stderr) or UsageError (exit 64, with the usage).
 * - Load the handler with `import()` as above, never a static import of service code: only this table
 *   is loaded for `purse --help`, which keeps every command fast to start.
 * - `--json` is added to every command by program.ts; do not declare it.
 * - `kit.command` takes a multi-word name ('webhooks list') and creates the group on first use;
 *   `kit.group(program, 'webhooks', text)` gives the group a description. One-word commands use
 *   commander's own `program.command(name)`.
 */
export function registerCommands(program: Command, kit: CommandKit): void {
  registerRunCommands(program, kit);
  registerTenantCommands(program, kit);
  registerOperationsCommands(program, kit);
  registerWebhookCommands(program, kit);
  registerBillingCommands(program, kit);
  registerOperatorCommands(program, kit);
}

/** Running Purse: the server, migrations, the deployment check, the sandbox alone. */
function registerRunCommands(program: Command, kit: CommandKit): void {
  program.command('serve').description('run the API (starts the Stripe sandbox when STRIPE_SECRET_KEY is unset)')
    .action(kit.plain(() => import('./serve.ts').then((m) => m.serveCommand)));
  program.command('migrate').description('apply database migrations')
    .action(kit.plain(() => import('./migrate.ts').then((m) => m.migrateCommand)));
  program.command('doctor').description('check a deployment: database, Stripe key and webhook endpoint, Redis, PUBLIC_URL')
    .action(kit.plain(() => import('./doctor.ts').then((m) => m.doctorCommand)));
  // The sandbox keeps its own option parser (src/sandbox/cli-options.ts); program.ts hands it the raw arguments.
  program.command('sandbox').description('run the Stripe sandbox alone (purse sandbox --help)')
    .helpOption(false).allowUnknownOption().allowExcessArguments()
    .action(kit.plain(() => import('./sandbox.ts').then((m) => m.sandboxCommand)));
}

const admin = () => import('./admin.ts');

/** Tenants, their numbers, API keys and hand adjustments. */
function registerTenantCommands(program: Command, kit: CommandKit): void {
  kit.group(program, 'tenants', 'create, list, show, disable and enable tenants');
  kit.command(program, 'tenants create').description('create a tenant')
    .requiredOption('--name <name>', 'display name').requiredOption('--currency <code>', 'ISO 4217 wallet currency, e.g. BRL')
    .action(kit.audited(() => admin().then((m) => m.tenantsCreate)));
  kit.command(program, 'tenants list').description('list tenants')
    .action(kit.withCtx(() => admin().then((m) => m.tenantsList)));
  kit.command(program, 'tenants get').description('show one tenant').argument('<tenantId>')
    .action(kit.withCtx(() => admin().then((m) => m.tenantsGet)));
  kit.command(program, 'tenants disable').description('disable a tenant (its keys stop working)').argument('<tenantId>')
    .action(kit.audited(() => admin().then((m) => m.tenantsDisable)));
  kit.command(program, 'tenants enable').description('enable a disabled tenant again').argument('<tenantId>')
    .action(kit.audited(() => admin().then((m) => m.tenantsEnable)));
  program.command('adjust').description("adjust a tenant's wallet by hand: a ledger transaction with a reason (negative takes money out)")
    .requiredOption('--tenant <id>', 'tenant id').requiredOption('--amount <amount>', 'major units, e.g. 10.50 or -5')
    .requiredOption('--reason <text>', 'why; shown in the tenant history').option('--reference <ref>', 'makes a retry safe: the same reference adjusts once')
    .option('--allow-negative', 'let a negative adjustment take the available balance below zero')
    .action(kit.audited(() => admin().then((m) => m.walletAdjust)));

  // issue 21: credit blocks
  const credits = () => import('./credits.ts');
  kit.group(program, 'credits', 'grant, list and void credit blocks (promotional and expiring credit)');
  kit.command(program, 'credits grant').description('grant promotional credit: a credit block, optionally expiring')
    .requiredOption('--tenant <id>', 'tenant id').requiredOption('--amount <amount>', 'major units, e.g. 10.00')
    .requiredOption('--reason <text>', 'why').option('--expires-at <iso>', 'ISO 8601 date-time in the future')
    .option('--priority <n>', 'lower draws first (default 10)').option('--reference <ref>', 'makes a retry safe: the same reference grants once')
    .action(kit.audited(() => credits().then((m) => m.creditsGrant)));
  kit.command(program, 'credits list').description("list a tenant's credit blocks").requiredOption('--tenant <id>', 'tenant id')
    .option('--status <status>', 'active, expired, depleted or voided')
    .action(kit.withCtx(() => credits().then((m) => m.creditsList)));
  kit.command(program, 'credits void').description('void a credit block: its remainder leaves the wallet').argument('<blockId>')
    .requiredOption('--reason <text>', 'why')
    .action(kit.audited(() => credits().then((m) => m.creditsVoid)));

  kit.group(program, 'numbers', 'create numbers (sub-accounts of a tenant)');
  kit.command(program, 'numbers create').description('create a number')
    .requiredOption('--tenant <id>', 'tenant id').requiredOption('--name <name>', 'display name')
    .action(kit.audited(() => admin().then((m) => m.numbersCreate)));

  kit.group(program, 'keys', 'create, list and revoke API keys');
  kit.command(program, 'keys create').description('create an API key (the secret is shown once)')
    .requiredOption('--tenant <id>', 'tenant id').option('--scope <scope>', 'tenant or number', 'tenant')
    .option('--number <id>', 'number id (scope number)').option('--permissions <list>', `comma-separated, any of ${PERMISSIONS.join(', ')} (a number-scoped key: usage:write only; default: all its scope allows)`)
    .action(kit.audited(() => admin().then((m) => m.keysCreate)));
  kit.command(program, 'keys list').description("list a tenant's keys (never their secrets)").requiredOption('--tenant <id>', 'tenant id')
    .action(kit.withCtx(() => admin().then((m) => m.keysList)));
  kit.command(program, 'keys revoke').description('revoke a key').argument('<keyId>')
    .action(kit.audited(() => admin().then((m) => m.keysRevoke)));
}

/** Proving and repairing: ledger verify, reconcile, the inbox's dead letters. */
function registerOperationsCommands(program: Command, kit: CommandKit): void {
  kit.group(program, 'ledger', 'prove the ledger');
  kit.command(program, 'ledger verify').description('prove every ledger invariant (exit 0 only if all hold)')
    .action(kit.withCtx(() => import('./ledger.ts').then((m) => m.ledgerVerify)));

  program.command('reconcile').description('catch up Stripe events, paid sessions and refunds that never arrived')
    .option('--hours <n>', 'how far back to look (default 72)')
    .action(kit.audited(() => import('./reconcile.ts').then((m) => m.reconcileCommand)));

  kit.group(program, 'events', 'inspect the Stripe webhook inbox');
  kit.command(program, 'events failed').description('list Stripe events that failed every attempt (dead letters)')
    .action(kit.withCtx(() => import('./events.ts').then((m) => m.eventsFailed)));
}

/** Outgoing webhook endpoints and their deliveries. */
function registerWebhookCommands(program: Command, kit: CommandKit): void {
  const hooks = () => import('./webhooks.ts');
  kit.group(program, 'webhooks', "manage outgoing webhook endpoints (the admin API's /v1/admin/webhook-endpoints)");
  kit.command(program, 'webhooks create').description('register an endpoint (its secret is shown once)')
    .requiredOption('--url <url>', 'where events are POSTed').option('--events <list>', 'comma-separated event types (default: all but wallet.debited)')
    .option('--tenant <id>', "only this tenant's events").option('--description <text>', 'a note for operators')
    .action(kit.audited(() => hooks().then((m) => m.webhooksCreate)));
  kit.command(program, 'webhooks list').description('list endpoints').option('--tenant <id>', "only this tenant's endpoints")
    .action(kit.withCtx(() => hooks().then((m) => m.webhooksList)));
  kit.command(program, 'webhooks get').description('show one endpoint').argument('<endpointId>')
    .action(kit.withCtx(() => hooks().then((m) => m.webhooksGet)));
  kit.command(program, 'webhooks update').description('change url, events or enabled').argument('<endpointId>')
    .option('--url <url>', 'new url').option('--events <list>', 'comma-separated event types').option('--enable', 'enable').option('--disable', 'disable')
    .action(kit.audited(() => hooks().then((m) => m.webhooksUpdate)));
  kit.command(program, 'webhooks delete').description('delete an endpoint').argument('<endpointId>')
    .action(kit.audited(() => hooks().then((m) => m.webhooksDelete)));
  kit.command(program, 'webhooks rotate-secret').description('new signing secret (the old one still signs for 24 h)').argument('<endpointId>')
    .action(kit.audited(() => hooks().then((m) => m.webhooksRotateSecret)));
  kit.command(program, 'webhooks deliveries').description("an endpoint's recent deliveries").argument('<endpointId>')
    .action(kit.withCtx(() => hooks().then((m) => m.webhooksDeliveries)));
  kit.command(program, 'webhooks redeliver').description('queue an event again for every matching endpoint').argument('<eventId>')
    .action(kit.audited(() => hooks().then((m) => m.webhooksRedeliver)));
  kit.command(program, 'webhooks test').description('send a webhook_endpoint.test event').argument('<endpointId>')
    .action(kit.audited(() => hooks().then((m) => m.webhooksTest)));
  kit.command(program, 'webhooks deliver').description('run the delivery worker once, now')
    .action(kit.withCtx(() => hooks().then((m) => m.webhooksDeliver)));
}

/** A tenant's billing: auto top-up and the billing page link. */
function registerBillingCommands(program: Command, kit: CommandKit): void {
  const autoTopup = () => import('./auto-topup.ts');
  kit.group(program, 'auto-topup', "show or set a tenant's auto top-up");
  kit.command(program, 'auto-topup show').description("a tenant's auto top-up: settings, state, this month's charges, the attempt in flight")
    .requiredOption('--tenant <id>', 'tenant id')
    .action(kit.withCtx(() => autoTopup().then((m) => m.autoTopupShow)));
  kit.command(program, 'auto-topup set').description('configure auto top-up (same validation as PUT /v1/billing/auto-topup)')
    .requiredOption('--tenant <id>', 'tenant id').requiredOption('--enabled <bool>', 'true or false').requiredOption('--threshold <amount>', 'charge when available falls below this')
    .option('--amount <amount>', 'a fixed amount per charge').option('--target-balance <amount>', 'or charge up to this balance')
    .option('--monthly-cap <amount>', 'most charged per calendar month (UTC)')
    .action(kit.audited(() => autoTopup().then((m) => m.autoTopupSet)));

  // Issue 22.
  const receipts = () => import('./receipts.ts');
  kit.group(program, 'receipts', 'receipts and credit notes');
  kit.command(program, 'receipts list').description('the newest receipts and credit notes').option('--tenant <id>', 'only this tenant')
    .action(kit.withCtx(() => receipts().then((m) => m.receiptsList)));
  kit.command(program, 'receipts show').description('one receipt or credit note').argument('<idOrNumber>', 'rcp_… or its number (PUR-000001)')
    .action(kit.withCtx(() => receipts().then((m) => m.receiptsShow)));
  kit.command(program, 'receipts pdf').description('write a receipt or credit note as PDF').argument('<idOrNumber>', 'rcp_… or its number')
    .option('--out <file>', 'where to write it (default: {number}.pdf)').option('--lang <lang>', 'en or pt-BR', 'en')
    .action(kit.withCtx(() => receipts().then((m) => m.receiptsPdf)));

  program.command('portal').description("print a single-use link to a tenant's billing page (valid 1 hour)")
    .requiredOption('--tenant <id>', 'tenant id').option('--return-url <url>', 'where the page links back to')
    .action(kit.audited(() => import('./portal.ts').then((m) => m.portalCommand)));
}

/** Issue 23: operator console accounts. */
function registerOperatorCommands(program: Command, kit: CommandKit): void {
  const operators = () => import('./operators.ts');
  kit.group(program, 'operators', 'operator console accounts (owner, support, viewer)');
  kit.command(program, 'operators create').description('create an operator and print a one-time set-password link (valid 24 h)')
    .requiredOption('--email <email>', 'login email').requiredOption('--role <role>', 'owner, support or viewer')
    .action(kit.withCtx(() => operators().then((m) => m.operatorsCreate)));
  kit.command(program, 'operators list').description('list operators').action(kit.withCtx(() => operators().then((m) => m.operatorsList)));
  kit.command(program, 'operators disable').description('disable an operator and end its sessions').argument('<idOrEmail>')
    .action(kit.withCtx(() => operators().then((m) => m.operatorsDisable)));
  kit.command(program, 'operators reset-password').description('end the password and sessions; print a new one-time link').argument('<idOrEmail>')
    .action(kit.withCtx(() => operators().then((m) => m.operatorsResetPassword)));
}
