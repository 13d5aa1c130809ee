import { describe, expect, test } from 'vitest';
import { changes } from '../../src/shared/change-topics.ts';

// An open page asks again only for the answers a change can touch; what it cannot place
// (an unknown topic, none) touches everything.

describe('which answers a change touches', () => {
  test('the lists of one store follow their own topics, and the wake that ends with "node"', () => {
    expect(changes('records', 'records.list')).toBe(true);
    expect(changes('node', 'records.list')).toBe(true);
    expect(changes('visits', 'records.list')).toBe(false);
    expect(changes('events', 'ledger.get')).toBe(false);
    expect(changes('ledger', 'ledger.get')).toBe(true);
    expect(changes('balance', 'approvals.list')).toBe(false);
    expect(changes('wallet', 'approvals.list')).toBe(true);
  });

  test('the views that gather from everywhere follow every topic', () => {
    for (const topic of ['events', 'balance', 'records', 'sites', 'incidents']) expect(changes(topic, 'node.status'), topic).toBe(true);
  });

  test('an unknown or missing topic touches everything', () => {
    expect(changes('something-new', 'records.list')).toBe(true);
    expect(changes(undefined, 'ledger.get')).toBe(true);
  });
});
