// Helpers for the backlog fault tests: two real nodes, a pile of lifecycle messages queued on the
// receiver while the sender is down, and the checks that nothing was lost, doubled or reordered.
// The databases are only ever read, with connections of the test's own opened and closed per
// query, so the nodes under test are the only writers.
import { expect } from 'vitest';
import type { components } from '../../spec/generated/local.js';
import { pollUntil, startNode, trustEachOther, type RunningNode } from '../_util/processes.js';
import { referralRequest } from '../_util/test-node.js';
import { readStoredRows } from '../_util/database.js';

export type ReferralSummary = components['schemas']['ReferralSummary'];
export type ReferralDetail = components['schemas']['ReferralDetail'];

/** The five messages the receiver sends on every referral, in this order. */
export const PLAN = [
  { path: 'accept', body: {}, type: 'referral.accept', code: undefined, state: 'accepted' },
  { path: 'update', body: { status: 'first-contact-made' }, type: 'referral.update', code: 'first-contact-made', state: 'in-progress' },
  { path: 'update', body: { status: 'service-started' }, type: 'referral.update', code: 'service-started', state: 'in-progress' },
  { path: 'update', body: { status: 'on-hold' }, type: 'referral.update', code: 'on-hold', state: 'in-progress' },
  { path: 'complete', body: { outcome: 'service-completed' }, type: 'referral.complete', code: 'service-completed', state: 'completed' },
] as const;

export interface EnvelopeRow {
  id: string;
  direction: 'incoming' | 'outgoing';
  peer_id: string;
  referral_id: string;
  type: string;
  seq: number;
  payload_digest: string;
  receipt: string | null;
  delivery_state: string | null;
  attempts: number;
  last_error: string | null;
  next_attempt_at: string | null;
  lease_until: string | null;
  delivered_at: string | null;
}

export async function startPair(): Promise<{ a: RunningNode; b: RunningNode }> {
  const [a, b] = await Promise.all([
    startNode({ name: 'Athens Women Support', country: 'GR', languages: ['el', 'en'] }),
    startNode({ name: 'Wien Frauenberatung', country: 'AT', languages: ['de', 'en'] }),
  ]);
  await trustEachOther(a, b);
  return { a, b };
}

/** Every envelope of `node` (both directions), oldest id first, read through a read-only connection. */
export async function readEnvelopes(node: RunningNode): Promise<EnvelopeRow[]> {
  return (await readStoredRows(
    node.dataDir,
    `select id, direction, peer_id, referral_id, type, seq, payload_digest, receipt, delivery_state, attempts,
            last_error, next_attempt_at, lease_until, delivered_at
       from envelopes order by id`,
  )) as unknown as EnvelopeRow[];
}

/** The envelopes `from` sent (outgoing) or received (incoming) about the given referrals. */
export async function envelopesOf(node: RunningNode, direction: 'incoming' | 'outgoing', referralIds: readonly string[]): Promise<EnvelopeRow[]> {
  const wanted = new Set(referralIds);
  return (await readEnvelopes(node)).filter((row) => row.direction === direction && wanted.has(row.referral_id));
}

/** Runs `fn` over `items` with at most `limit` at a time. */
async function inParallel<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      await fn(items[index]!, index);
    }
  });
  await Promise.all(workers);
}

async function listOutgoing(a: RunningNode): Promise<ReferralSummary[]> {
  const items: ReferralSummary[] = [];
  let cursor: string | undefined;
  do {
    const response = await a.api(`/api/v1/referrals?direction=outgoing&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    if (response.status !== 200) throw new Error(`GET /api/v1/referrals on ${a.name} answered ${response.status}: ${await response.text()}`);
    const page = (await response.json()) as { items: ReferralSummary[]; next_cursor?: string };
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

/** Polls A's outgoing referrals until every one of `ids` is in `state`; explains what is left on timeout. */
export async function waitForState(
  a: RunningNode,
  b: RunningNode,
  ids: readonly string[],
  state: ReferralSummary['state'],
  timeoutMs: number,
): Promise<void> {
  let pending: ReferralSummary[] = [];
  try {
    await pollUntil(
      async () => {
        const byId = new Map((await listOutgoing(a)).map((r) => [r.id, r]));
        pending = ids.map((id) => byId.get(id)).filter((r): r is ReferralSummary => r === undefined || r.state !== state);
        return pending.length === 0 ? true : undefined;
      },
      { timeoutMs, intervalMs: 250, what: `${ids.length} referrals to be ${state} on ${a.name}` },
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${await diagnose(a, b, ids, pending)}`);
  }
}

/** What is still in B's outbox, A's view of the unfinished referrals, and the tails of both logs. */
export async function diagnose(a: RunningNode, b: RunningNode, ids: readonly string[], pending: readonly ReferralSummary[] = []): Promise<string> {
  let outbox = '(could not read)';
  try {
    outbox = (await envelopesOf(b, 'outgoing', ids))
      .filter((row) => row.delivery_state !== 'delivered')
      .map((r) => `${r.id} referral=${r.referral_id} seq=${r.seq} ${r.type} ${r.delivery_state} attempts=${r.attempts} last_error=${r.last_error} next=${r.next_attempt_at} lease=${r.lease_until}`)
      .join('\n');
  } catch (error) {
    outbox = `(could not read: ${(error as Error).message})`;
  }
  const tail = (node: RunningNode) => node.logs().split('\n').slice(-40).join('\n');
  return [
    `Not yet there on ${a.name}: ${pending.map((r) => `${r.id}=${r.state}`).join(', ') || '(unknown)'}`,
    `${b.name}'s undelivered envelopes:\n${outbox || '(none)'}`,
    `${a.name} log tail:\n${tail(a)}`,
    `${b.name} log tail:\n${tail(b)}`,
  ].join('\n');
}

/** A posts `count` offers to B and waits until each is delivered (B's receipt held). */
export async function sendOffers(a: RunningNode, b: RunningNode, count: number): Promise<string[]> {
  const ids: string[] = new Array<string>(count);
  await inParallel(Array.from({ length: count }, (_, i) => i), 4, async (i) => {
    const response = await a.api('/api/v1/referrals', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(referralRequest(b.url, { reason: `Backlog referral ${i + 1}.` })),
    });
    const text = await response.text();
    expect(response.status, text).toBe(201);
    ids[i] = (JSON.parse(text) as ReferralSummary).id;
  });
  await waitForState(a, b, ids, 'delivered', 60_000);
  return ids;
}

/** B makes every message of PLAN on each referral; each answers 200 with B's new state at once. */
export async function queuePlan(b: RunningNode, ids: readonly string[]): Promise<void> {
  // Referrals in parallel, each referral's messages in order.
  await inParallel(ids, 4, async (id) => {
    for (const step of PLAN) {
      const response = await b.api(`/api/v1/referrals/${id}/${step.path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(step.body),
      });
      const text = await response.text();
      expect(response.status, `${step.path} on ${id}: ${text}`).toBe(200);
      expect((JSON.parse(text) as ReferralSummary).state, `${step.path} on ${id}`).toBe(step.state);
    }
  });
}

export interface ReceiptClaims {
  iss: string;
  aud: string;
  envelope_id: string;
  payload_digest: string;
  received_at: string;
}

export function receiptClaims(receipt: string): ReceiptClaims {
  return JSON.parse(Buffer.from(receipt.split('.')[1] ?? '', 'base64url').toString('utf8')) as ReceiptClaims;
}

/**
 * How many times A applied each incoming envelope: the timeline events that name it (one per
 * message applied; a duplicate answered from the stored receipt makes none). Read from A's
 * database rather than its log: a SIGKILL between a commit and the log line after it leaves the
 * log short of messages that were applied.
 */
export async function appliedOnA(a: RunningNode): Promise<Map<string, number>> {
  const rows = await readStoredRows(a.dataDir, 'select envelope_id, count(*) as n from referral_events where envelope_id is not null group by envelope_id');
  return new Map(rows.map((row) => [String(row.envelope_id), Number(row.n)]));
}

/**
 * The end state after a backlog on `ids`: B delivered every message once, with A's receipt for
 * exactly that envelope; A holds each message once, applied once, and every referral's timeline
 * is the offer, its receipt and then PLAN in order.
 */
export async function expectBacklogDelivered(a: RunningNode, b: RunningNode, ids: readonly string[]): Promise<void> {
  const total = ids.length * PLAN.length;

  // A reaches 'completed' as it applies B's last message, a moment before B records A's receipt:
  // wait for B's outbox to settle before reading it.
  const sent = await pollUntil(
    async () => {
      const rows = await envelopesOf(b, 'outgoing', ids);
      return rows.every((r) => r.delivery_state !== 'queued') ? rows : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 100, what: `${b.name}'s outbox to settle` },
  );
  expect(sent).toHaveLength(total);
  expect(new Set(sent.map((r) => r.id)).size).toBe(total);
  for (const row of sent) {
    const where = `${b.name}'s envelope ${row.id} (referral ${row.referral_id}, seq ${row.seq})`;
    expect(row.delivery_state, where).toBe('delivered');
    expect(row.delivered_at, where).toEqual(expect.any(String));
    expect(row.last_error, where).toBeNull();
    expect(row.receipt, where).toEqual(expect.any(String));
    const claims = receiptClaims(row.receipt!);
    expect(claims.envelope_id, where).toBe(row.id);
    expect(claims.payload_digest, where).toBe(row.payload_digest);
    expect(claims.iss, where).toBe(a.url);
    expect(claims.aud, where).toBe(b.url);
  }

  const received = await envelopesOf(a, 'incoming', ids);
  expect(received).toHaveLength(total);
  expect(new Set(received.map((r) => r.id)).size).toBe(total);
  const sentById = new Map(sent.map((r) => [r.id, r]));
  for (const row of received) {
    const original = sentById.get(row.id);
    expect(original, `${a.name} holds ${row.id}, which ${b.name} never sent`).toBeDefined();
    expect(row.peer_id).toBe(b.url);
    expect([row.type, row.seq, row.payload_digest]).toEqual([original!.type, original!.seq, original!.payload_digest]);
    // The receipt B keeps is the one A stored with the message: one receipt per envelope.
    expect(original!.receipt, `receipt of ${row.id}`).toBe(row.receipt);
  }

  // Applied once each: one timeline event per message applied, none for a duplicate answered
  // from the stored receipt.
  const applied = await appliedOnA(a);
  const twice = sent.filter((r) => (applied.get(r.id) ?? 0) !== 1).map((r) => `${r.id}×${applied.get(r.id) ?? 0}`);
  expect(twice, 'envelopes not applied exactly once on A').toEqual([]);

  const sentByReferral = new Map<string, EnvelopeRow[]>();
  for (const row of sent) sentByReferral.set(row.referral_id, [...(sentByReferral.get(row.referral_id) ?? []), row]);
  await Promise.all(
    ids.map(async (id) => {
      const response = await a.api(`/api/v1/referrals/${id}`);
      expect(response.status).toBe(200);
      const detail = (await response.json()) as ReferralDetail;
      expect(detail.state, id).toBe('completed');
      const fromB = sentByReferral.get(id)!.sort((x, y) => x.seq - y.seq);
      expect(fromB.map((r) => [r.seq, r.type]), id).toEqual(PLAN.map((step, i) => [i + 1, step.type]));

      expect(detail.timeline.map((e) => e.action), `timeline of ${id}`).toEqual(['referral.offer', 'receipt', ...PLAN.map((s) => s.type)]);
      const lifecycle = detail.timeline.slice(2);
      expect(
        lifecycle.map((e) => ({ by: e.by, code: e.code, to: e.to_state, envelope: e.envelope_id })),
        `timeline of ${id}`,
      ).toEqual(
        PLAN.map((step, i) => ({
          by: { kind: 'peer', id: b.url },
          code: step.code,
          to: step.state,
          envelope: fromB[i]!.id,
        })),
      );
      const incoming = detail.messages.filter((m) => m.direction === 'incoming');
      expect(incoming.map((m) => [m.seq, m.type, m.envelope_id]), `messages of ${id}`).toEqual(fromB.map((r) => [r.seq, r.type, r.id]));
    }),
  );
}
