import { describe, expect, test } from 'vitest';
import { auditLine, auditNote, hasAudit, hasAuditDetails, listAuditNote, listAuditText, undecidedText, voteText } from '../../src/popup/audit-line.ts';
import type { RoundView } from '../../src/shared/messages.ts';
import { localeLookup, readLocale } from './helpers/locale.ts';

// What the status card and the timeline say about a round's audits, in the extension's own
// English strings (read from public/_locales as the browser reads them).

const t = localeLookup('en');
const A = '7EqQdEULxWcraVx3mXKFjc84LhCkMGZCkRuDpvcMwJeK';
const B = 'Bc8oTfLHoqYmHvWPvVRBZzsBDcfNNtNiBrU7xomDVaZc';
const C = 'GcdayuLaLyrdmUu324nahyv33G5poQdLUEZ1nEytDeP';

const round = (over: Partial<RoundView> = {}): RoundView => ({ round: 7, pages: 0, judged: 0, undecided: [], votes: [], listAudits: [], notes: [], ...over });

describe('the audit line', () => {
  test('judged, undecided and the invalid vote with its reason', () => {
    const r = round({
      judged: 4,
      undecided: [{ peer: C, reason: 'proof store unavailable' }],
      votes: [{ peer: A, valid: false, reason: '0 of 5 sampled pages match' }],
    });
    expect(auditLine(r, t)).toBe('round 7: judged 4 peers · 1 undecided · voted invalid on 1 (0 of 5 sampled pages match)');
    expect(auditNote(r, t)).toBe('4 judged · 1 undecided · 1 voted invalid');
  });

  test('peers judged valid with no vote needed count as judged (the old line said "0 checked")', () => {
    const r = round({ judged: 2 });
    expect(hasAudit(r)).toBe(true);
    expect(auditLine(r, t)).toBe('round 7: judged 2 peers');
    expect(auditLine(round({ judged: 1 }), t)).toBe('round 7: judged 1 peer');
    expect(auditNote(r, t)).toBe('2 judged');
  });

  test('valid votes answer audits others raised; several invalid reasons show the first and an ellipsis', () => {
    const r = round({
      judged: 3,
      votes: [
        { peer: A, valid: false, reason: 'empty proof bundle' },
        { peer: B, valid: false, reason: '1 of 5 sampled pages match' },
        { peer: C, valid: true },
      ],
    });
    expect(auditLine(r, t)).toBe('round 7: judged 3 peers · voted invalid on 2 (empty proof bundle; …) · voted valid on 1');
    expect(auditNote(r, t)).toBe('3 judged · 2 voted invalid · 1 voted valid');
  });

  test('nothing judged and nothing undecided: no audit to show', () => {
    expect(hasAudit(round())).toBe(false);
    expect(auditNote(round(), t)).toBe('no audits yet');
    expect(auditNote(undefined, t)).toBe('no audits yet');
    // Every peer undecided is still something to show.
    const down = round({ undecided: [{ peer: A, reason: 'proof store unavailable' }] });
    expect(hasAudit(down)).toBe(true);
    expect(auditLine(down, t)).toBe('round 7: judged 0 peers · 1 undecided');
  });

  test('per peer: what was done and why', () => {
    expect(voteText({ peer: A, valid: false, reason: '0 of 5 sampled pages match' }, t)).toBe('voted invalid: 0 of 5 sampled pages match');
    expect(voteText({ peer: A, valid: true }, t)).toBe('voted valid, answering an audit raised by another node');
    expect(undecidedText({ peer: A, reason: 'proof store unavailable' }, t)).toBe('undecided: proof store unavailable');
    expect(hasAuditDetails(round({ judged: 3 }))).toBe(false);
    expect(hasAuditDetails(round({ votes: [{ peer: A, valid: true }] }))).toBe(true);
  });

  test('the status card\'s shape: judged · undecided · voted invalid on K (reason), the reason as the audit gave it', () => {
    const r = round({
      round: 12,
      judged: 3,
      undecided: [
        { peer: B, reason: 'proof store unavailable' },
        { peer: C, reason: 'page fetch timed out' },
      ],
      votes: [
        { peer: A, valid: false, reason: 'bundle bytes do not hash to the CID' },
        { peer: B, valid: false, reason: 'bundle bytes do not hash to the CID' },
      ],
    });
    // Two peers with the same reason: one reason, no ellipsis.
    expect(auditLine(r, t)).toBe('round 12: judged 3 peers · 2 undecided · voted invalid on 2 (bundle bytes do not hash to the CID)');
    // A vote recorded without a reason says so in words, not with a bare "?".
    const noReason = round({ judged: 1, votes: [{ peer: A, valid: false }] });
    expect(auditLine(noReason, t)).toBe('round 7: judged 1 peer · voted invalid on 1 (no reason given)');
    expect(voteText({ peer: A, valid: false }, t)).toBe('voted invalid: no reason given');
    expect(listAuditText({ candidate: A, verdict: 'undecided', voted: false }, t)).toBe('distribution list undecided: no reason given');
  });

  test('distribution list checks', () => {
    const valid = round({ listAudits: [{ candidate: A, verdict: 'valid', voted: false }] });
    expect(listAuditNote(valid, t)).toBe('list checked: valid');
    expect(hasAuditDetails(valid)).toBe(false);
    const invalid = round({ listAudits: [{ candidate: A, verdict: 'invalid', reason: 'wrong amounts', voted: true }] });
    expect(listAuditNote(invalid, t)).toBe('voted list invalid');
    expect(listAuditText(invalid.listAudits[0]!, t)).toBe('voted the distribution list invalid: wrong amounts');
    expect(listAuditText({ candidate: A, verdict: 'undecided', reason: 'snapshot unavailable', voted: false }, t)).toBe('distribution list undecided: snapshot unavailable');
    expect(listAuditNote(round(), t)).toBeNull();
  });
});

describe('the locale file', () => {
  test('every $PLACEHOLDER$ of a message is defined, and every defined one is used', () => {
    for (const [key, m] of Object.entries(readLocale('en'))) {
      const used = new Set([...m.message.matchAll(/\$([A-Za-z0-9_@]+)\$/g)].map((x) => x[1]!.toLowerCase()));
      expect([...used].sort(), key).toEqual(Object.keys(m.placeholders ?? {}).sort());
    }
  });
});
