// A caseworker's list of referrals (issue 18 item 1): each referral has a case reference of this
// node's own; the list says what this organisation owes on each and why, puts what is owed first
// by the day it is due, and filters by direction, state, partner, urgency, need, owed and overdue,
// with a count for each choice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import { replyByInUtc } from '../../node/db/migrations/032-reply-by-in-utc.js';
import { attentionOf, attentionSql, ATTENTION_REASONS } from '../../node/referrals/attention.js';
import { STATES } from '../../admin-ui/pages/referrals/list.js';
import { api, createTestNetwork, referralRequest, type Json, type TestNetwork, type TestNode } from '../_util/test-node.js';
import { signedInAs, textOf, type UiBrowser } from '../_util/ui-browser.js';
import { expectMarked, attribute, control } from '../_util/field-marks.js';
import { snapshot } from '../_util/test-node.js';

let net: TestNetwork;
let gr: TestNode;
let at: TestNode;
let austrian: UiBrowser;

const DAY = 86_400_000;
const inDays = (days: number) => new Date(net.clock.now().getTime() + days * DAY).toISOString();
const year = () => net.clock.now().getUTCFullYear();

/** Sends a referral from Greece to Austria and delivers it: its id. */
async function send(overrides: Json = {}): Promise<string> {
  const { status, body } = await api(gr, 'POST', '/api/v1/referrals', referralRequest(at.id, overrides));
  expect(status).toBe(201);
  await net.settle();
  return body.id as string;
}

/** The case references of the list's rows, in order. */
const listed = (html: string) => [...html.matchAll(/<th scope="row"><a href="\/ui\/referrals\/[0-9a-f-]{36}" class="case-ref">([A-Z]{2}-\d{4}-\d{4,})<\/a>/g)].map((m) => m[1]);
const caseOf = async (node: TestNode, id: string) => (await api(node, 'GET', `/api/v1/referrals/${id}`)).body.case_reference as string;

let routine: string;
let urgentLater: string;
let emergencySoon: string;
let legal: string;

beforeAll(async () => {
  net = await createTestNetwork(2);
  [gr, at] = net.nodes as [TestNode, TestNode];
  routine = await send();
  urgentLater = await send({ urgency: 'urgent', reply_by: inDays(10) });
  emergencySoon = await send({ urgency: 'emergency', reply_by: inDays(3), needs: ['legal-aid'] });
  legal = await send({ needs: ['legal-aid'], reply_by: inDays(20) });
  austrian = await signedInAs(at, 'caseworker', net.clock.now(), 'anna');
});
afterAll(() => net.close());

describe('case references', () => {
  it('are this node\'s own, numbered in the year, on both sides of a referral', async () => {
    const y = year();
    expect(await caseOf(gr, routine)).toBe(`GR-${y}-0001`);
    expect(await caseOf(gr, legal)).toBe(`GR-${y}-0004`);
    expect(await caseOf(at, routine)).toBe(`AT-${y}-0001`);
    expect(await caseOf(at, emergencySoon)).toBe(`AT-${y}-0003`);
    // In lists (the API's and the page's) and on the referral's page.
    const items = (await api(at, 'GET', '/api/v1/referrals?limit=50')).body.items as Json[];
    expect(items.map((i) => i.case_reference).sort()).toEqual([1, 2, 3, 4].map((n) => `AT-${y}-000${n}`));
    expect(textOf(await austrian.html(`/ui/referrals/${routine}`))).toContain(`AT-${y}-0001`);
  });

  it('start again at 0001 in a new year, and are never given twice', async () => {
    const before = net.clock.now();
    const nextYear = Date.UTC(before.getUTCFullYear() + 1, 0, 1, 9);
    net.clock.advance(nextYear - before.getTime());
    const id = await send();
    expect(await caseOf(gr, id)).toBe(`GR-${year()}-0001`);
    expect(await caseOf(at, id)).toBe(`AT-${year()}-0001`);
    const all = await at.ctx.database.db.selectFrom('referrals').select('case_ref').execute();
    expect(new Set(all.map((r) => r.case_ref)).size).toBe(all.length);
    // Back to this year's referrals, the clock a year on: they are all overdue now if owed; undo it
    // for the tests below by withdrawing the new one (it is then owed nothing).
    expect((await api(gr, 'POST', `/api/v1/referrals/${id}/withdraw`, { reason: 'other' })).status).toBe(200);
    await net.settle();
    net.clock.advance(-(nextYear - before.getTime()));
  });
});

describe('what we owe, and in which order', () => {
  it('says for each referral what this organisation must do and why, owed ones first by the day they are due', async () => {
    const html = await austrian.html('/ui/referrals?direction=incoming');
    const text = textOf(html);
    expect(text).toContain('Decide: accept, decline or ask');
    // Owed first (all four to decide), by the day the answer is wanted; none last.
    const y = year();
    expect(listed(html).slice(0, 4)).toEqual([`AT-${y}-0003`, `AT-${y}-0002`, `AT-${y}-0004`, `AT-${y}-0001`]);
    expect(text).toContain('From Test organisation GR (Greece)');
    expect(text).toMatch(/Legal aid/);
  });

  it('asks the sender to follow up once an answer is due within a day, and marks it late after', async () => {
    net.clock.advance(2.5 * DAY);
    try {
      const followUp = (await api(gr, 'GET', `/api/v1/referrals/${emergencySoon}`)).body;
      expect(followUp.attention).toEqual({ reason: 'follow-up', due: followUp.reply_by, overdue: false });
      expect((await api(gr, 'GET', `/api/v1/referrals/${urgentLater}`)).body.attention).toBeUndefined();
      net.clock.advance(DAY);
      const late = (await api(gr, 'GET', `/api/v1/referrals/${emergencySoon}`)).body;
      expect(late.attention).toMatchObject({ reason: 'follow-up', overdue: true });
      // Signed in again: a session does not outlive days of the test clock.
      const html = await (await signedInAs(gr, 'caseworker', net.clock.now())).html('/ui/referrals?overdue=true');
      expect(listed(html)).toEqual([`GR-${year()}-0003`]);
      expect(textOf(html)).toContain('Their answer is due: follow it up late');
      expect(textOf(html)).toMatch(/Overdue \(1\)/);
      // The overview leads with what waits, then what is late.
      const overview = await (await signedInAs(gr, 'caseworker', net.clock.now())).html('/ui/overview');
      const lateSection = /<section aria-labelledby="overdue">[\s\S]*?<\/section>/.exec(overview)?.[0] ?? '';
      expect(listed(lateSection)).toEqual([`GR-${year()}-0003`]);
      expect(overview.indexOf('id="waiting"')).toBeLessThan(overview.indexOf('id="overdue"'));
      expect(textOf(overview)).toContain('Their answer is due: follow it up');
    } finally {
      net.clock.advance(-3.5 * DAY);
    }
  });

  it('keeps a reply-by time given with an offset in UTC, so that the SQL and the summaries agree on it', async () => {
    const id = await send({ reply_by: '2031-05-01T23:00:00-05:00' });
    for (const node of [gr, at]) expect((await api(node, 'GET', `/api/v1/referrals/${id}`)).body.reply_by, node.id).toBe('2031-05-02T04:00:00.000Z');
    // Held before migration 032 with its offset: rewritten in UTC.
    await at.ctx.database.db.updateTable('referrals').set({ reply_by: '2031-05-01T23:00:00-05:00' }).where('id', '=', id).execute();
    await replyByInUtc(at.ctx.database.db as unknown as Kysely<unknown>);
    expect((await api(at, 'GET', `/api/v1/referrals/${id}`)).body.reply_by).toBe('2031-05-02T04:00:00.000Z');
    expect((await api(gr, 'POST', `/api/v1/referrals/${id}/withdraw`, { reason: 'other' })).status).toBe(200);
    await net.settle();
  });

  it('owes the sender an answer to a question, and a draft to send', async () => {
    expect((await api(at, 'POST', `/api/v1/referrals/${legal}/info-request`, { questions: 'Does she have a lawyer already?' })).status).toBe(200);
    await net.settle();
    const draft = await api(gr, 'POST', '/api/v1/referrals', { ...referralRequest(at.id), draft: true });
    expect(draft.status).toBe(201);
    const owed = (await api(gr, 'GET', '/api/v1/referrals?needs_action=true&limit=50')).body.items as Json[];
    expect(Object.fromEntries(owed.map((r) => [r.id, r.attention.reason]))).toMatchObject({ [legal]: 'answer-info-request', [draft.body.id]: 'send-draft' });
    const text = textOf(await (await signedInAs(gr, 'caseworker', net.clock.now())).html('/ui/referrals?needs_action=true'));
    expect(text).toContain('Answer their question');
    expect(text).toContain('Send the draft');
  });
});

describe('filters with counts', () => {
  it('counts each choice under the other filters, and filters by it', async () => {
    const html = await austrian.html('/ui/referrals');
    const text = textOf(html);
    // Received 6 (two withdrawn), sent none; by state and urgency.
    expect(text).toMatch(/Received and sent \(6\)/);
    expect(text).toMatch(/Received \(6\)/);
    expect(text).toMatch(/Sent \(0\)/);
    expect(html).toMatch(/<option value="withdrawn">Withdrawn \(2\)<\/option>/);
    expect(html).toMatch(/<option value="emergency">Emergency \(1\)<\/option>/);
    // Choosing an urgency counts the states under it.
    const urgent = await austrian.html('/ui/referrals?urgency=urgent');
    expect(listed(urgent)).toEqual([`AT-${year()}-0002`]);
    expect(urgent).toMatch(/<option value="delivered">Delivered \(1\)<\/option>/);
    expect(urgent).toMatch(/<option value="urgent" selected="">Urgent \(1\)<\/option>/);
  });

  it('filters by need (a broader need finds its narrower kinds), opening the payloads for the page only', async () => {
    const legalAid = await austrian.html('/ui/referrals?need=legal-aid');
    expect(listed(legalAid).sort()).toEqual([`AT-${year()}-0003`, `AT-${year()}-0004`]);
    expect(textOf(legalAid)).toContain('Referrals found: 2');
  });

  it('ignores values that are not choices', async () => {
    const html = await austrian.html('/ui/referrals?state=nonsense&peer=nobody&urgency=whenever&need=nothing&direction=sideways');
    expect(listed(html)).toHaveLength(6);
  });
});

describe('whom a referral is about, in the lists (initials or a pseudonym)', () => {
  const PSEUDONYM = 'Rosa-Canary-7731';
  /** The row of the list for a case reference: its cells' text. */
  const rowOf = (html: string, caseRef: string) => textOf(html.split('<tr>').find((row) => row.includes(`>${caseRef}</a>`)) ?? '');

  it('shows her initials where her consent covered her identity, and a pseudonym the caseworker chose instead', async () => {
    const ref = await caseOf(at, routine);
    expect(rowOf(await austrian.html('/ui/referrals'), ref)).toContain(' A. ');
    const page = await austrian.html(`/ui/referrals/${routine}`);
    expect(attribute(control(page, 'pseudonym'), 'value')).toBe('');
    const saved = await austrian.submit(`/ui/referrals/${routine}/pseudonym`, { pseudonym: `  ${PSEUDONYM} ` }, `/ui/referrals/${routine}`);
    expect(saved.status).toBe(303);
    expect(rowOf(await austrian.html('/ui/referrals'), ref)).toContain(PSEUDONYM);
    expect(textOf(await austrian.html('/ui/overview'))).toContain(PSEUDONYM);
    // Only this node's: the sender's lists still show her initials.
    expect(rowOf(await (await signedInAs(gr, 'caseworker', net.clock.now())).html('/ui/referrals'), await caseOf(gr, routine))).toContain(' A. ');
    // Kept encrypted, and nowhere in the logs or the audit log.
    expect(JSON.stringify(await snapshot(at), (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : v))).not.toContain(PSEUDONYM);
    expect(at.logs()).not.toContain(PSEUDONYM);
  });

  it('refuses one that cannot be, beside the field with what was typed, and changes nothing', async () => {
    const refused = await austrian.submit(`/ui/referrals/${routine}/pseudonym`, { pseudonym: 'R'.repeat(61) }, `/ui/referrals/${routine}`);
    expect(refused.status).toBe(422);
    const html = await refused.text();
    expectMarked(html, 'pseudonym', 'A pseudonym is at most 60 characters.');
    expect(attribute(control(html, 'pseudonym'), 'value')).toBe('R'.repeat(61));
    expect(rowOf(await austrian.html('/ui/referrals'), await caseOf(at, routine))).toContain(PSEUDONYM);
  });

  it('takes it away (her initials again), and keeps none once her data is erased', async () => {
    const removed = await austrian.submit(`/ui/referrals/${routine}/pseudonym`, { pseudonym: '' }, `/ui/referrals/${routine}`);
    expect(removed.status).toBe(303);
    expect(rowOf(await austrian.html('/ui/referrals'), await caseOf(at, routine))).toContain(' A. ');
    // Erased (consent withdrawn): no initials, no pseudonym, and none can be given.
    expect((await austrian.submit(`/ui/referrals/${routine}/pseudonym`, { pseudonym: PSEUDONYM }, `/ui/referrals/${routine}`)).status).toBe(303);
    const consentId = (await api(gr, 'GET', `/api/v1/referrals/${routine}`)).body.consent_id as string;
    expect((await api(gr, 'POST', `/api/v1/consents/${consentId}/withdraw`, { recipients: [at.id] })).status).toBe(200);
    await net.settle();
    expect(rowOf(await austrian.html('/ui/referrals'), await caseOf(at, routine))).not.toMatch(new RegExp(`${PSEUDONYM}| A\\. `));
    expect(await austrian.html(`/ui/referrals/${routine}`)).not.toContain('id="pseudonym"');
    expect((await austrian.submit(`/ui/referrals/${routine}/pseudonym`, { pseudonym: PSEUDONYM }, `/ui/referrals/${routine}`)).status).toBe(409);
  });
});

describe('the rules of attention', () => {
  it('are the same in SQL as in the summaries, for every direction, state, reply-by day and refused delivery', async () => {
    const { db } = gr.ctx.database;
    const now = new Date('2026-12-07T12:00:00Z');
    const replies = [null, '2026-12-07T20:00:00.000Z', '2026-12-06T20:00:00.000Z', '2026-12-20T20:00:00.000Z'];
    for (const direction of ['incoming', 'outgoing'] as const) {
      for (const state of STATES) {
        for (const reply_by of replies) {
          for (const failed of [false, true]) {
            const id = '00000000-0000-4000-8000-000000000001';
            const row = { id, direction, state, reply_by };
            const fromSql = await sql<{ reason: string | null }>`select ${attentionSql(failed ? [id] : [], now)} as reason from (select ${id} as id, ${direction} as direction, ${state} as state, ${reply_by} as reply_by) as referrals`.execute(db);
            const expected = attentionOf(row, failed, now)?.reason ?? null;
            expect(fromSql.rows[0]!.reason, `${direction} ${state} ${reply_by} ${failed}`).toBe(expected);
            if (expected) expect(ATTENTION_REASONS).toContain(expected);
          }
        }
      }
    }
  });
});
