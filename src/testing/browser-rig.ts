import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { asKey, type TestTenant } from './api.ts';
import { launchChromium } from './browser.ts';
import { freePort } from './process.ts';
import { type Rig, startRig } from './stripe-rig.ts';

/** What the describes of one browser test file share: Purse and the sandbox on a port PUBLIC_URL names, and one Chromium. */
export interface BrowserRig {
  readonly rig: Rig;
  readonly browser: Browser;
  /** A fresh portal link for the tenant (body: what POST /v1/billing/portal-sessions takes, e.g. returnUrl). */
  linkFor(tenant: TestTenant, body?: Record<string, unknown>): Promise<string>;
}

export interface BrowserRigOptions {
  /** False where there is no Chromium: the hooks then do nothing (the file's describes are skipped). */
  enabled: boolean;
  timeoutMs: number;
  /** Purse environment on top of PUBLIC_URL. */
  env?: Record<string, string>;
}

/**
 * Call at module level: registers the hooks that start the rig and Chromium once for the whole file and close
 * both after it, so every describe in the file shares one browser.
 */
export function useBrowserRig(opts: BrowserRigOptions): BrowserRig {
  let rig: Rig | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    if (!opts.enabled) return;
    const port = await freePort();
    rig = await startRig({ port, env: { PUBLIC_URL: `http://127.0.0.1:${port}`, ...opts.env } });
    browser = await launchChromium();
  }, opts.timeoutMs);
  afterAll(async () => {
    await browser?.close();
    await rig?.close();
  });
  const shared: BrowserRig = {
    get rig(): Rig {
      if (!rig) throw new Error('the browser rig is not started');
      return rig;
    },
    get browser(): Browser {
      if (!browser) throw new Error('Chromium is not started');
      return browser;
    },
    async linkFor(tenant, body = {}) {
      return (await asKey(shared.rig.purse, tenant.tenantKey, 'POST', '/v1/billing/portal-sessions', body)).body.url as string;
    },
  };
  return shared;
}
