import type { Command } from 'commander';
import { PERMISSIONS } from '../auth/permissions.ts';
import type { CommandKit } from './program.ts';

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
  program.command('serve').description('run the API (starts the Stripe sandbox when STRIPE_SECRET_KEY is unset)')
    .action(kit.plain(() => import('./serve.ts').then((m) => m.serveCommand)));
  program.command('migrate').description('apply database migrations')
    .action(kit.plain(() => import('./migrate.ts').then((m) => m.migrateCommand)));
  program.command('doctor').description('check a deployment: database, Stripe key and webhook endpoint, Redis, PUBLIC_URL')
    .action(kit.plain(() => import('./doctor.ts').then((m) => m.doctorCommand)));

  const admin = () => import('./admin.ts');
  kit.group(program, 'tenants', 'create, list, show, disable and enable tenants');
  kit.command(program, 'tenants create').description('create a tenant')
    .requiredOption('--name <name>', 'display name').requiredOption('--currency <code>', 'ISO 4217 wallet currency, e.g. BRL')
    .action(kit.withCtx(() => admin().then((m) => m.tenantsCreate)));
  kit.command(program, 'tenants list').description('list tenants')
    .action(kit.withCtx(() => admin().then((m) => m.tenantsList)));
  kit.command(program, 'tenants get').description('show one tenant').argument('<tenantId>')
    .action(kit.withCtx(() => admin().then((m) => m.tenantsGet)));
  kit.command(program, 'tenants disable').description('disable a tenant (its keys stop working)').argument('<tenantId>')
    .action(kit.withCtx(() => admin().then((m) => m.tenantsDisable)));
  kit.command(program, 'tenants enable').description('enable a disabled tenant again').argument('<tenantId>')
    .action(kit.withCtx(() => admin().then((m) => m.tenantsEnable)));
  program.command('adjust').description("adjust a tenant's wallet by hand: a ledger transaction with a reason (negative takes money out)")
    .requiredOption('--tenant <id>', 'tenant id').requiredOption('--amount <amount>', 'major units, e.g. 10.50 or -5')
    .requiredOption('--reason <text>', 'why; shown in the tenant history').option('--reference <ref>', 'makes a retry safe: the same reference adjusts once')
    .option('--allow-negative', 'let a negative adjustment take the available balance below zero')
    .action(kit.withCtx(() => admin().then((m) => m.walletAdjust)));

  kit.group(program, 'numbers', 'create numbers (sub-accounts of a tenant)');
  kit.command(program, 'numbers create').description('create a number')
    .requiredOption('--tenant <id>', 'tenant id').requiredOption('--name <name>', 'display name')
    .action(kit.withCtx(() => admin().then((m) => m.numbersCreate)));

  kit.group(program, 'keys', 'create, list and revoke API keys');
  kit.command(program, 'keys create').description('create an API key (the secret is shown once)')
    .requiredOption('--tenant <id>', 'tenant id').option('--scope <scope>', 'tenant or number', 'tenant')
    .option('--number <id>', 'number id (scope number)').option('--permissions <list>', `comma-separated, any of ${PERMISSIONS.join(', ')} (a number-scoped key: usage:write only; default: all its scope allows)`)
    .action(kit.withCtx(() => admin().then((m) => m.keysCreate)));
  kit.command(program, 'keys list').description("list a tenant's keys (never their secrets)").requiredOption('--tenant <id>', 'tenant id')
    .action(kit.withCtx(() => admin().then((m) => m.keysList)));
  kit.command(program, 'keys revoke').description('revoke a key').argument('<keyId>')
    .action(kit.withCtx(() => admin().then((m) => m.keysRevoke)));

  kit.group(program, 'ledger', 'prove the ledger');
  kit.command(program, 'ledger verify').description('prove every ledger invariant (exit 0 only if all hold)')
    .action(kit.withCtx(() => import('./ledger.ts').then((m) => m.ledgerVerify)));

  program.command('reconcile').description('catch up Stripe events, paid sessions and refunds that never arrived')
    .option('--hours <n>', 'how far back to look (default 72)')
    .action(kit.withCtx(() => import('./reconcile.ts').then((m) => m.reconcileCommand)));

  kit.group(program, 'events', 'inspect the Stripe webhook inbox');
  kit.command(program, 'events failed').description('list Stripe events that failed every attempt (dead letters)')
    .action(kit.withCtx(() => import('./events.ts').then((m) => m.eventsFailed)));

  const hooks = () => import('./webhooks.ts');
  kit.group(program, 'webhooks', "manage outgoing webhook endpoints (the admin API's /v1/admin/webhook-endpoints)");
  kit.command(program, 'webhooks create').description('register an endpoint (its secret is shown once)')
    .requiredOption('--url <url>', 'where events are POSTed').option('--events <list>', 'comma-separated event types (default: all but wallet.debited)')
    .option('--tenant <id>', "only this tenant's events").option('--description <text>', 'a note for operators')
    .action(kit.withCtx(() => hooks().then((m) => m.webhooksCreate)));
  kit.command(program, 'webhooks list').description('list endpoints').option('--tenant <id>', "only this tenant's endpoints")
    .action(kit.withCtx(() => hooks().then((m) => m.webhooksList)));
  kit.command(program, 'webhooks get').description('show one endpoint').argument('<endpointId>')
    .action(kit.withCtx(() => hooks().then((m) => m.webhooksGet)));
  kit.command(program, 'webhooks update').description('change url, events or enabled').argument('<endpointId>')
    .option('--url <url>', 'new url').option('--events <list>', 'comma-separated event types').option('--enable', 'enable').option('--disable', 'disable')
    .action(kit.withCtx(() => hooks().then((m) => m.webhooksUpdate)));
  kit.command(program, 'webhooks delete').description('delete an endpoint').argument('<endpointId>')
    .action(kit.withCtx(() => hooks().then((m) => m.webhooksDelete)));
  kit.command(program, 'webhooks rotate-secret').description('new signing secret (the old one still signs for 24 h)').argument('<endpointId>')
    .action(kit.withCtx(() => hooks().then((m) => m.webhooksRotateSecret)));
  kit.command(program, 'webhooks deliveries').description("an endpoint's recent deliveries").argument('<endpointId>')
    .action(kit.withCtx(() => hooks().then((m) => m.webhooksDeliveries)));
  kit.command(program, 'webhooks redeliver').description('queue an event again for every matching endpoint').argument('<eventId>')
    .action(kit.withCtx(() => hooks().then((m) => m.webhooksRedeliver)));
  kit.command(program, 'webhooks test').description('send a webhook_endpoint.test event').argument('<endpointId>')
    .action(kit.withCtx(() => hooks().then((m) => m.webhooksTest)));
  kit.command(program, 'webhooks deliver').description('run the delivery worker once, now')
    .action(kit.withCtx(() => hooks().then((m) => m.webhooksDeliver)));

  const autoTopup = () => import('./auto-topup.ts');
  kit.group(program, 'auto-topup', "show or set a tenant's auto top-up");
  kit.command(program, 'auto-topup show').description("a tenant's auto top-up: settings, state, this month's charges, the attempt in flight")
    .requiredOption('--tenant <id>', 'tenant id')
    .action(kit.withCtx(() => autoTopup().then((m) => m.autoTopupShow)));
  kit.command(program, 'auto-topup set').description('configure auto top-up (same validation as PUT /v1/billing/auto-topup)')
    .requiredOption('--tenant <id>', 'tenant id').requiredOption('--enabled <bool>', 'true or false').requiredOption('--threshold <amount>', 'charge when available falls below this')
    .option('--amount <amount>', 'a fixed amount per charge').option('--target-balance <amount>', 'or charge up to this balance')
    .option('--monthly-cap <amount>', 'most charged per calendar month (UTC)')
    .action(kit.withCtx(() => autoTopup().then((m) => m.autoTopupSet)));

  program.command('portal').description("print a single-use link to a tenant's billing page (valid 1 hour)")
    .requiredOption('--tenant <id>', 'tenant id').option('--return-url <url>', 'where the page links back to')
    .action(kit.withCtx(() => import('./portal.ts').then((m) => m.portalCommand)));

  // Issue 23: operator console accounts.
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

  // The sandbox keeps its own option parser (src/sandbox/cli-options.ts); program.ts hands it the raw arguments.
  program.command('sandbox').description('run the Stripe sandbox alone (purse sandbox --help)')
    .helpOption(false).allowUnknownOption().allowExcessArguments()
    .action(kit.plain(() => import('./sandbox.ts').then((m) => m.sandboxCommand)));
}
