// What an audit log entry says, in the reader's language: its type as a short plain phrase, the
// specifics it records (a role, a reason, categories, a referral's step and states), the ids it
// names and any other field as it is. Everything shown comes from the entry itself, except the
// names of the people and organisations its ids stand for (AuditNames), looked up when the page
// is shown: the log itself holds no names.
import type { AuditEventType, DataCategory } from '../../../node/audit-log/events.js';
import { AUDIT_EVENT_TYPES } from '../../../node/audit-log/events.js';
import { format, formatDate, type Language, type Messages } from '../../i18n/catalogue.js';
import { countryName } from '../../i18n/names.js';
import { roleName } from '../layout.js';

/** Who and what the ids of a page of entries stand for, as this node knows them now. */
export interface AuditNames {
  /** Users by id: their display name, else their user name. */
  users: ReadonlyMap<string, string>;
  peers: ReadonlyMap<string, { name: string; country: string }>;
  /** The referrals the page's entries name, that this node holds. */
  referrals: ReadonlyMap<string, { direction: 'incoming' | 'outgoing'; peerId: string }>;
}

export const NO_NAMES: AuditNames = { users: new Map(), peers: new Map(), referrals: new Map() };

/** An organisation by its name and country, or its node id when this node does not know it. */
export function peerLabel(names: AuditNames, language: Language, id: string): string {
  const peer = names.peers.get(id);
  return peer ? `${peer.name} (${countryName(peer.country, language)})` : id;
}

const userLabel = (t: Messages, names: AuditNames, id: string): string => names.users.get(id) ?? t.auditUserUnknown;

/** A referral by the organisation it is with ("Referral from ..."), when this node holds it. */
export function referralLabel(t: Messages, language: Language, names: AuditNames, id: string): string | undefined {
  const referral = names.referrals.get(id);
  if (!referral) return undefined;
  return format(referral.direction === 'incoming' ? t.refTitleIncoming : t.refTitleOutgoing, { org: peerLabel(names, language, referral.peerId) });
}

/** An entry as read from its stored JSON text (or the fact that it cannot be read). */
export type ReadEntry =
  | { readable: true; index: number; at: string; type: string; actor: { kind: string; id: string }; fields: Record<string, unknown> }
  | { readable: false; index: number; at: string; type: string };

const ENVELOPE_FIELDS = new Set(['v', 'index', 'at', 'actor', 'type']);

export function readEntry(stored: { index: number; at: string; type: string; entry: string }): ReadEntry {
  try {
    const value = JSON.parse(stored.entry) as Record<string, unknown>;
    const actor = value.actor as { kind?: unknown; id?: unknown } | undefined;
    if (!value || typeof value !== 'object' || typeof actor?.kind !== 'string' || typeof actor.id !== 'string') throw new Error('no actor');
    const fields = Object.fromEntries(Object.entries(value).filter(([name]) => !ENVELOPE_FIELDS.has(name)));
    return { readable: true, index: stored.index, at: stored.at, type: stored.type, actor: { kind: actor.kind, id: actor.id }, fields };
  } catch {
    return { readable: false, index: stored.index, at: stored.at, type: stored.type };
  }
}

export const isEventType = (value: string): value is AuditEventType => (AUDIT_EVENT_TYPES as readonly string[]).includes(value);

/** The type's short phrase ("Consent recorded"); an unknown type as it is. */
export function typeLabel(t: Messages, type: string): string {
  return isEventType(type) ? t[`auditType.${type}`] : type;
}

/** The field names shown with a label of their own: the ids an entry names. */
export const ID_FIELDS = ['referral_id', 'consent_id', 'peer_id', 'node_id', 'user_id', 'envelope_id', 'invitation_id', 'service_id', 'token_id'] as const;
type IdField = (typeof ID_FIELDS)[number];
const isIdField = (name: string): name is IdField => (ID_FIELDS as readonly string[]).includes(name);

export const idLabel = (t: Messages, field: IdField): string => t[`auditId.${field}`];

const CATEGORIES: readonly DataCategory[] = ['identity', 'contact', 'situation', 'legal-status', 'health', 'children', 'documents'];
const REFERRAL_ACTIONS = [
  'draft', 'receipt', 'expiry', 'referral.inquiry', 'referral.inquiry-answer', 'referral.offer', 'referral.info-request', 'referral.info-response',
  'referral.accept', 'referral.decline', 'referral.update', 'referral.complete', 'referral.withdraw', 'referral.onward', 'consent.withdraw', 'erasure.receipt',
  'assigned', 'referral.handover',
] as const;
type ReferralAction = (typeof REFERRAL_ACTIONS)[number];
const SERVICE_ACTIONS = ['created', 'updated', 'paused', 'resumed', 'availability', 'deleted'] as const;
const REASONS = ['key-compromise', 'no-longer-partner', 'other', 'consent-withdrawn', 'retention', 'signing-key-changed', 'invalid-identity-document', 'quota-exceeded'] as const;

const text = (value: unknown): string => (typeof value === 'string' ? value : String(value ?? ''));
const isOneOf = <T extends string>(list: readonly T[], value: unknown): value is T => typeof value === 'string' && (list as readonly string[]).includes(value);

function categories(t: Messages, value: unknown): string {
  const list = Array.isArray(value) ? value : [];
  return list.map((c) => (isOneOf(CATEGORIES, c) ? t[`auditCategory.${c}`] : text(c))).join(', ') || t.none;
}

function reason(t: Messages, value: unknown): string {
  return isOneOf(REASONS, value) ? t[`auditReason.${value}`] : text(value);
}

function stateName(t: Messages, state: unknown): string {
  if (state === null || state === undefined) return t.auditStateNone;
  const key = `state.${text(state)}`;
  return Object.hasOwn(t, key) ? t[key as keyof Messages] : text(state);
}

/** The specifics of the entry in a sentence or two (besides its type and ids); '' when there are none. */
export function specifics(t: Messages, language: Language, entry: Extract<ReadEntry, { readable: true }>, names: AuditNames = NO_NAMES): string {
  const f = entry.fields;
  const key = (use: unknown) => (use === 'enc' ? t.auditKeyEnc : use === 'sig' ? t.auditKeySig : text(use));
  // By the type's name (a string), so that types added to the log later need no change here.
  switch (entry.type) {
    case 'user.created':
    case 'user.role-changed':
      return format(t.auditWithRole, { role: isOneOf(['admin', 'caseworker', 'auditor'] as const, f.role) ? roleName(t, f.role) : text(f.role) });
    case 'peer.revoked':
    case 'peer.alert':
    case 'consent.form-erased':
    case 'erasure.requested':
    case 'erasure.performed':
    case 'erasure.confirmed':
      return format(t.auditBecause, { reason: reason(t, f.reason ?? f.kind) });
    case 'peer.alert-resolved':
      return format(t.auditAlertWas, { reason: reason(t, f.kind) });
    case 'service.changed':
      return isOneOf(SERVICE_ACTIONS, f.action) ? t[`auditService.${f.action}`] : text(f.action);
    case 'key.rotated':
    case 'key.destroyed':
    case 'key.revoked':
      return format(t.auditWhichKey, { key: key(f.use) });
    case 'consent.recorded':
    case 'data.disclosed':
      return format(t.auditCategories, { categories: categories(t, f.categories) });
    case 'consent.withdrawn':
      return f.whole === true ? t.auditWithdrawnWhole : t.auditWithdrawnSome;
    case 'witness.inconsistency':
      return format(t.auditInconsistentSizes, { old: text(f.old_size), new: text(f.new_size) });
    case 'invitation.created':
      return typeof f.expires_at === 'string' ? format(t.auditValidUntil, { date: formatDate(f.expires_at, language) }) : '';
    case 'trust-list.applied':
      return format(t.auditTrustListCounts, { members: text(f.members), added: text(f.added), removed: text(f.removed) });
    case 'referral.opened':
      // Which referral's personal data was shown, as the caseworker knows it.
      return (typeof f.referral_id === 'string' ? referralLabel(t, language, names, f.referral_id) : undefined) ?? '';
    case 'referral.event': {
      const step = isOneOf(REFERRAL_ACTIONS, f.action) ? t[`auditAction.${f.action as ReferralAction}`] : format(t.auditActionOther, { action: text(f.action) });
      const direction = f.direction === 'incoming' ? t.auditIncoming : f.direction === 'outgoing' ? t.auditOutgoing : '';
      const states = format(t.auditStates, { from: stateName(t, f.from_state), to: stateName(t, f.to_state) });
      return [step, direction, states].filter(Boolean).join(' ');
    }
    default:
      return '';
  }
}

/** Fields the sentence above already says in the reader's words (left out of "other details"). */
const SAID: Readonly<Record<string, readonly string[]>> = {
  'user.created': ['role'],
  'user.role-changed': ['role'],
  'peer.revoked': ['reason'],
  'peer.alert': ['kind'],
  'peer.alert-resolved': ['kind'],
  'consent.form-erased': ['reason'],
  'erasure.requested': ['reason'],
  'erasure.performed': ['reason'],
  'erasure.confirmed': ['reason'],
  'service.changed': ['action'],
  'key.rotated': ['use'],
  'key.destroyed': ['use'],
  'key.revoked': ['use'],
  'consent.recorded': ['categories'],
  'data.disclosed': ['categories'],
  'consent.withdrawn': ['whole'],
  'witness.inconsistency': ['old_size', 'new_size'],
  'invitation.created': ['expires_at'],
  'trust-list.applied': ['members', 'added', 'removed'],
  'referral.event': ['action', 'direction', 'from_state', 'to_state'],
};

/** An id the entry names, as the page shows it: a person or organisation by name, a referral by what it is, others as they are. */
export interface NamedId {
  label: string;
  text: string;
  /** The id itself, shown beside a name that stands for it (never for people: they are their name). */
  id?: string;
  /** Where the thing is, for readers who may open it. */
  href?: string;
}

/** The ids the entry names, each with its label, and its other fields as they are. */
export function namedValues(
  t: Messages,
  language: Language,
  entry: Extract<ReadEntry, { readable: true }>,
  names: AuditNames = NO_NAMES,
  canOpenReferrals = false,
): { ids: NamedId[]; other: Array<[string, string]> } {
  const said = new Set(Object.hasOwn(SAID, entry.type) ? SAID[entry.type] : []);
  const ids: NamedId[] = [];
  const other: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(entry.fields)) {
    if (said.has(name)) continue;
    const shown = Array.isArray(value) ? value.map(text).join(', ') : typeof value === 'object' && value !== null ? JSON.stringify(value) : text(value);
    if (entry.type === 'referral.event' && entry.fields.action === 'assigned' && name === 'code' && typeof value === 'string') {
      // The user now responsible for the referral: a person, by name.
      ids.push({ label: t.auditAssignedTo, text: userLabel(t, names, value) });
      continue;
    }
        if (name === 'obtained_by' && typeof value === 'string') {
      // A user of this node, or one of the organisation the consent came from (whom this node does not know).
      const origin = typeof entry.fields.origin === 'string' && entry.fields.origin !== 'self' ? entry.fields.origin : undefined;
      const who = names.users.get(value) ?? (origin ? format(t.auditCaseworkerAt, { org: peerLabel(names, language, origin) }) : t.auditUserUnknown);
      ids.push({ label: t.auditObtainedBy, text: who });
      continue;
    }
    if (!isIdField(name)) {
      other.push([name, shown]);
      continue;
    }
    const label = idLabel(t, name);
    if (typeof value !== 'string') ids.push({ label, text: shown });
    else if (name === 'user_id') ids.push({ label, text: userLabel(t, names, value) });
    else if (name === 'peer_id' || name === 'node_id') ids.push({ label, text: peerLabel(names, language, value), ...(names.peers.has(value) ? { id: value } : {}) });
    else if (name === 'referral_id') {
      const what = referralLabel(t, language, names, value);
      ids.push(what ? { label, text: what, id: value, ...(canOpenReferrals ? { href: `/ui/referrals/${value}` } : {}) } : { label, text: value });
    } else ids.push({ label, text: shown });
  }
  return { ids, other };
}

/** Who made the entry happen: a user by name, an organisation by name and country, else the kind and its id. */
export function actorLabel(t: Messages, language: Language, names: AuditNames, actor: { kind: string; id: string }): string {
  if (actor.kind === 'user') return userLabel(t, names, actor.id);
  if (actor.kind === 'peer') return peerLabel(names, language, actor.id);
  return `${actor.kind === 'system' ? t.auditActorSystem : actor.kind}: ${actor.id}`;
}
