import { describe, expect, it } from 'vitest';
import { type BatchSettings, type BatchTransaction, CommitBatcher, laneOf } from './commit-batcher.ts';

/**
 * The batcher's ordering promises, against a scripted database that records every command: who hears
 * back when, and what a failing BEGIN, savepoint release or COMMIT does to the rest of a batch.
 */
interface Script {
  log: string[];
  /** Each COMMIT waits on this, so a test can look at the callers while the commit is in progress. */
  commitGate?: Promise<void>;
  onCommit?: () => void;
  failBegin?: number;
  failRelease?: Set<string>;
  failCommit?: boolean;
}

function scripted(script: Script, overrides: Partial<BatchSettings<string[]>> = {}): CommitBatcher<string[]> {
  let begins = 0;
  const begin = async (): Promise<BatchTransaction<string[]>> => {
    begins += 1;
    if (script.failBegin === begins) throw new Error('begin failed');
    script.log.push('begin');
    return {
      handle: script.log,
      advance: async (release, open) => {
        if (release !== null && script.failRelease?.delete(release)) throw new Error(`release ${release} failed`);
        if (release !== null) script.log.push(`release ${release}`);
        if (open !== null) script.log.push(`savepoint ${open}`);
      },
      rollbackTo: async (savepoint) => {
        script.log.push(`rollback to ${savepoint}`);
      },
      commit: async () => {
        script.onCommit?.();
        await script.commitGate;
        if (script.failCommit) throw new Error('commit failed');
        script.log.push('commit');
      },
      intact: () => true,
      rollback: async () => {
        script.log.push('rollback');
      },
    };
  };
  return new CommitBatcher({ begin, lanes: 1, itemsMax: 10, spanMsMax: Number.POSITIVE_INFINITY, retryable: () => false, retriesMax: 0, optimistic: false, ...overrides });
}

function gate(): { open: () => void; opened: Promise<void> } {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

describe('commit batcher: answers and failures', () => {
  it('answers nobody before the COMMIT has returned', async () => {
    const commitGate = gate();
    const commitStarted = gate();
    const script: Script = { log: [], commitGate: commitGate.opened, onCommit: commitStarted.open };
    const batcher = scripted(script);
    const settled: string[] = [];
    const results = ['a', 'b'].map((name) => batcher.submit(async (log) => {
      log.push(`work ${name}`);
      return name;
    }).then((value) => settled.push(value)));
    await commitStarted.opened;
    expect(settled).toEqual([]);
    commitGate.open();
    await Promise.all(results);
    expect(settled).toEqual(['a', 'b']);
    expect(script.log).toEqual(['begin', 'savepoint purse_b0', 'work a', 'release purse_b0', 'savepoint purse_b1', 'work b', 'release purse_b1', 'commit']);
  });

  it('a failed COMMIT rejects the whole batch, work that failed on its own included', async () => {
    const script: Script = { log: [], failCommit: true };
    const batcher = scripted(script);
    const outcomes = await Promise.allSettled([
      batcher.submit(async () => 'fine'),
      batcher.submit(async () => {
        throw new Error('own failure');
      }),
    ]);
    expect(outcomes.map((o) => (o as PromiseRejectedResult).reason?.message)).toEqual(['commit failed', 'commit failed']);
    expect(script.log.at(-1)).toBe('rollback');
  });

  it('a failed BEGIN rejects its batch only; the next batch runs', async () => {
    const script: Script = { log: [], failBegin: 1 };
    const batcher = scripted(script);
    await expect(batcher.submit(async () => 'first')).rejects.toThrow('begin failed');
    await expect(batcher.submit(async () => 'second')).resolves.toBe('second');
  });

  it('a release that fails is blamed on the work it closes, which is rolled back; the rest commits', async () => {
    const script: Script = { log: [], failRelease: new Set(['purse_b0']) };
    const batcher = scripted(script);
    const outcomes = await Promise.allSettled([batcher.submit(async () => 'swallowed an error'), batcher.submit(async () => 'fine')]);
    expect(outcomes[0]).toMatchObject({ status: 'rejected', reason: { message: 'release purse_b0 failed' } });
    expect(outcomes[1]).toEqual({ status: 'fulfilled', value: 'fine' });
    expect(script.log).toEqual(['begin', 'savepoint purse_b0', 'rollback to purse_b0', 'release purse_b0', 'savepoint purse_b1', 'release purse_b1', 'commit']);
  });
});

describe('commit batcher: batch size and retries', () => {
  it('work beyond the batch size waits for the next batch, in submission order', async () => {
    const script: Script = { log: [] };
    const batcher = scripted(script, { itemsMax: 2 });
    const order: number[] = [];
    await Promise.all([1, 2, 3, 4, 5].map((n) => batcher.submit(async () => {
      order.push(n);
    })));
    expect(order).toEqual([1, 2, 3, 4, 5]);
    expect(batcher.stats()).toMatchObject({ batches: 3, items: 5, itemsLargest: 2 });
  });

  it('work that lost a race runs again in a later batch, ahead of newer work', async () => {
    const script: Script = { log: [] };
    const lost = Object.assign(new Error('deadlock detected'), { code: '40P01' });
    const batcher = scripted(script, { retryable: (e) => (e as { code?: string }).code === '40P01', retriesMax: 1 });
    let attempts = 0;
    const value = await batcher.submit(async () => {
      attempts += 1;
      if (attempts === 1) throw lost;
      return attempts;
    });
    expect(value).toBe(2);
    expect(batcher.stats()).toMatchObject({ batches: 2, retries: 1 });
    const gaveUp = batcher.submit(async () => {
      throw lost;
    });
    await expect(gaveUp).rejects.toBe(lost);
  });
});

describe('commit batcher: optimistic batches and lanes', () => {
  it('an optimistic batch runs without savepoints, and one whose work fails is rolled back and run again with them', async () => {
    const script: Script = { log: [] };
    const batcher = scripted(script, { optimistic: true });
    const work = (name: string, fails = false) => batcher.submit(async (log) => {
      log.push(`work ${name}`);
      if (fails) throw new Error(`${name} failed`);
      return name;
    });
    expect(await Promise.all([work('a'), work('b')])).toEqual(['a', 'b']);
    expect(script.log).toEqual(['begin', 'work a', 'work b', 'commit']);
    script.log.length = 0;
    const outcomes = await Promise.allSettled([work('c'), work('d', true)]);
    expect(outcomes[0]).toEqual({ status: 'fulfilled', value: 'c' });
    expect(outcomes[1]).toMatchObject({ status: 'rejected', reason: { message: 'd failed' } });
    expect(script.log).toEqual([
      'begin', 'work c', 'work d', 'rollback',
      'begin', 'savepoint purse_b0', 'work c', 'release purse_b0', 'savepoint purse_b1', 'work d', 'rollback to purse_b1', 'release purse_b1', 'commit',
    ]);
    expect(batcher.stats()).toMatchObject({ replays: 1 });
  });

  it('keys always map to the same lane, and both lanes run side by side', async () => {
    const script: Script = { log: [] };
    const batcher = scripted(script, { lanes: 2 });
    const inA = gate();
    const inB = gate();
    // Each waits for the other to have started: only lanes running at once can finish this.
    const [a, b] = await Promise.all([
      batcher.submit(async () => {
        inA.open();
        await inB.opened;
        return 'a';
      }, { key: keyInLane(0) }),
      batcher.submit(async () => {
        inB.open();
        await inA.opened;
        return 'b';
      }, { key: keyInLane(1) }),
    ]);
    expect([a, b]).toEqual(['a', 'b']);
  });
});

function keyInLane(lane: number): string {
  for (let i = 0; ; i += 1) {
    if (laneOf(`k${i}`, 2) === lane) return `k${i}`;
  }
}
