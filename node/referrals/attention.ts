// What this organisation owes on a referral now (issue 18 item 1: "needs action by us", with the
// reason): one rule table, read by the lists' SQL (to filter, count and sort by it) and by the
// summaries (to say it), so that the two never disagree.
//
// - received, delivered: decide (accept, decline or ask for information);
// - received, an inquiry: answer it;
// - sent, the receiver asked for information: answer;
// - sent, a draft: send it (or delete it);
// - sent, the inquiry was answered: make the referral;
// - sent and waiting for the receiver's decision, the day an answer is wanted less than a day
//   away or past: follow it up (ask them);
// - any referral with a message the peer refused for good: look at the delivery.
// A referral owed something past the day its answer was wanted is overdue (a sent one then is a
// partner late with its answer: worth a call).
import { sql, type RawBuilder } from 'kysely';
import type { components } from '../../spec/generated/local.js';
import type { ReferralState } from './lifecycle.js';

export type Attention = components['schemas']['Attention'];
export type AttentionReason = Attention['reason'];

interface Rule {
  reason: Exclude<AttentionReason, 'delivery-failed'>;
  direction: 'incoming' | 'outgoing';
  states: readonly ReferralState[];
  /** Only once the reply-by day is this close (ms), or past. */
  dueWithin?: number;
}

/** A day: how long before the reply-by day a sent referral's answer is followed up. */
export const FOLLOW_UP_MS = 86_400_000;

/** In order: the first rule that holds gives the reason (a refused delivery comes before all). */
const RULES: readonly Rule[] = [
  { reason: 'decide', direction: 'incoming', states: ['delivered'] },
  { reason: 'answer-inquiry', direction: 'incoming', states: ['inquiry'] },
  { reason: 'answer-info-request', direction: 'outgoing', states: ['info-requested'] },
  { reason: 'send-draft', direction: 'outgoing', states: ['draft'] },
  { reason: 'make-referral', direction: 'outgoing', states: ['inquiry-answered'] },
  { reason: 'follow-up', direction: 'outgoing', states: ['sent', 'delivered'], dueWithin: FOLLOW_UP_MS },
];

export const ATTENTION_REASONS: readonly AttentionReason[] = ['delivery-failed', ...RULES.map((r) => r.reason)];

interface Row {
  direction: 'incoming' | 'outgoing';
  state: string;
  reply_by: string | null;
}

/** What this node owes on the referral at `now`, if anything; `deliveryFailed`: a message of ours was refused for good. */
export function attentionOf(row: Row, deliveryFailed: boolean, now: Date): Attention | undefined {
  const due = row.reply_by ?? undefined;
  const overdue = due !== undefined && Date.parse(due) < now.getTime();
  const at = (reason: AttentionReason): Attention => ({ reason, ...(due ? { due } : {}), overdue });
  if (deliveryFailed) return at('delivery-failed');
  for (const rule of RULES) {
    if (rule.direction !== row.direction || !rule.states.includes(row.state as ReferralState)) continue;
    if (rule.dueWithin !== undefined && !(due !== undefined && Date.parse(due) < now.getTime() + rule.dueWithin)) continue;
    return at(rule.reason);
  }
  return undefined;
}

/** The reason as SQL (null when nothing is owed), the same rules as attentionOf. */
export function attentionSql(failed: readonly string[], now: Date): RawBuilder<AttentionReason | null> {
  const cases = RULES.map((rule) => {
    const soon = rule.dueWithin !== undefined ? sql` and reply_by is not null and reply_by < ${new Date(now.getTime() + rule.dueWithin).toISOString()}` : sql``;
    return sql`when direction = ${rule.direction} and state in (${sql.join(rule.states)})${soon} then ${rule.reason}`;
  });
  const refused = failed.length > 0 ? sql`when id in (${sql.join([...failed])}) then ${'delivery-failed'}` : sql``;
  return sql<AttentionReason | null>`(case ${refused} ${sql.join(cases, sql` `)} else null end)`;
}
