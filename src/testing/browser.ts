import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium, never a downloaded browser; flags keep it off this machine's closed network. */
export const CHROMIUM_PATH = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'];

/** Whether browser tests run here. Under CI (PURSE_REQUIRE_BROWSER=1) a missing Chromium is a failure. */
export function browserAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  if (process.env.PURSE_REQUIRE_BROWSER === '1') throw new Error(`PURSE_REQUIRE_BROWSER=1 but ${CHROMIUM_PATH} is missing (apt-get install chromium)`);
  console.warn(`${CHROMIUM_PATH} is missing: browser tests are skipped (set PURSE_REQUIRE_BROWSER=1 to make this a failure)`);
  return false;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}
