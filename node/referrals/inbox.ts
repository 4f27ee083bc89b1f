// The caseworker's list of referrals (issue 18 item 1): what is owed first, by the day it is due,
// then the most urgent, then the latest changed; filtered by direction, state, partner, urgency,
// need, "needs action by us" and overdue, with a count for each choice of each filter (under the
// other filters in force, as a faceted search counts).
//
// The list is made in memory from one query over the referrals' plain columns: a node holds
// hundreds to a few thousand referrals (its own organisation's, the closed ones erased after their
// retention), and counting every choice of every filter, and sorting by what is owed, read from
// the same rows stay consistent that way. The needs are inside the encrypted payloads: only a
// filter by need opens them, each referral's once, for the page (never stored in the clear).
import type { NodeContext } from '../context.js';
import type { Db } from '../db/database.js';
import { failedDeliveryReferralIds } from '../delivery/outbox.js';
import { taxonomy } from '../directory/taxonomy.js';
import type { ReferralInquiryBody } from './inquiry.js';
import { attentionOf, type Attention } from './attention.js';
import { INQUIRY, OFFER, type ReferralState } from './lifecycle.js';
import type { ReferralOfferBody } from './offer.js';
import { readPayload } from './payload-store.js';
import { summariesOf, type ReferralSummary } from './service.js';
import type { Referral } from './state.js';
import { usersWorkingOnReferrals } from '../users/accounts.js';

export type Urgency = ReferralSummary['urgency'];
export type Direction = 'incoming' | 'outgoing';

export interface InboxFilters {
  direction?: Direction | undefined;
  state?: ReferralState | undefined;
  peer?: string | undefined;
  urgency?: Urgency | undefined;
  /** A taxonomy code: the referral asks for it, or for a narrower kind of it. */
  need?: string | undefined;
  /** Only those this organisation owes something (attention). */
  owed?: boolean | undefined;
  /** Only open referrals past their reply-by day. */
  overdue?: boolean | undefined;
  /** Only those this user is responsible for, or those nobody is. */
  assignee?: { userId: string } | 'unassigned' | undefined;
}

/** How many referrals each choice of a filter would show, the other filters as they are. */
export interface InboxCounts {
  direction: Record<Direction, number>;
  state: Map<string, number>;
  peer: Map<string, number>;
  urgency: Map<string, number>;
  owed: number;
  overdue: number;
  /** Responsible: the user the counts are for ("mine"), and nobody. */
  mine: number;
  unassigned: number;
}

export interface InboxPage {
  items: ReferralSummary[];
  /** Referrals under the filters, on every page. */
  total: number;
  counts: InboxCounts;
}

const URGENCY_RANK: Readonly<Record<string, number>> = { emergency: 0, urgent: 1, routine: 2 };

interface Candidate {
  row: Referral;
  attention: Attention | undefined;
  /** Nobody here can act on it: no one is responsible, or the one who is can no longer work on referrals (disabled, or an auditor now). */
  nobody: boolean;
}

type Facet = 'direction' | 'state' | 'peer' | 'urgency' | 'owed' | 'overdue' | 'assignee';

/** Whether the candidate passes the filters, leaving out the facet `except` (for its counts). */
function passes(c: Candidate, filters: InboxFilters, except?: Facet): boolean {
  const { row, attention } = c;
  if (except !== 'direction' && filters.direction && row.direction !== filters.direction) return false;
  if (except !== 'state' && filters.state && row.state !== filters.state) return false;
  if (except !== 'peer' && filters.peer && row.peer_id !== filters.peer) return false;
  if (except !== 'urgency' && filters.urgency && row.urgency !== filters.urgency) return false;
  if (except !== 'owed' && filters.owed && !attention) return false;
  if (except !== 'overdue' && filters.overdue && !attention?.overdue) return false;
  if (except !== 'assignee' && filters.assignee) {
    if (filters.assignee === 'unassigned' ? !c.nobody : row.assignee_id !== filters.assignee.userId) return false;
  }
  return true;
}

/** Owed first; then by the day an answer is due (none last); then the most urgent; then the latest changed. */
function dueFirst(a: Candidate, b: Candidate): number {
  const owed = Number(!a.attention) - Number(!b.attention);
  if (owed !== 0) return owed;
  const due = (c: Candidate) => (c.row.reply_by ? Date.parse(c.row.reply_by) : Number.POSITIVE_INFINITY);
  if (due(a) !== due(b)) return due(a) < due(b) ? -1 : 1;
  const urgency = (URGENCY_RANK[a.row.urgency] ?? 3) - (URGENCY_RANK[b.row.urgency] ?? 3);
  if (urgency !== 0) return urgency;
  if (a.row.updated_at !== b.row.updated_at) return a.row.updated_at < b.row.updated_at ? 1 : -1;
  return a.row.id < b.row.id ? 1 : -1;
}

/** The codes a need filter finds: the code and its narrower kinds. */
function codesUnder(need: string): Set<string> {
  const codes = new Set([need]);
  for (const category of taxonomy().categories) if (category.parent === need) codes.add(category.code);
  return codes;
}

/** The needs a referral asks for (its offer's, else its inquiry's), opened from its payload for this page only. */
export async function needsOf(ctx: NodeContext, referralId: string): Promise<string[]> {
  const { db } = ctx.database;
  const offer = await readPayload<ReferralOfferBody>(db, ctx.dataKeys, referralId, OFFER);
  if (offer) return offer.needs;
  const inquiry = await readPayload<ReferralInquiryBody>(db, ctx.dataKeys, referralId, INQUIRY);
  return inquiry?.needs ?? [];
}

async function allReferrals(db: Db): Promise<Referral[]> {
  return db.selectFrom('referrals').selectAll().execute();
}

/** One page (0-based) of the list under `filters`, with the counts (`userId`: whose "mine" they count). */
export async function inboxPage(ctx: NodeContext, filters: InboxFilters, page: number, pageSize: number, userId: string): Promise<InboxPage> {
  return (await inboxPages(ctx, [{ filters, page, pageSize }], userId))[0]!;
}

/** Several pages of the list (the overview's), each under its filters, from one reading of the referrals. */
export async function inboxPages(ctx: NodeContext, requests: ReadonlyArray<{ filters: InboxFilters; page: number; pageSize: number }>, userId: string): Promise<InboxPage[]> {
  const { db } = ctx.database;
  const now = ctx.clock.now();
  const refused = new Set(await failedDeliveryReferralIds(db));
  const working = await usersWorkingOnReferrals(db);
  const all: Candidate[] = (await allReferrals(db)).map((row) => ({
    row, attention: attentionOf(row, refused.has(row.id), now), nobody: row.assignee_id === null || !working.has(row.assignee_id),
  }));
  const pages: InboxPage[] = [];
  for (const { filters, page, pageSize } of requests) pages.push(await pageOf(ctx, all, filters, page, pageSize, userId));
  return pages;
}

async function pageOf(ctx: NodeContext, all: Candidate[], filters: InboxFilters, page: number, pageSize: number, userId: string): Promise<InboxPage> {
  let candidates = all;
  if (filters.need) {
    const wanted = codesUnder(filters.need);
    const kept: Candidate[] = [];
    for (const c of candidates) if ((await needsOf(ctx, c.row.id)).some((n) => wanted.has(n))) kept.push(c);
    candidates = kept;
  }
  const count = (facet: Facet, key: (c: Candidate) => string) => {
    const counts = new Map<string, number>();
    for (const c of candidates) if (passes(c, filters, facet)) counts.set(key(c), (counts.get(key(c)) ?? 0) + 1);
    return counts;
  };
  const directions = count('direction', (c) => c.row.direction);
  const counts: InboxCounts = {
    direction: { incoming: directions.get('incoming') ?? 0, outgoing: directions.get('outgoing') ?? 0 },
    state: count('state', (c) => c.row.state),
    peer: count('peer', (c) => c.row.peer_id),
    urgency: count('urgency', (c) => c.row.urgency),
    owed: candidates.filter((c) => c.attention && passes(c, filters, 'owed')).length,
    overdue: candidates.filter((c) => c.attention?.overdue && passes(c, filters, 'overdue')).length,
    mine: candidates.filter((c) => c.row.assignee_id === userId && passes(c, filters, 'assignee')).length,
    unassigned: candidates.filter((c) => c.nobody && passes(c, filters, 'assignee')).length,
  };
  const shown = candidates.filter((c) => passes(c, filters)).sort(dueFirst);
  const rows = shown.slice(page * pageSize, (page + 1) * pageSize).map((c) => c.row);
  return { items: await summariesOf(ctx, rows), total: shown.length, counts };
}
