/** Injected failures for the Stripe API (never for control or page requests), so clients can test outages. */
export interface FaultSpec {
  failNext: number;
  status?: number;
  delayMs?: number;
  /** The request is carried out (and kept for its idempotency key) before the fault: Stripe did it, the client never heard. */
  afterProcessing?: boolean;
}

export interface Fault {
  status: number | null;
  delayMs: number;
  afterProcessing: boolean;
}

export const faultDelayMaxMs = 10 * 60 * 1000;
export const faultStatusMin = 400;
export const faultStatusMax = 599;

export class FaultInjector {
  private remaining = 0;
  private fault: Fault = { status: null, delayMs: 0, afterProcessing: false };
  private readonly delays = new Map<NodeJS.Timeout, () => void>();
  private takenWaiters: Array<() => void> = [];

  /** Replaces any pending fault. */
  set(spec: FaultSpec): void {
    this.remaining = spec.failNext;
    this.fault = { status: spec.status ?? null, delayMs: spec.delayMs ?? 0, afterProcessing: spec.afterProcessing === true };
  }

  pending(): number {
    return this.remaining;
  }

  /** The fault for this request, if one is armed; consumes one. */
  take(): Fault | null {
    if (this.remaining <= 0) return null;
    this.remaining -= 1;
    const waiters = this.takenWaiters;
    this.takenWaiters = [];
    for (const resolve of waiters) resolve();
    return { ...this.fault };
  }

  /** Resolves when the next fault is taken: a request is now failing or hanging (tests kill a client then). */
  nextTaken(): Promise<void> {
    return new Promise((resolve) => this.takenWaiters.push(resolve));
  }

  /** A cancellable wait: `close()` resolves it at once so no timer outlives the sandbox. */
  delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.delays.delete(timer);
        resolve();
      }, ms);
      this.delays.set(timer, resolve);
    });
  }

  close(): void {
    this.remaining = 0;
    for (const [timer, resolve] of this.delays) {
      clearTimeout(timer);
      resolve();
    }
    this.delays.clear();
  }
}
