// The consent rules over audit logs built by hand (one failing and one passing case per rule),
// then properties over logs generated from random valid scenarios, and a 100k-entry log.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { AuditEntry } from '../../node/audit-log/append.js';
import type { AuditEvent, DataCategory } from '../../node/audit-log/events.js';
import { checkConsentRules, type ConsentRulesReport } from '../../node/audit-log/consent-rules.js';

const SELF = 'https://athens.example';
const B = 'https://vienna.example';
const C = 'https://rome.example';
const D = 'https://sofia.example';
const T0 = Date.parse('2025-03-03T09:00:00.000Z');
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const iso = (ms: number): string => new Date(ms).toISOString();
/** Long after every log below, and within the grace period of none of its requests. */
const LATER = new Date(T0 + 100 * DAY);

/** A log under construction: each entry one minute after the previous one unless told. */
function newLog() {
  const entries: AuditEntry[] = [];
  let clock = T0;
  return {
    entries,
    add(event: AuditEvent, at?: number): number {
      clock = at ?? clock + MINUTE;
      const entry: AuditEntry = { v: 1, index: entries.length, at: iso(clock), actor: { kind: 'system', id: 'test' }, ...event };
      entries.push(entry);
      return entry.index;
    },
  };
}

function consentRecorded(
  consent_id: string,
  scope: { categories?: DataCategory[]; recipients?: string[]; obtained_at?: number; valid_until?: number; derived_from?: string } = {},
): AuditEvent {
  return {
    type: 'consent.recorded',
    consent_id,
    origin: 'self',
    origin_consent_id: consent_id,
    ...(scope.derived_from === undefined ? {} : { derived_from: scope.derived_from }),
    categories: scope.categories ?? ['identity', 'situation'],
    purposes: ['legal-aid'],
    recipients: scope.recipients ?? [B],
    onward_allowed: false,
    method: 'written',
    language: 'en',
    obtained_by: 'user-1',
    obtained_at: iso(scope.obtained_at ?? T0 - DAY),
    valid_until: iso(scope.valid_until ?? T0 + 30 * DAY),
  };
}

type EventOf<T extends AuditEvent['type']> = Extract<AuditEvent, { type: T }>;

const disclosed = (referral_id: string, peer_id: string, consent_id: string, categories: DataCategory[] = ['identity']): EventOf<'data.disclosed'> => ({
  type: 'data.disclosed',
  referral_id,
  peer_id,
  envelope_id: `env-${referral_id}`,
  message: 'referral.offer',
  consent_id,
  categories,
});
const withdrawn = (consent_id: string, recipients: string[], whole: boolean): AuditEvent => ({
  type: 'consent.withdrawn',
  consent_id,
  recipients,
  whole,
});
const requested = (referral_id: string, node_id: string): EventOf<'erasure.requested'> => ({
  type: 'erasure.requested',
  referral_id,
  node_id,
  reason: 'consent-withdrawn',
});
const confirmed = (referral_id: string, node_id: string, relayed_by?: string): AuditEvent => ({
  type: 'erasure.confirmed',
  referral_id,
  node_id,
  reason: 'consent-withdrawn',
  statement_digest: 'digest',
  ...(relayed_by === undefined ? {} : { relayed_by }),
});

const check = (entries: readonly AuditEntry[] | readonly string[], now = LATER, erasureGraceDays?: number): ConsentRulesReport =>
  checkConsentRules(entries, erasureGraceDays === undefined ? { now } : { now, erasureGraceDays });
const rules = (report: ConsentRulesReport): Array<[string, number]> => report.findings.map((f) => [f.rule, f.index]);

describe('disclosures', () => {
  it('passes a disclosure under a recorded consent in force, to a recipient, of covered categories', () => {
    const log = newLog();
    log.add(consentRecorded('c1', { categories: ['identity', 'situation'] }));
    log.add(disclosed('r1', B, 'c1', ['identity', 'situation']));
    const report = check(log.entries);
    expect(report).toEqual({ ok: true, disclosures: 1, withdrawals: 0, findings: [], pending: [] });
  });

  it('finds a disclosure under a consent that no earlier entry records', () => {
    const log = newLog();
    const early = log.add(disclosed('r1', B, 'c1'));
    log.add(consentRecorded('c1'));
    const unknown = log.add(disclosed('r2', B, 'c9'));
    const report = check(log.entries);
    expect(rules(report)).toEqual([
      ['disclosure-without-consent', early],
      ['disclosure-without-consent', unknown],
    ]);
    expect(report.findings[0]).toMatchObject({ referral_id: 'r1', consent_id: 'c1', node_id: B });
    expect(report.ok).toBe(false);
  });

  it('finds a disclosure under a consent whose record is malformed, and the record itself', () => {
    const log = newLog();
    const record = log.add({ ...consentRecorded('c1'), valid_until: 'soon' } as AuditEvent);
    const disclosure = log.add(disclosed('r1', B, 'c1'));
    const report = check(log.entries);
    expect(rules(report)).toEqual([
      ['malformed-entry', record],
      ['disclosure-without-consent', disclosure],
    ]);
    expect(report.findings[1]!.detail).toContain(`entry ${record}`);
  });

  it('allows five minutes of clock skew before obtained_at and no more', () => {
    const log = newLog();
    log.add(consentRecorded('edge', { obtained_at: T0 + 10 * MINUTE }), T0);
    log.add(consentRecorded('late', { obtained_at: T0 + 10 * MINUTE + 1 }), T0);
    log.add(disclosed('r1', B, 'edge'), T0 + 5 * MINUTE);
    const early = log.add(disclosed('r2', B, 'late'), T0 + 5 * MINUTE);
    const report = check(log.entries);
    expect(rules(report)).toEqual([['consent-not-in-force', early]]);
    expect(report.findings[0]!.detail).toContain('before it was obtained');
  });

  it('finds a disclosure at or after valid_until, and passes one just before', () => {
    const log = newLog();
    log.add(consentRecorded('c1', { valid_until: T0 + 10 * MINUTE }), T0);
    log.add(disclosed('r1', B, 'c1'), T0 + 10 * MINUTE - 1);
    const expired = log.add(disclosed('r2', B, 'c1'), T0 + 10 * MINUTE);
    const report = check(log.entries);
    expect(rules(report)).toEqual([['consent-not-in-force', expired]]);
    expect(report.findings[0]!.detail).toContain('after it expired');
  });

  it('finds a disclosure to a peer that is not a recipient of the consent', () => {
    const log = newLog();
    log.add(consentRecorded('c1', { recipients: [B, C] }));
    log.add(disclosed('r1', C, 'c1'));
    const outsider = log.add(disclosed('r2', D, 'c1'));
    const report = check(log.entries);
    expect(rules(report)).toEqual([['recipient-not-consented', outsider]]);
    expect(report.findings[0]).toMatchObject({ referral_id: 'r2', consent_id: 'c1', node_id: D });
  });

  it('finds a disclosure of a category the consent does not cover', () => {
    const log = newLog();
    log.add(consentRecorded('c1', { categories: ['identity', 'contact', 'health'] }));
    log.add(disclosed('r1', B, 'c1', ['identity', 'health']));
    const wider = log.add(disclosed('r2', B, 'c1', ['identity', 'legal-status', 'children']));
    const report = check(log.entries);
    expect(rules(report)).toEqual([['category-not-consented', wider]]);
    expect(report.findings[0]).toMatchObject({ referral_id: 'r2', consent_id: 'c1', node_id: B });
  });

  it('finds a disclosure after the consent was withdrawn for that peer, not one made before', () => {
    const log = newLog();
    log.add(consentRecorded('c1'));
    log.add(disclosed('r1', B, 'c1'));
    const withdrawal = log.add(withdrawn('c1', [B], true));
    log.add(requested('r1', B));
    log.add(confirmed('r1', B));
    const after = log.add(disclosed('r2', B, 'c1'));
    log.add(requested('r2', B));
    log.add(confirmed('r2', B));
    const report = check(log.entries);
    expect(rules(report)).toEqual([['disclosure-after-withdrawal', after]]);
    expect(report.findings[0]!.detail).toContain(`entry ${withdrawal}`);
    expect(report).toMatchObject({ disclosures: 2, withdrawals: 1 });
  });

  it('keeps a consent in force for the recipients it was not withdrawn for', () => {
    const log = newLog();
    log.add(consentRecorded('c1', { recipients: [B, D] }));
    log.add(disclosed('r1', B, 'c1'));
    log.add(withdrawn('c1', [B], false));
    log.add(requested('r1', B));
    log.add(confirmed('r1', B));
    log.add(disclosed('r2', D, 'c1'));
    const toWithdrawn = log.add(disclosed('r3', B, 'c1'));
    log.add(requested('r3', B));
    log.add(confirmed('r3', B));
    expect(rules(check(log.entries))).toEqual([['disclosure-after-withdrawal', toWithdrawn]]);
  });

  it('treats a narrowed consent as withdrawn where the consent it came from is', () => {
    const log = newLog();
    log.add({ type: 'node.initialised', node_id: B, signing_kid: 'k1', encryption_kid: 'k2' });
    log.add({ ...consentRecorded('received'), origin: SELF, recipients: [B] } as AuditEvent);
    log.add(consentRecorded('narrowed', { recipients: [C], derived_from: 'received' }));
    log.add(disclosed('onward-1', C, 'narrowed'));
    log.add(withdrawn('received', [B], false));
    const after = log.add(disclosed('onward-2', C, 'narrowed'));
    const report = check(log.entries);
    // Withdrawn for this node itself: the onward copy must be erased too.
    expect(rules(report)).toEqual([
      ['erasure-not-requested', 4],
      ['disclosure-after-withdrawal', after],
      ['erasure-not-requested', after],
    ]);
    expect(report.findings[0]).toMatchObject({ referral_id: 'onward-1', consent_id: 'narrowed', node_id: C });
  });
});

describe('erasure after withdrawal', () => {
  it('passes when every referral disclosed to a withdrawn recipient is asked to erase and confirms', () => {
    const log = newLog();
    log.add(consentRecorded('c1', { recipients: [B, D] }));
    log.add(disclosed('r1', B, 'c1'));
    log.add(disclosed('r1', B, 'c1', ['situation'])); // further data in an information response
    log.add(disclosed('r2', D, 'c1'));
    log.add(withdrawn('c1', [B, D], true));
    log.add(requested('r1', B));
    log.add(requested('r2', D));
    log.add(confirmed('r2', D));
    log.add(confirmed('r1', B));
    expect(check(log.entries)).toEqual({ ok: true, disclosures: 3, withdrawals: 1, findings: [], pending: [] });
  });

  it('finds a withdrawal not followed by an erasure request to a recipient', () => {
    const log = newLog();
    log.add(consentRecorded('c1', { recipients: [B, D] }));
    log.add(disclosed('r1', B, 'c1'));
    log.add(disclosed('r2', D, 'c1'));
    const withdrawal = log.add(withdrawn('c1', [B, D], true));
    log.add(requested('r1', B));
    log.add(confirmed('r1', B));
    const report = check(log.entries);
    expect(rules(report)).toEqual([['erasure-not-requested', withdrawal]]);
    expect(report.findings[0]).toMatchObject({ referral_id: 'r2', consent_id: 'c1', node_id: D });
  });

  it('asks erasure only of the recipients the consent was withdrawn for', () => {
    const log = newLog();
    log.add(consentRecorded('c1', { recipients: [B, D] }));
    log.add(disclosed('r1', B, 'c1'));
    log.add(disclosed('r2', D, 'c1'));
    const withdrawal = log.add(withdrawn('c1', [D], false));
    expect(rules(check(log.entries))).toEqual([['erasure-not-requested', withdrawal]]);
    log.add(requested('r2', D));
    log.add(confirmed('r2', D));
    expect(check(log.entries).ok).toBe(true);
  });

  it('does not count a request made before the last disclosure, nor a request to another node', () => {
    const log = newLog();
    log.add(consentRecorded('c1'));
    log.add(disclosed('r1', B, 'c1'));
    log.add(requested('r1', B));
    log.add(confirmed('r1', B));
    log.add(disclosed('r1', B, 'c1', ['situation']));
    log.add(requested('r1', D));
    log.add(confirmed('r1', D));
    const withdrawal = log.add(withdrawn('c1', [B], true));
    expect(rules(check(log.entries))).toEqual([['erasure-not-requested', withdrawal]]);
  });

  it('counts a request made after the last disclosure and before the withdrawal (retention came first)', () => {
    const log = newLog();
    log.add(consentRecorded('c1'));
    log.add(disclosed('r1', B, 'c1'));
    log.add({ type: 'erasure.requested', referral_id: 'r1', node_id: B, reason: 'retention' });
    log.add({ type: 'erasure.confirmed', referral_id: 'r1', node_id: B, reason: 'retention', statement_digest: 'd' });
    log.add(withdrawn('c1', [B], true));
    expect(check(log.entries).ok).toBe(true);
  });

  it('takes an unasked confirmation after the last disclosure as erasure (retention at the peer came first)', () => {
    const log = newLog();
    log.add(consentRecorded('c1'));
    log.add(disclosed('r1', B, 'c1'));
    log.add({ type: 'erasure.confirmed', referral_id: 'r1', node_id: B, reason: 'retention', statement_digest: 'd' });
    log.add(withdrawn('c1', [B], true));
    expect(check(log.entries)).toMatchObject({ ok: true, pending: [] });
  });

  it('needs no erasure of a disclosure whose message was cancelled before it was sent', () => {
    const log = newLog();
    log.add(consentRecorded('c1', { recipients: [B, D] }));
    log.add(disclosed('r1', B, 'c1'));
    log.add(disclosed('r2', D, 'c1'));
    log.add({ ...disclosed('r2', D, 'c1', ['situation']), envelope_id: 'env-r2-second' });
    const withdrawal = log.add(withdrawn('c1', [B, D], true));
    log.add({ type: 'disclosure.cancelled', referral_id: 'r1', envelope_id: 'env-r1' });
    log.add({ type: 'disclosure.cancelled', referral_id: 'r2', envelope_id: 'env-r2-second' });
    // r1 never left; the first message of r2 did, so D must still be asked to erase it.
    const report = check(log.entries);
    expect(rules(report)).toEqual([['erasure-not-requested', withdrawal]]);
    expect(report.findings[0]).toMatchObject({ referral_id: 'r2', node_id: D });
    expect(report.disclosures).toBe(3);
    log.add({ type: 'disclosure.cancelled', referral_id: 'r1', envelope_id: 'env-r2' });
    expect(rules(check(log.entries))).toEqual([['erasure-not-requested', withdrawal]]);
    log.add({ type: 'disclosure.cancelled', referral_id: 'r2', envelope_id: 'env-r2' });
    expect(check(log.entries).ok).toBe(true);
  });

  it('needs a confirmation after the request, not before it', () => {
    const log = newLog();
    log.add(consentRecorded('c1'));
    log.add(disclosed('r1', B, 'c1'));
    log.add(withdrawn('c1', [B], true));
    log.add(confirmed('r1', B));
    const request = log.add(requested('r1', B));
    expect(rules(check(log.entries))).toEqual([['erasure-overdue', request]]);
  });

  it('checks onward recipients: the relayed confirmation of the onward node is needed too', () => {
    const log = newLog();
    log.add(consentRecorded('c1'));
    log.add(disclosed('r1', B, 'c1'));
    log.add(withdrawn('c1', [B], true));
    log.add(requested('r1', B));
    const onward = log.add(requested('r1', C));
    log.add(confirmed('r1', B));
    const report = check(log.entries);
    expect(rules(report)).toEqual([['erasure-overdue', onward]]);
    expect(report.findings[0]).toMatchObject({ referral_id: 'r1', node_id: C });
    log.add(confirmed('r1', C, B));
    expect(check(log.entries).ok).toBe(true);
  });
});

describe('the grace period for confirmations', () => {
  const logWithOpenRequest = () => {
    const log = newLog();
    log.add(consentRecorded('c1'));
    log.add(disclosed('r1', B, 'c1'));
    log.add(withdrawn('c1', [B], true));
    const index = log.add(requested('r1', B), T0 + 10 * MINUTE);
    return { entries: log.entries, index, requestedAt: T0 + 10 * MINUTE };
  };

  it('reports a request exactly 30 days old as pending, and one a millisecond older as overdue', () => {
    const { entries, index, requestedAt } = logWithOpenRequest();
    const atLimit = check(entries, new Date(requestedAt + 30 * DAY));
    expect(atLimit).toMatchObject({ ok: true, findings: [] });
    expect(atLimit.pending).toEqual([{ referral_id: 'r1', node_id: B, requested_at: iso(requestedAt), index }]);
    const past = check(entries, new Date(requestedAt + 30 * DAY + 1));
    expect(past.ok).toBe(false);
    expect(past.pending).toEqual([]);
    expect(past.findings).toEqual([expect.objectContaining({ rule: 'erasure-overdue', index, referral_id: 'r1', node_id: B })]);
  });

  it('takes the grace period from the options', () => {
    const { entries, requestedAt } = logWithOpenRequest();
    expect(check(entries, new Date(requestedAt + 7 * DAY), 7).ok).toBe(true);
    expect(rules(check(entries, new Date(requestedAt + 7 * DAY + 1), 7))).toEqual([['erasure-overdue', 3]]);
    expect(rules(check(entries, new Date(requestedAt + 1), 0))).toEqual([['erasure-overdue', 3]]);
  });

  it('runs the grace period from the first of repeated requests', () => {
    const { entries, index, requestedAt } = logWithOpenRequest();
    entries.push({ v: 1, index: entries.length, at: iso(requestedAt + 20 * DAY), actor: { kind: 'system', id: 'retry' }, ...requested('r1', B) });
    expect(rules(check(entries, new Date(requestedAt + 31 * DAY)))).toEqual([['erasure-overdue', index]]);
  });

  it('refuses options it cannot use', () => {
    expect(() => checkConsentRules([], { now: new Date('nonsense') })).toThrow(TypeError);
    expect(() => checkConsentRules([], { now: LATER, erasureGraceDays: -1 })).toThrow(RangeError);
  });
});

describe('date-times', () => {
  it('compares date-times written with any offset or fraction as the instants they are', () => {
    const written = (ms: number, offsetMinutes: number, fraction: string): string => {
      const local = new Date(ms + offsetMinutes * MINUTE).toISOString().slice(0, 19);
      const sign = offsetMinutes < 0 ? '-' : '+';
      const hours = String(Math.floor(Math.abs(offsetMinutes) / 60)).padStart(2, '0');
      const minutes = String(Math.abs(offsetMinutes) % 60).padStart(2, '0');
      return `${local}${fraction}${sign}${hours}:${minutes}`;
    };
    const instant = fc.integer({ min: Date.parse('1900-01-01T00:00:00Z'), max: Date.parse('2200-01-01T00:00:00Z') });
    const offset = fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 });
    const fraction = fc.constantFrom('', '.5', '.25', '.999', '.123456789');
    fc.assert(
      fc.property(instant, fc.integer({ min: -2000, max: 2000 }), offset, fraction, (until, delta, minutes, digits) => {
        const validUntil = written(Math.floor(until / 1000) * 1000, minutes, digits);
        const at = new Date(Date.parse(validUntil) + delta).toISOString();
        const consent = { ...consentRecorded('c1', { obtained_at: Date.parse('1800-01-01T00:00:00Z') }), valid_until: validUntil } as AuditEvent;
        const entries: AuditEntry[] = [
          { v: 1, index: 0, at: iso(0), actor: { kind: 'system', id: 't' }, ...consent },
          { v: 1, index: 1, at, actor: { kind: 'system', id: 't' }, ...disclosed('r1', B, 'c1') },
        ];
        const expired = Date.parse(at) >= Date.parse(validUntil);
        expect(rules(check(entries))).toEqual(expired ? [['consent-not-in-force', 1]] : []);
      }),
    );
  });

  it('refuses dates that Date.parse would quietly move', () => {
    for (const at of ['2025-02-29T10:00:00Z', '2025-04-31T10:00:00Z', '2025-01-01T24:00:00Z', '2025-01-01T10:00:00+24:00', '2025-01-01 10:00:00Z']) {
      expect(rules(check([{ v: 1, index: 0, at, actor: { kind: 'system', id: 't' }, type: 'user.login', user_id: 'u', token_id: 't' }]))).toEqual([
        ['malformed-entry', 0],
      ]);
    }
    expect(check([{ v: 1, index: 0, at: '2024-02-29T10:00:00.5+01:00', actor: { kind: 'system', id: 't' }, type: 'user.login', user_id: 'u', token_id: 't' }]).ok).toBe(true);
  });
});

describe('entries as text and as objects', () => {
  const mixedLog = () => {
    const log = newLog();
    log.add({ type: 'node.initialised', node_id: SELF, signing_kid: 'k1', encryption_kid: 'k2' });
    log.add(consentRecorded('c1', { recipients: [B, D] }));
    log.add(disclosed('r1', B, 'c1'));
    log.add({ type: 'referral.event', referral_id: 'r1', peer_id: B, direction: 'outgoing', action: 'offer', from_state: 'draft', to_state: 'sent' });
    log.add(disclosed('r2', C, 'c1', ['health']));
    log.add(withdrawn('c1', [B], false));
    log.add(requested('r1', B));
    return log.entries;
  };

  it('gives the same report for the stored JSON text as for the parsed entries', () => {
    const entries = mixedLog();
    const fromObjects = check(entries, new Date(T0 + DAY));
    expect(fromObjects.findings.map((f) => f.rule)).toEqual(['recipient-not-consented', 'category-not-consented']);
    expect(fromObjects.pending).toHaveLength(1);
    expect(check(entries.map((entry) => JSON.stringify(entry)), new Date(T0 + DAY))).toEqual(fromObjects);
  });

  it('reports text that is not JSON, or not an object, by its position and checks the rest', () => {
    const text = mixedLog().map((entry) => JSON.stringify(entry));
    text.splice(3, 1, '{"v":1,"index":3,');
    text.push('[1,2]');
    const report = check(text, new Date(T0 + DAY));
    expect(rules(report)).toEqual([
      ['malformed-entry', 3],
      ['recipient-not-consented', 4],
      ['category-not-consented', 4],
      ['malformed-entry', 7],
    ]);
    expect(report.findings[0]!.detail).toBe('The entry at position 3 of the input is not valid JSON.');
  });

  it('reports entries that lack v, index, at or type, or have an impossible date', () => {
    const base = { v: 1, actor: { kind: 'system', id: 't' }, type: 'user.login', user_id: 'u', token_id: 't' };
    const entries = [
      { ...base, index: 0, at: iso(T0) },
      { ...base, index: 1, v: undefined, at: iso(T0) },
      { ...base, at: iso(T0) },
      { ...base, index: 3 },
      { ...base, index: 4, at: iso(T0), type: undefined },
      { ...base, index: 5, at: '2025-02-30T10:00:00Z' },
      { ...base, index: 6, at: '3 March 2025' },
      { ...base, index: 7, at: iso(T0), v: 2 },
      null,
    ] as unknown as AuditEntry[];
    const report = check(entries);
    expect(rules(report)).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((index) => ['malformed-entry', index]));
    expect(report.findings[1]!.detail).toBe('The entry at position 2 of the input has no valid index.');
  });

  it('reports a rule entry that lacks a field the rules need, and entries out of order or repeated', () => {
    const log = newLog();
    log.add(consentRecorded('c1'));
    const noCategories = log.add({ ...disclosed('r1', B, 'c1'), categories: 'identity' } as unknown as AuditEvent);
    const noWhole = log.add({ type: 'consent.withdrawn', consent_id: 'c1', recipients: [B] } as unknown as AuditEvent);
    log.add(disclosed('r2', B, 'c1'));
    const entries = [...log.entries, { ...log.entries[3]!, index: 2 } as AuditEntry, { ...log.entries[3]!, index: 3 } as AuditEntry];
    const report = check(entries);
    expect(rules(report)).toEqual([
      ['malformed-entry', noCategories],
      ['malformed-entry', noWhole],
      ['malformed-entry', 2],
      ['malformed-entry', 3],
    ]);
    expect(report.findings[0]!.detail).toBe('Entry 1 (data.disclosed) has a missing or invalid categories field.');
    expect(report.findings[2]!.detail).toContain('log order');
    expect(report).toMatchObject({ disclosures: 1, withdrawals: 0 });
  });

  it('reports a second record of the same consent and keeps the first', () => {
    const log = newLog();
    log.add(consentRecorded('c1', { recipients: [B] }));
    const again = log.add(consentRecorded('c1', { recipients: [B, D] }));
    const disclosure = log.add(disclosed('r1', D, 'c1'));
    expect(rules(check(log.entries))).toEqual([
      ['malformed-entry', again],
      ['recipient-not-consented', disclosure],
    ]);
  });

  it('ignores entries of types it does not know, and accepts gaps in the indices', () => {
    const log = newLog();
    log.add(consentRecorded('c1'));
    log.add({ type: 'future.thing', anything: { nested: [1, 2] } } as unknown as AuditEvent);
    log.add(disclosed('r1', B, 'c1'));
    const filtered = [log.entries[0]!, log.entries[2]!];
    expect(check(log.entries).ok).toBe(true);
    expect(check(filtered).ok).toBe(true);
    expect(check(log.entries.map((entry) => JSON.stringify(entry))).ok).toBe(true);
  });

  it('names ids only in its details, never other content of the entries', () => {
    const log = newLog();
    log.add({ ...consentRecorded('c1', { valid_until: T0 + 2 * MINUTE }), purposes: ['MARKER-purpose'], obtained_by: 'MARKER-by' } as AuditEvent);
    log.add({ ...disclosed('r1', D, 'c1', ['health']), message: 'MARKER-message', envelope_id: 'MARKER-env' });
    log.add({ ...disclosed('r2', B, 'c9'), message: 'MARKER-message' });
    log.add({ ...requested('r1', C), envelope_id: 'MARKER-env' });
    log.add({ type: 'referral.opened', referral_id: 'r1', user_id: 'MARKER-user' });
    const report = check(log.entries);
    expect(report.findings.length).toBeGreaterThanOrEqual(5);
    for (const finding of report.findings) {
      expect(finding.detail).not.toMatch(/MARKER|health|2025/);
      expect(finding.detail).toMatch(/^[A-Z].*\.$/);
    }
  });
});

// ---- Properties over generated logs ---------------------------------------------------------

const CATEGORIES: DataCategory[] = ['identity', 'contact', 'situation', 'legal-status', 'health', 'children', 'documents'];
const PEERS = [B, C, D, 'https://graz.example'];
const ONWARD = 'https://milan.example';

type Action =
  | { kind: 'offer'; consent: number; peer: number; categories: number; sent: boolean }
  | { kind: 'inform'; referral: number; categories: number }
  | { kind: 'withdraw'; consent: number; whole: boolean; peers: number; onward: boolean; confirm: boolean }
  | { kind: 'noise' };

const scenarioArbitrary = fc.record({
  // Never all seven categories, so a disclosure can always be widened beyond its consent.
  consents: fc.array(
    fc.record({
      categories: fc.subarray(CATEGORIES, { minLength: 1, maxLength: CATEGORIES.length - 1 }),
      recipients: fc.subarray(PEERS, { minLength: 1 }),
    }),
    { minLength: 1, maxLength: 4 },
  ),
  actions: fc.array(
    fc.oneof(
      fc.record({ kind: fc.constant('offer' as const), consent: fc.nat(), peer: fc.nat(), categories: fc.nat(), sent: fc.boolean() }),
      fc.record({ kind: fc.constant('inform' as const), referral: fc.nat(), categories: fc.nat() }),
      fc.record({
        kind: fc.constant('withdraw' as const),
        consent: fc.nat(),
        whole: fc.boolean(),
        peers: fc.nat(),
        onward: fc.boolean(),
        confirm: fc.boolean(),
      }),
      fc.constant({ kind: 'noise' as const }),
    ),
    { maxLength: 40 },
  ),
});

type Scenario = { consents: Array<{ categories: DataCategory[]; recipients: string[] }>; actions: Action[] };

/**
 * A log that follows the rules: disclosures only in scope; after a withdrawal, erasure requested
 * of every recipient that got the data, and offers still queued (never sent) cancelled.
 */
function logOf(scenario: Scenario, confirmAll: boolean) {
  const log = newLog();
  log.add({ type: 'node.initialised', node_id: SELF, signing_kid: 'k1', encryption_kid: 'k2' });
  const consents = scenario.consents.map((scope, i) => {
    const id = `consent-${i}`;
    const index = log.add(consentRecorded(id, { ...scope, obtained_at: T0 - DAY, valid_until: T0 + 10 * DAY }));
    return { id, index, ...scope, whole: false, withdrawnFor: new Set<string>() };
  });
  const referrals: Array<{ id: string; consent: (typeof consents)[number]; peer: string; queued?: string }> = [];
  let envelopes = 0;
  const pick = <T,>(items: readonly T[], n: number): T => items[n % items.length]!;
  const someOf = <T,>(items: readonly T[], mask: number): T[] => {
    const chosen = items.filter((_, i) => (mask >> i) & 1);
    return chosen.length > 0 ? chosen : [items[0]!];
  };
  const isWithdrawn = (consent: (typeof consents)[number], peer: string): boolean => consent.whole || consent.withdrawnFor.has(peer);
  /** The erasures requested and not confirmed (yet), as "referral node". */
  const open = new Set<string>();
  const key = (referral: string, node: string): string => `${referral} ${node}`;
  const actions: Action[] = [{ kind: 'offer', consent: 0, peer: 0, categories: 1, sent: true }, ...scenario.actions];
  for (const action of actions) {
    if (action.kind === 'offer') {
      const consent = pick(consents, action.consent);
      const peer = pick(consent.recipients, action.peer);
      if (isWithdrawn(consent, peer)) continue;
      const envelope_id = `envelope-${envelopes++}`;
      const referral = { id: `referral-${referrals.length}`, consent, peer, ...(action.sent ? {} : { queued: envelope_id }) };
      referrals.push(referral);
      log.add({ type: 'referral.event', referral_id: referral.id, peer_id: peer, direction: 'outgoing', action: 'offer', from_state: 'draft', to_state: 'sent' });
      log.add({ ...disclosed(referral.id, peer, consent.id, someOf(consent.categories, action.categories)), envelope_id });
    } else if (action.kind === 'inform' && referrals.length > 0) {
      const referral = pick(referrals, action.referral);
      if (isWithdrawn(referral.consent, referral.peer) || referral.queued !== undefined) continue;
      const categories = someOf(referral.consent.categories, action.categories);
      log.add({ ...disclosed(referral.id, referral.peer, referral.consent.id, categories), envelope_id: `envelope-${envelopes++}` });
    } else if (action.kind === 'withdraw') {
      const consent = pick(consents, action.consent);
      if (consent.whole) continue;
      const peers = action.whole ? consent.recipients : someOf(consent.recipients, action.peers);
      log.add(withdrawn(consent.id, peers, action.whole));
      consent.whole ||= action.whole;
      for (const peer of peers) consent.withdrawnFor.add(peer);
      const confirm = confirmAll || action.confirm;
      for (const referral of referrals.filter((r) => r.consent === consent && peers.includes(r.peer))) {
        if (referral.queued !== undefined) {
          log.add({ type: 'disclosure.cancelled', referral_id: referral.id, envelope_id: referral.queued });
          continue;
        }
        const nodes = action.onward ? [referral.peer, ONWARD] : [referral.peer];
        for (const node of nodes) {
          log.add(requested(referral.id, node));
          open.add(key(referral.id, node));
        }
        if (!confirm) continue;
        for (const node of nodes) {
          log.add(confirmed(referral.id, node, node === ONWARD ? referral.peer : undefined));
          open.delete(key(referral.id, node));
        }
      }
    } else if (action.kind === 'noise') {
      log.add({ type: 'future.event', detail: 'anything' } as unknown as AuditEvent);
    }
  }
  return { entries: log.entries, consents, unconfirmed: open.size };
}

const disclosuresIn = (entries: readonly AuditEntry[]) =>
  entries.filter((entry): entry is Extract<AuditEntry, { type: 'data.disclosed' }> => entry.type === 'data.disclosed');
/** Every request is within the grace period a day after the last entry. */
const dayAfter = (entries: readonly AuditEntry[]): Date => new Date(Date.parse(entries[entries.length - 1]!.at) + DAY);

describe('properties', () => {
  it('finds nothing in a log generated from a valid scenario, given as objects or as text', () => {
    fc.assert(
      fc.property(scenarioArbitrary, (scenario) => {
        const { entries, unconfirmed } = logOf(scenario, false);
        const report = check(entries, dayAfter(entries));
        expect(report.findings).toEqual([]);
        expect(report.ok).toBe(true);
        expect(report.pending).toHaveLength(unconfirmed);
        expect(report.disclosures).toBe(disclosuresIn(entries).length);
        expect(check(entries.map((entry) => JSON.stringify(entry)), dayAfter(entries))).toEqual(report);
      }),
    );
  });

  it('finds exactly the matching findings when one category, recipient, date or confirmation is corrupted', () => {
    const corruption = fc.record({
      kind: fc.constantFrom('category', 'recipient', 'obtained', 'expiry', 'confirmation'),
      target: fc.nat(),
    });
    fc.assert(
      fc.property(scenarioArbitrary, corruption, (scenario, { kind, target }) => {
        const { entries: clean, consents } = logOf(scenario, true);
        const entries = clean.map((entry) => structuredClone(entry));
        const disclosures = disclosuresIn(entries);
        const disclosure = disclosures[target % disclosures.length]!;
        const consent = consents.find((c) => c.id === disclosure.consent_id)!;
        const record = entries[consent.index] as Extract<AuditEntry, { type: 'consent.recorded' }>;
        const sameConsent = disclosures.filter((d) => d.consent_id === consent.id);
        let expected: Array<[string, number]>;
        let now = dayAfter(entries);
        // The last confirmation for its referral and node: an earlier one is superseded by a later.
        const confirmations = entries.filter(
          (entry, i) =>
            entry.type === 'erasure.confirmed' &&
            !entries.some(
              (later, j) => j > i && later.type === 'erasure.confirmed' && later.referral_id === entry.referral_id && later.node_id === entry.node_id,
            ),
        );
        if (kind === 'confirmation' && confirmations.length > 0) {
          const removed = confirmations[target % confirmations.length]! as Extract<AuditEntry, { type: 'erasure.confirmed' }>;
          entries[removed.index] = { v: 1, index: removed.index, at: removed.at, actor: removed.actor, type: 'future.event' } as unknown as AuditEntry;
          now = new Date(Date.parse(removed.at) + 40 * DAY);
          const report = check(entries, now);
          expect(report.findings).toEqual([expect.objectContaining({ rule: 'erasure-overdue', referral_id: removed.referral_id, node_id: removed.node_id })]);
          expect(report.findings[0]!.index).toBeLessThan(removed.index);
          return;
        } else if (kind === 'recipient') {
          record.recipients = record.recipients.filter((peer) => peer !== disclosure.peer_id);
          expected = sameConsent.filter((d) => d.peer_id === disclosure.peer_id).map((d) => ['recipient-not-consented', d.index]);
        } else if (kind === 'obtained') {
          record.obtained_at = iso(Date.parse(disclosure.at) + 5 * MINUTE + 1);
          expected = sameConsent.filter((d) => d.index <= disclosure.index).map((d) => ['consent-not-in-force', d.index]);
        } else if (kind === 'expiry') {
          record.valid_until = disclosure.at;
          expected = sameConsent.filter((d) => d.index >= disclosure.index).map((d) => ['consent-not-in-force', d.index]);
        } else {
          const extra = CATEGORIES.find((category) => !consent.categories.includes(category))!;
          disclosure.categories = [...disclosure.categories, extra];
          expected = [['category-not-consented', disclosure.index]];
        }
        expect(rules(check(entries, now))).toEqual(expected);
        expect(rules(check(entries.map((entry) => JSON.stringify(entry)), now))).toEqual(expected);
      }),
    );
  });
});

describe('scale', () => {
  // Its speed is measured by `npm run bench`, not asserted here: the machines are shared.
  it('checks a log of 100,000 entries, as objects and as text, alike', () => {
    const log = newLog();
    const peers = [B, C, D];
    for (let c = 0; log.entries.length < 100_000; c++) {
      const consent = `consent-${c}`;
      log.add(consentRecorded(consent, { recipients: peers, valid_until: T0 + 365 * DAY }));
      for (let r = 0; r < 12; r++) log.add(disclosed(`referral-${c}-${r}`, peers[r % 3]!, consent));
      if (c % 2 === 0) {
        log.add(withdrawn(consent, peers, true));
        for (let r = 0; r < 12; r++) log.add(requested(`referral-${c}-${r}`, peers[r % 3]!));
        for (let r = 0; r < 12; r++) log.add(confirmed(`referral-${c}-${r}`, peers[r % 3]!));
      }
    }
    const text = log.entries.map((entry) => JSON.stringify(entry));
    const report = check(log.entries);
    const fromText = check(text);
    expect(report.ok).toBe(true);
    expect(fromText.ok).toBe(true);
    expect(report.disclosures).toBeGreaterThan(40_000);
  });
});
