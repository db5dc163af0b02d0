/** Purse may be down (a kill in a schedule running beside this one): calls wait for it, within PURSE_DOWN_WAIT_MS. */
export const PURSE_DOWN_WAIT_MS = 120_000;
export const PURSE_DOWN_POLL_MS = 100;

/** A call to Purse, retried while Purse is down (connection refused or reset); any HTTP answer ends it. */
export async function whilePurseDown(work: () => Promise<Response>): Promise<Response> {
  const deadline = Date.now() + PURSE_DOWN_WAIT_MS;
  for (;;) {
    try {
      return await work();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, PURSE_DOWN_POLL_MS));
    }
  }
}
