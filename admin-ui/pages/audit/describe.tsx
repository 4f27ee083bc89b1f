// What an audit log entry says, in the reader's language: its type as a short plain phrase, the
// specifics it records (a role, a reason, categories, a referral's step and states), the ids it
// names and any other field as it is. Everything shown comes from the entry itself.
import type { AuditEventType, DataCategory } from '../../../node/audit-log/events.js';
import { AUDIT_EVENT_TYPES } from '../../../node/audit-log/events.js';
import { format, formatDate, type Language, type Messages } from '../../i18n/catalogue.js';
import { roleName } from '../layout.js';

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
export function specifics(t: Messages, language: Language, entry: Extract<ReadEntry, { readable: true }>): string {
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

/** The ids the entry names, each with its label, and its other fields as they are. */
export function namedValues(t: Messages, entry: Extract<ReadEntry, { readable: true }>): { ids: Array<[string, string]>; other: Array<[string, string]> } {
  const said = new Set(Object.hasOwn(SAID, entry.type) ? SAID[entry.type] : []);
  const ids: Array<[string, string]> = [];
  const other: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(entry.fields)) {
    if (said.has(name)) continue;
    const shown = Array.isArray(value) ? value.map(text).join(', ') : typeof value === 'object' && value !== null ? JSON.stringify(value) : text(value);
    if (isIdField(name)) ids.push([idLabel(t, name), shown]);
    else other.push([name, shown]);
  }
  return { ids, other };
}

export function actorLabel(t: Messages, actor: { kind: string; id: string }): string {
  const kind = actor.kind === 'user' ? t.auditActorUser : actor.kind === 'peer' ? t.auditActorPeer : actor.kind === 'system' ? t.auditActorSystem : actor.kind;
  return `${kind}: ${actor.id}`;
}
