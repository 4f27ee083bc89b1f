// Consent records: what a client agreed may be shared, with whom, for what, until when, and how
// she was asked. A record holds no personal data, so its columns are plain; it is the ground every
// disclosure stands on (data.disclosed names it in the audit log). Three kinds: recorded here
// (origin 'self'), received with an offer (origin = the sending node), and narrowed from a
// received one for an onward referral (origin 'self', derived_from set).
import { uuidv7 } from '../util/uuidv7.js';
import type { Selectable } from 'kysely';
import type { components as Fed } from '../../spec/generated/federation.js';
import type { components as Local } from '../../spec/generated/local.js';
import type { NodeContext } from '../context.js';
import type { Db, Tx } from '../db/database.js';
import { preparedStatement } from '../db/prepared.js';
import type { ConsentsTable } from '../db/schema.js';
import { appendAuditEvent } from '../audit-log/append.js';
import type { AuditActor, ConsentMetadata } from '../audit-log/events.js';
import { DomainError } from '../errors.js';
import { normaliseNodeUrl } from '../peers/service.js';
import { categoriesPresent, REFERRAL_PURPOSE } from '../referrals/consent.js';
import { referralsUnderConsent } from '../referrals/state.js';
import { erasuresOf } from './erasures.js';
import { isConsentLanguage } from './languages.js';

export type ConsentInput = Local['schemas']['ConsentInput'];
export type Consent = Local['schemas']['Consent'];
export type ConsentStatus = Local['schemas']['ConsentStatus'];
export type ConsentRecord = Fed['schemas']['ConsentRecord'];
export type ConsentRow = Selectable<ConsentsTable>;
type ClientData = Fed['schemas']['ClientData'];
type DataCategory = Fed['schemas']['DataCategory'];
type OnwardPermission = Fed['schemas']['OnwardPermission'];

/** How far in the future obtained_at may be (clocks of laptops and servers differ). */
const CLOCK_SLACK_MS = 5 * 60_000;

const invalid = (detail: string) => new DomainError(422, 'invalid-request', 'Invalid consent', detail);

function nodeUrl(value: string): string {
  try {
    return normaliseNodeUrl(value);
  } catch {
    throw invalid('Each recipient is an organisation\'s node id: its https URL.');
  }
}

/** Records a consent obtained here by `actor`, inside `tx`. */
export async function recordConsent(
  tx: Tx,
  input: ConsentInput,
  actor: { userId: string },
  now: Date,
  id: string = uuidv7(),
): Promise<ConsentRow> {
  return insertConsent(tx, consentRowFor(input, actor, now, id), { kind: 'user', id: actor.userId }, now);
}

/** The row a consent given now becomes, checked (422 when it is not in force or its dates do not hold); nothing written. */
export function consentRowFor(input: ConsentInput, actor: { userId: string }, now: Date, id: string = uuidv7()): ConsentRow {
  const obtainedAt = input.obtained_at ? new Date(input.obtained_at) : now;
  if (obtainedAt.getTime() > now.getTime() + CLOCK_SLACK_MS) throw invalid('The consent cannot be obtained in the future (obtained_at).');
  if (Date.parse(input.valid_until) <= now.getTime()) throw invalid('valid_until has already passed: a consent must be in force when it is recorded.');
  if (Date.parse(input.valid_until) <= obtainedAt.getTime()) throw invalid('valid_until must be after obtained_at.');
  const recipients = [...new Set(input.recipients.map(nodeUrl))];
  const onward = input.onward_referral
    ? { ...input.onward_referral, ...(input.onward_referral.recipients ? { recipients: input.onward_referral.recipients.map(nodeUrl) } : {}) }
    : undefined;
  return {
    id,
    origin: 'self',
    origin_consent_id: id,
    derived_from: null,
    categories: JSON.stringify(input.categories),
    purposes: JSON.stringify(input.purposes),
    recipients: JSON.stringify(recipients),
    onward: onward ? JSON.stringify(onward) : null,
    method: input.method,
    language: input.language,
    obtained_by: actor.userId,
    obtained_at: obtainedAt.toISOString(),
    valid_until: new Date(input.valid_until).toISOString(),
    withdrawn_for: '[]',
    withdrawn_at: null,
    recorded_at: now.toISOString(),
  };
}

/** Records the consent an incoming offer carries: this node is its only recipient. */
export async function recordReceivedConsent(tx: Tx, consent: ConsentRecord, from: string, now: Date): Promise<ConsentRow> {
  const row: ConsentRow = {
    id: uuidv7(),
    origin: from,
    origin_consent_id: consent.id,
    derived_from: null,
    categories: JSON.stringify(consent.categories),
    purposes: JSON.stringify(consent.purposes),
    recipients: JSON.stringify(consent.recipients),
    onward: consent.onward_referral ? JSON.stringify(consent.onward_referral) : null,
    method: consent.method,
    language: consent.language,
    obtained_by: consent.obtained_by,
    obtained_at: consent.obtained_at,
    valid_until: consent.valid_until,
    withdrawn_for: '[]',
    withdrawn_at: null,
    recorded_at: now.toISOString(),
  };
  return insertConsent(tx, row, { kind: 'peer', id: from }, now);
}

/**
 * The consent of an onward referral: the received one narrowed to one recipient, the same
 * categories and validity, and no further onward referral.
 */
export async function deriveOnwardConsent(tx: Tx, received: ConsentRow, recipient: string, actor: { userId: string }, now: Date): Promise<ConsentRow> {
  const id = uuidv7();
  const row: ConsentRow = {
    ...received,
    id,
    origin: 'self',
    origin_consent_id: id,
    derived_from: received.id,
    recipients: JSON.stringify([recipient]),
    onward: null,
    withdrawn_for: '[]',
    withdrawn_at: null,
    recorded_at: now.toISOString(),
  };
  return insertConsent(tx, row, { kind: 'user', id: actor.userId }, now);
}

/** Records a consent row and its audit entry. */
export async function insertConsent(tx: Tx, row: ConsentRow, actor: AuditActor, now: Date): Promise<ConsentRow> {
  await insertConsentRow.execute(tx, row);
  await appendAuditEvent(tx, now, actor, { type: 'consent.recorded', ...metadataOf(row) });
  return row;
}

const insertConsentRow = preparedStatement((db, v: ConsentRow) =>
  db.insertInto('consents').values({
    id: v.id, origin: v.origin, origin_consent_id: v.origin_consent_id, derived_from: v.derived_from, categories: v.categories, purposes: v.purposes,
    recipients: v.recipients, onward: v.onward, method: v.method, language: v.language, obtained_by: v.obtained_by, obtained_at: v.obtained_at,
    valid_until: v.valid_until, withdrawn_for: v.withdrawn_for, withdrawn_at: v.withdrawn_at, recorded_at: v.recorded_at,
  }),
);

export function metadataOf(row: ConsentRow): ConsentMetadata {
  return {
    consent_id: row.id,
    origin: row.origin,
    origin_consent_id: row.origin_consent_id,
    ...(row.derived_from ? { derived_from: row.derived_from } : {}),
    categories: JSON.parse(row.categories) as DataCategory[],
    purposes: JSON.parse(row.purposes) as string[],
    recipients: JSON.parse(row.recipients) as string[],
    onward_allowed: row.onward ? (JSON.parse(row.onward) as OnwardPermission).allowed : false,
    method: row.method,
    language: row.language,
    obtained_by: row.obtained_by,
    obtained_at: row.obtained_at,
    valid_until: row.valid_until,
  };
}

/** The recipients a consent is withdrawn for now, and since when (the first withdrawal). */
export async function recordWithdrawal(tx: Tx, consentId: string, w: { withdrawnFor: readonly string[]; withdrawnAt: string }): Promise<void> {
  await tx.updateTable('consents').set({ withdrawn_for: JSON.stringify(w.withdrawnFor), withdrawn_at: w.withdrawnAt }).where('id', '=', consentId).execute();
}

export async function findConsent(db: Db | Tx, id: string): Promise<ConsentRow | undefined> {
  return consentById.first(db, { id });
}

const consentById = preparedStatement((db, v: { id: string }) => db.selectFrom('consents').selectAll().where('id', '=', v.id));

const withdrawnFor = (row: ConsentRow) => JSON.parse(row.withdrawn_for) as string[];
const recipientsOf = (row: ConsentRow) => JSON.parse(row.recipients) as string[];

/** Why sending `client` to `recipient` under this consent is not allowed now, or undefined when it is. */
export function consentRowViolation(row: ConsentRow, client: ClientData | undefined, recipient: string, now: Date): string | undefined {
  if (withdrawnFor(row).includes(recipient)) return 'The client withdrew this consent for this recipient.';
  if (Date.parse(row.valid_until) <= now.getTime()) return 'The consent is no longer in force (valid_until has passed).';
  if (Date.parse(row.obtained_at) > now.getTime() + CLOCK_SLACK_MS) return 'The consent is dated in the future.';
  if (!recipientsOf(row).includes(recipient)) return 'The consent does not name this recipient.';
  if (!(JSON.parse(row.purposes) as string[]).includes(REFERRAL_PURPOSE)) return 'The consent does not name referral among its purposes: she did not agree to be referred.';
  // Recorded before the list was fixed (or received from a node that did not check it): readable
  // here, but no peer would accept it in an offer.
  if (!isConsentLanguage(row.language)) return 'The consent was given in a language outside the network\'s list; record it again in one of them.';
  if (!client) return undefined;
  const categories = JSON.parse(row.categories) as string[];
  const outside = categoriesPresent(client).filter((c) => !categories.includes(c));
  return outside.length > 0 ? `The client data includes categories the consent does not cover: ${outside.join(', ')}.` : undefined;
}

/** The consent as it travels in an offer to `recipient`: only that recipient is named (the others are not its business). */
export function wireConsent(row: ConsentRow, recipient: string): ConsentRecord {
  return {
    id: row.id,
    categories: JSON.parse(row.categories) as DataCategory[],
    purposes: JSON.parse(row.purposes) as ConsentRecord['purposes'],
    recipients: [recipient],
    method: row.method,
    // Checked by consentRowViolation before any offer is made under it.
    language: row.language as ConsentRecord['language'],
    obtained_by: row.obtained_by,
    obtained_at: row.obtained_at,
    valid_until: row.valid_until,
    ...(row.onward ? { onward_referral: JSON.parse(row.onward) as OnwardPermission } : {}),
  };
}

export function statusOf(row: ConsentRow, now: Date): ConsentStatus {
  const withdrawn = withdrawnFor(row);
  if (withdrawn.length > 0 && recipientsOf(row).every((r) => withdrawn.includes(r))) return 'withdrawn';
  if (Date.parse(row.valid_until) <= now.getTime()) return 'expired';
  return withdrawn.length > 0 ? 'partly-withdrawn' : 'in-force';
}

export async function consentView(ctx: NodeContext, row: ConsentRow): Promise<Consent> {
  const { db } = ctx.database;
  const referrals = await referralsUnderConsent(db, row.id);
  const erasures = await erasuresOf(db, referrals.map((r) => r.id));
  const form = await db.selectFrom('consent_forms').select(['media_type', 'size', 'created_at']).where('consent_id', '=', row.id).executeTakeFirst();
  const metadata = metadataOf(row);
  return {
    id: row.id,
    origin: row.origin,
    ...(row.origin !== 'self' ? { origin_consent_id: row.origin_consent_id } : {}),
    ...(row.derived_from ? { derived_from: row.derived_from } : {}),
    categories: metadata.categories,
    purposes: metadata.purposes,
    recipients: metadata.recipients,
    ...(row.onward ? { onward_referral: JSON.parse(row.onward) as OnwardPermission } : {}),
    method: row.method,
    language: row.language,
    obtained_by: row.obtained_by,
    obtained_at: row.obtained_at,
    valid_until: row.valid_until,
    recorded_at: row.recorded_at,
    status: statusOf(row, ctx.clock.now()),
    withdrawn_for: withdrawnFor(row),
    ...(row.withdrawn_at ? { withdrawn_at: row.withdrawn_at } : {}),
    ...(form ? { form: { media_type: form.media_type, size: form.size, attached_at: form.created_at } } : {}),
    referrals: referrals.map((r) => ({
      id: r.id,
      case_reference: r.case_ref,
      direction: r.direction,
      peer_id: r.peer_id,
      state: r.state as Consent['referrals'][number]['state'],
      ...(r.erased_at ? { erased_at: r.erased_at } : {}),
    })),
    erasures: [...erasures.values()].flat(),
  };
}

export async function getConsent(ctx: NodeContext, id: string): Promise<Consent | undefined> {
  const row = await findConsent(ctx.database.db, id);
  return row ? consentView(ctx, row) : undefined;
}

export async function listConsents(
  ctx: NodeContext,
  filter: { status?: ConsentStatus | undefined; limit: number; cursor?: string | undefined },
): Promise<{ items: Consent[]; next_cursor?: string }> {
  // Status depends on the clock and on JSON columns: filter in code over pages of the table.
  const items: Consent[] = [];
  let after = filter.cursor ? decodeConsentCursor(filter.cursor) : undefined;
  const now = ctx.clock.now();
  for (;;) {
    let query = ctx.database.db.selectFrom('consents').selectAll().orderBy('recorded_at', 'desc').orderBy('id', 'desc').limit(200);
    if (after) {
      const { recordedAt, id } = after;
      query = query.where((eb) => eb.or([eb('recorded_at', '<', recordedAt), eb.and([eb('recorded_at', '=', recordedAt), eb('id', '<', id)])]));
    }
    const rows = await query.execute();
    for (const row of rows) {
      if (filter.status && statusOf(row, now) !== filter.status) continue;
      if (items.length === filter.limit) return { items, next_cursor: encodeConsentCursor(after!) };
      items.push(await consentView(ctx, row));
      after = { recordedAt: row.recorded_at, id: row.id };
    }
    if (rows.length < 200) return { items };
    const last = rows[rows.length - 1]!;
    after = { recordedAt: last.recorded_at, id: last.id };
  }
}

const encodeConsentCursor = (at: { recordedAt: string; id: string }) => Buffer.from(JSON.stringify([at.recordedAt, at.id])).toString('base64url');

function decodeConsentCursor(cursor: string): { recordedAt: string; id: string } {
  try {
    const [recordedAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof recordedAt === 'string' && typeof id === 'string') return { recordedAt, id };
  } catch {
    // Refused below.
  }
  throw new DomainError(400, 'invalid-request', 'Invalid cursor', 'Pass the next_cursor of the previous page unchanged.');
}
