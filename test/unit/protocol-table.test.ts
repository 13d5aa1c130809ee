import { describe, expect, test } from 'vitest';
import { mayAsk, READ_ONLY_REQUESTS, type RequestType } from '../../src/shared/messages.ts';
import { APPROVAL_ROWS } from '../../src/shared/protocol/approval-rows.ts';
import { DATA_ROWS } from '../../src/shared/protocol/data-rows.ts';
import { NODE_ROWS } from '../../src/shared/protocol/node-rows.ts';
import { SETTINGS_ROWS } from '../../src/shared/protocol/settings-rows.ts';
import { WALLET_ROWS } from '../../src/shared/protocol/wallet-rows.ts';

// The protocol table is put together from one file per concern: a type declared in two of
// them would silently take the later row, so each type must be declared once.

const FILES = { DATA_ROWS, WALLET_ROWS, APPROVAL_ROWS, NODE_ROWS, SETTINGS_ROWS };
const ALL = Object.values(FILES).flatMap((rows) => Object.keys(rows)) as RequestType[];

describe('the protocol table', () => {
  test('each request type has one row, in one file', () => {
    expect(new Set(ALL).size).toBe(ALL.length);
  });

  test('a content script may send visits and nothing else; extension pages anything but a visit', () => {
    expect(ALL.filter((t) => mayAsk(t, 'content-script'))).toEqual(['visit']);
    expect(ALL.filter((t) => !mayAsk(t, 'extension-page'))).toEqual(['visit']);
  });

  test('the read-only set is the rows marked as reads', () => {
    expect([...READ_ONLY_REQUESTS].sort()).toEqual(
      ['approvals.list', 'ledger.csv', 'ledger.get', 'node.attention', 'node.status', 'records.list', 'settings.get', 'status', 'task.info', 'tasks.discover', 'visits.list', 'wallet.balances', 'wallet.status'].sort(),
    );
  });
});
