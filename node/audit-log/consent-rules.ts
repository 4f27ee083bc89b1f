// The consent rules of the audit log (DESIGN.md, "Consent and erasure" and "The log"): from the
// log alone, and without reading personal data, an auditor can show that every disclosure was
// covered by a consent in force and that every withdrawal led to erasure at every recipient.
//
// The entries are read in log order: their indices must increase (gaps are allowed, so a caller
// may pass only the entry types these rules use). "Earlier" and "later" below mean log order,
// which the Merkle tree fixes; the entries' `at` times are used only for validity and grace.
//
// - disclosure-without-consent: a `data.disclosed` names a consent that no earlier
//   `consent.recorded` records (or whose record is malformed).
// - consent-not-in-force: at the disclosure's `at` the consent was not yet obtained
//   (obtained_at later than `at` plus CONSENT_CLOCK_SKEW_MS) or had expired (`at` ≥ valid_until).
// - recipient-not-consented: the disclosure's peer_id is not among the consent's recipients.
// - category-not-consented: a category disclosed is not among the consent's categories.
// - disclosure-after-withdrawal: an earlier `consent.withdrawn` withdrew the consent for that peer
//   (named in its recipients, or `whole`). A consent narrowed for an onward referral
//   (`derived_from`) is never in force where the consent it came from is not: a withdrawal of
//   that consent, whole, for the same peer or for this node itself (the `node_id` of
//   `node.initialised`), withdraws the narrowed one too.
// - erasure-not-requested: a referral was disclosed to a peer under a consent that is withdrawn
//   for that peer, and neither an `erasure.requested` nor an `erasure.confirmed` for that referral
//   and peer follows its last such disclosure. One logged after that disclosure but before the
//   withdrawal counts: the node asks each organisation once per referral, and retention (at
//   either end) may have started or finished the erasure already. A disclosure whose message was
//   cancelled before any attempt to send it (a later `disclosure.cancelled` with its referral and
//   envelope id) never left and needs no erasure; it is still checked against its consent above
//   and counted in `disclosures`. Withdrawals of a consent no earlier entry records change
//   nothing; disclosures under such a consent are findings already.
// - erasure-overdue: an `erasure.requested` has no later `erasure.confirmed` for the same referral
//   and node, and was requested more than `erasureGraceDays` (default 30) before `now`. Younger
//   ones are reported in `pending` and do not fail the check. Onward recipients are checked the
//   same way: the node that referred on is asked, and the originating node logs one more request
//   with the onward node as node_id, which needs its own (usually relayed) confirmation.
// - malformed-entry: an entry that is not valid JSON, not an object, or lacks `v: 1`, an index,
//   a type or an RFC 3339 `at`; an entry out of order; a second record of the same consent id; an
//   entry of a type these rules use whose fields they need are missing or of the wrong kind. Such
//   an entry is reported and otherwise skipped. Entries of other types, known or not, are ignored.
//
// Findings name entries by index (or, for one whose index cannot be read, its position in the
// input) and say what is wrong in a sentence that contains ids only, never other entry content.
import type { AuditEntry } from './append.js';

export const DEFAULT_ERASURE_GRACE_DAYS = 30;
/** How far a disclosure may precede the consent's obtained_at (the two clocks may differ). */
export const CONSENT_CLOCK_SKEW_MS = 5 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

export type ConsentRule =
  | 'disclosure-without-consent'
  | 'consent-not-in-force'
  | 'recipient-not-consented'
  | 'category-not-consented'
  | 'disclosure-after-withdrawal'
  | 'erasure-not-requested'
  | 'erasure-overdue'
  | 'malformed-entry';

export interface ConsentFinding {
  rule: ConsentRule;
  /** The entry at fault (for an unreadable entry without an index: its position in the input). */
  index: number;
  referral_id?: string;
  consent_id?: string;
  node_id?: string;
  /** A plain English sentence naming ids only. */
  detail: string;
}

/** An erasure requested and not yet confirmed, still within the grace period. */
export interface PendingErasure {
  referral_id: string;
  node_id: string;
  requested_at: string;
  index: number;
}

export interface ConsentRulesReport {
  ok: boolean;
  disclosures: number;
  withdrawals: number;
  findings: ConsentFinding[];
  pending: PendingErasure[];
}

export interface ConsentRulesOptions {
  now: Date;
  erasureGraceDays?: number;
}

type Fields = Record<string, unknown>;
type FieldKind = 'id' | 'ids' | 'date' | 'boolean' | 'optional-id';

/** The fields the rules read, per entry type; entries of other types are not looked into. */
const RULE_FIELDS: Record<string, Record<string, FieldKind>> = {
  'node.initialised': { node_id: 'id' },
  'consent.recorded': {
    consent_id: 'id',
    categories: 'ids',
    recipients: 'ids',
    obtained_at: 'date',
    valid_until: 'date',
    derived_from: 'optional-id',
  },
  'consent.withdrawn': { consent_id: 'id', recipients: 'ids', whole: 'boolean' },
  'data.disclosed': { referral_id: 'id', peer_id: 'id', envelope_id: 'id', consent_id: 'id', categories: 'ids' },
  'disclosure.cancelled': { referral_id: 'id', envelope_id: 'id' },
  'erasure.requested': { referral_id: 'id', node_id: 'id' },
  'erasure.confirmed': { referral_id: 'id', node_id: 'id' },
};
const RULE_FIELD_LISTS = new Map(Object.entries(RULE_FIELDS).map(([type, fields]) => [type, Object.entries(fields)]));

type EventOf<T extends AuditEntry['type']> = Extract<AuditEntry, { type: T }>;

interface RecordedConsent {
  id: string;
  categories: ReadonlySet<string>;
  recipients: ReadonlySet<string>;
  obtainedAt: number;
  validUntil: number;
  parent: RecordedConsent | undefined;
  /** Index of the first withdrawal of the whole consent. */
  withdrawnWhole: number | undefined;
  /** Peer → index of the first withdrawal for it. */
  withdrawnFor: Map<string, number>;
  /** Peer → referral → the disclosures of that referral to that peer under it. */
  disclosed: Map<string, Map<string, Disclosure[]>>;
}

interface Disclosure {
  index: number;
  /** A later `disclosure.cancelled` says its message was never sent. */
  cancelled: boolean;
}

interface OutstandingErasure {
  referral_id: string;
  node_id: string;
  index: number;
  at: string;
  atMs: number;
}

export function checkConsentRules(
  entries: readonly AuditEntry[] | readonly string[],
  options: ConsentRulesOptions,
): ConsentRulesReport {
  const now = options.now instanceof Date ? options.now.getTime() : Number.NaN;
  if (!Number.isFinite(now)) throw new TypeError('checkConsentRules: options.now must be a valid Date');
  const graceDays = options.erasureGraceDays ?? DEFAULT_ERASURE_GRACE_DAYS;
  if (!Number.isFinite(graceDays) || graceDays < 0) {
    throw new RangeError('checkConsentRules: options.erasureGraceDays must be a number of days, 0 or more');
  }

  const findings: ConsentFinding[] = [];
  const consents = new Map<string, RecordedConsent>();
  /** Consent id → index of a record of it that could not be read. */
  const unreadableConsents = new Map<string, number>();
  /** pairKey(referral, node) → index of the last erasure.requested or erasure.confirmed. */
  const lastErasure = new Map<string, number>();
  /** pairKey(referral, envelope) → the disclosure it carried, for cancellations. */
  const disclosureByEnvelope = new Map<string, Disclosure>();
  const outstanding = new Map<string, OutstandingErasure>();
  let selfId: string | undefined;
  let previousIndex = -1;
  let disclosures = 0;
  let withdrawals = 0;

  for (let position = 0; position < entries.length; position++) {
    const read = readEntry(entries[position], position);
    if ('detail' in read) {
      findings.push({ rule: 'malformed-entry', index: read.index, detail: read.detail });
      if (read.readableIndex) previousIndex = Math.max(previousIndex, read.index);
      continue;
    }
    const { entry, index, type } = read;
    if (index <= previousIndex) {
      findings.push({
        rule: 'malformed-entry',
        index,
        detail: `Entry ${index} comes after entry ${previousIndex}: entries must be in log order, with increasing indices.`,
      });
      continue;
    }
    previousIndex = index;

    const expected = RULE_FIELD_LISTS.get(type);
    if (expected === undefined) continue;
    const badField = firstBadField(entry, expected);
    if (badField !== undefined) {
      findings.push({ rule: 'malformed-entry', index, detail: `Entry ${index} (${type}) has a missing or invalid ${badField} field.` });
      if (type === 'consent.recorded' && typeof entry.consent_id === 'string' && !consents.has(entry.consent_id)) {
        unreadableConsents.set(entry.consent_id, index);
      }
      continue;
    }

    switch (type) {
      case 'node.initialised': {
        selfId ??= (entry as unknown as EventOf<'node.initialised'>).node_id;
        break;
      }
      case 'consent.recorded': {
        const e = entry as unknown as EventOf<'consent.recorded'>;
        if (consents.has(e.consent_id) || unreadableConsents.has(e.consent_id)) {
          findings.push({
            rule: 'malformed-entry',
            index,
            consent_id: e.consent_id,
            detail: `Entry ${index} records consent ${e.consent_id} again; an earlier entry recorded it first.`,
          });
          break;
        }
        consents.set(e.consent_id, {
          id: e.consent_id,
          categories: new Set(e.categories),
          recipients: new Set(e.recipients),
          obtainedAt: parseDateTime(e.obtained_at)!,
          validUntil: parseDateTime(e.valid_until)!,
          parent: typeof e.derived_from === 'string' ? consents.get(e.derived_from) : undefined,
          withdrawnWhole: undefined,
          withdrawnFor: new Map(),
          disclosed: new Map(),
        });
        break;
      }
      case 'consent.withdrawn': {
        const e = entry as unknown as EventOf<'consent.withdrawn'>;
        withdrawals++;
        const consent = consents.get(e.consent_id);
        if (consent === undefined) break;
        if (e.whole) consent.withdrawnWhole ??= index;
        for (const peer of e.recipients) {
          if (!consent.withdrawnFor.has(peer)) consent.withdrawnFor.set(peer, index);
        }
        break;
      }
      case 'data.disclosed': {
        const e = entry as unknown as EventOf<'data.disclosed'>;
        disclosures++;
        const consent = consents.get(e.consent_id);
        if (consent === undefined) {
          findings.push(disclosureFinding(e, index, 'disclosure-without-consent', unreadableConsents.get(e.consent_id)));
          break;
        }
        if (!consent.recipients.has(e.peer_id)) findings.push(disclosureFinding(e, index, 'recipient-not-consented'));
        if (e.categories.some((category) => !consent.categories.has(category))) {
          findings.push(disclosureFinding(e, index, 'category-not-consented'));
        }
        if (read.at >= consent.validUntil) findings.push(disclosureFinding(e, index, 'consent-not-in-force', 'expired'));
        else if (consent.obtainedAt > read.at + CONSENT_CLOCK_SKEW_MS) findings.push(disclosureFinding(e, index, 'consent-not-in-force'));
        const withdrawn = withdrawnAt(consent, e.peer_id, selfId);
        if (withdrawn !== undefined) findings.push(disclosureFinding(e, index, 'disclosure-after-withdrawal', withdrawn));
        let byReferral = consent.disclosed.get(e.peer_id);
        if (byReferral === undefined) consent.disclosed.set(e.peer_id, (byReferral = new Map()));
        const disclosure: Disclosure = { index, cancelled: false };
        const earlier = byReferral.get(e.referral_id);
        if (earlier === undefined) byReferral.set(e.referral_id, [disclosure]);
        else earlier.push(disclosure);
        disclosureByEnvelope.set(pairKey(e.referral_id, e.envelope_id), disclosure);
        break;
      }
      case 'disclosure.cancelled': {
        const e = entry as unknown as EventOf<'disclosure.cancelled'>;
        const disclosure = disclosureByEnvelope.get(pairKey(e.referral_id, e.envelope_id));
        if (disclosure !== undefined) disclosure.cancelled = true;
        break;
      }
      case 'erasure.requested': {
        const e = entry as unknown as EventOf<'erasure.requested'>;
        const key = pairKey(e.referral_id, e.node_id);
        lastErasure.set(key, index);
        // Retries of a request keep the first one's date: the grace period runs from there.
        if (!outstanding.has(key)) {
          const request = { referral_id: e.referral_id, node_id: e.node_id, index, at: entry.at as string, atMs: read.at };
          outstanding.set(key, request);
        }
        break;
      }
      case 'erasure.confirmed': {
        const e = entry as unknown as EventOf<'erasure.confirmed'>;
        const key = pairKey(e.referral_id, e.node_id);
        lastErasure.set(key, index);
        outstanding.delete(key);
        break;
      }
    }
  }

  for (const consent of consents.values()) {
    for (const [peer, byReferral] of consent.disclosed) {
      const withdrawn = withdrawnAt(consent, peer, selfId);
      if (withdrawn === undefined) continue;
      for (const [referral, sent] of byReferral) {
        const lastDisclosure = sent.reduce((last, d) => (d.cancelled ? last : Math.max(last, d.index)), -1);
        if (lastDisclosure < 0 || (lastErasure.get(pairKey(referral, peer)) ?? -1) > lastDisclosure) continue;
        const afterWithdrawal = lastDisclosure > withdrawn;
        const detail = afterWithdrawal
          ? `Entry ${lastDisclosure} discloses referral ${referral} to ${peer} after entry ${withdrawn} withdrew ` +
            `consent ${consent.id} for it, and no later entry requests its erasure.`
          : `Entry ${withdrawn} withdraws consent ${consent.id} for ${peer}, and no entry after entry ` +
            `${lastDisclosure} requests erasure of referral ${referral} from it.`;
        const index = afterWithdrawal ? lastDisclosure : withdrawn;
        findings.push({ rule: 'erasure-not-requested', index, referral_id: referral, consent_id: consent.id, node_id: peer, detail });
      }
    }
  }

  const pending: PendingErasure[] = [];
  const graceMs = graceDays * DAY_MS;
  for (const { referral_id, node_id, index, at, atMs } of outstanding.values()) {
    if (now - atMs > graceMs) {
      const detail =
        `Entry ${index} requests erasure of referral ${referral_id} from ${node_id}, ` +
        `and no confirmation came within ${graceDays} days.`;
      findings.push({ rule: 'erasure-overdue', index, referral_id, node_id, detail });
    } else {
      pending.push({ referral_id, node_id, requested_at: at, index });
    }
  }

  findings.sort((a, b) => a.index - b.index);
  pending.sort((a, b) => a.index - b.index);
  return { ok: findings.length === 0, disclosures, withdrawals, findings, pending };
}

/**
 * The index of the first withdrawal that took the consent out of force for peer, if any: of the
 * consent itself, or of one it was narrowed from; for the peer, whole, or for this node itself.
 */
function withdrawnAt(consent: RecordedConsent, peer: string, selfId: string | undefined): number | undefined {
  let first = Number.POSITIVE_INFINITY;
  for (let c: RecordedConsent | undefined = consent; c; c = c.parent) {
    first = Math.min(
      first,
      c.withdrawnWhole ?? first,
      c.withdrawnFor.get(peer) ?? first,
      (selfId === undefined ? undefined : c.withdrawnFor.get(selfId)) ?? first,
    );
  }
  return first === Number.POSITIVE_INFINITY ? undefined : first;
}

/** A finding about one disclosure; `about` is the withdrawal's index, or the malformed record's. */
function disclosureFinding(
  e: EventOf<'data.disclosed'>,
  index: number,
  rule: ConsentRule,
  about?: number | 'expired',
): ConsentFinding {
  const what = `Entry ${index} discloses referral ${e.referral_id} to ${e.peer_id}`;
  const consent = `consent ${e.consent_id}`;
  const detail =
    rule === 'disclosure-without-consent'
      ? about === undefined
        ? `${what} under ${consent}, which no earlier entry records.`
        : `${what} under ${consent}, whose record (entry ${about}) is malformed.`
      : rule === 'recipient-not-consented'
        ? `${what}, which is not a recipient of ${consent}.`
        : rule === 'category-not-consented'
          ? `${what} with data categories that ${consent} does not cover.`
          : rule === 'consent-not-in-force'
            ? `${what} under ${consent} ${about === 'expired' ? 'after it expired' : 'before it was obtained'}.`
            : `${what} under ${consent}, which entry ${about} withdrew for it.`;
  return { rule, index, referral_id: e.referral_id, consent_id: e.consent_id, node_id: e.peer_id, detail };
}

type ReadEntry =
  | { entry: Fields; index: number; type: string; at: number }
  | { index: number; readableIndex: boolean; detail: string };

/** Parses an entry (text or object) and checks what every entry has: v, index, type and at. */
function readEntry(raw: unknown, position: number): ReadEntry {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      return { index: position, readableIndex: false, detail: `The entry at position ${position} of the input is not valid JSON.` };
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { index: position, readableIndex: false, detail: `The entry at position ${position} of the input is not a JSON object.` };
  }
  const entry = value as Fields;
  const index = entry.index;
  if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0) {
    return { index: position, readableIndex: false, detail: `The entry at position ${position} of the input has no valid index.` };
  }
  if (entry.v !== 1) return { index, readableIndex: true, detail: `Entry ${index} lacks the version marker v: 1.` };
  if (typeof entry.type !== 'string' || entry.type === '') {
    return { index, readableIndex: true, detail: `Entry ${index} has no type.` };
  }
  const at = parseDateTime(entry.at);
  if (at === undefined) return { index, readableIndex: true, detail: `Entry ${index} has no valid date-time in at.` };
  return { entry, index, type: entry.type, at };
}

function firstBadField(entry: Fields, expected: ReadonlyArray<[string, FieldKind]>): string | undefined {
  for (const [field, kind] of expected) {
    const value = entry[field];
    const good =
      kind === 'id'
        ? isId(value)
        : kind === 'optional-id'
          ? value === undefined || value === null || isId(value)
          : kind === 'ids'
            ? Array.isArray(value) && value.every(isId)
            : kind === 'boolean'
              ? typeof value === 'boolean'
              : parseDateTime(value) !== undefined;
    if (!good) return field;
  }
  return undefined;
}

const isId = (value: unknown): value is string => typeof value === 'string' && value !== '';

/** Length-prefixed, so that no choice of ids can make two different pairs collide. */
const pairKey = (referralId: string, other: string): string => `${referralId.length}:${referralId}${other}`;

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/i;

/**
 * An RFC 3339 date-time in milliseconds since the epoch, or undefined if it is not one. The shape
 * is checked first because Date.parse accepts many other forms, and the calendar date after,
 * because Date.parse takes 30 February as 1 March.
 */
function parseDateTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const shape = RFC3339.exec(value);
  if (!shape) return undefined;
  const ms = Date.parse(value.toUpperCase());
  if (Number.isNaN(ms)) return undefined;
  const [year, month, day] = [Number(shape[1]), Number(shape[2]), Number(shape[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day ? ms : undefined;
}
