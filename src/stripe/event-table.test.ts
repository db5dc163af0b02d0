import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EVENT_HANDLERS } from './event-table.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const DOCS_THAT_LIST_EVENTS = ['README.md', 'docs/deploy.md'];

describe('the Stripe events an operator subscribes to', () => {
  it.each(DOCS_THAT_LIST_EVENTS)('%s names every event Purse handles (what `purse doctor` checks the endpoint against)', (file) => {
    const text = readFileSync(`${ROOT}${file}`, 'utf8');
    const missing = Object.keys(EVENT_HANDLERS).filter((type) => !text.includes(`\`${type}\``));
    expect(missing).toEqual([]);
  });
});
