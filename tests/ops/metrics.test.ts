// /metrics: the series an operator needs, with sane values, and nothing personal. Every free-text
// and identity field of the referrals, the notes, and the name of the caseworker who sends them hold
// canary strings; referrals are sent, answered, withdrawn, and one is held back by a peer that
// cannot be reached. The scrape then holds the expected series and none of the canaries, no
// referral id, no consent id and no user name. Without an admin's token it is refused.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession } from '../../node/users/sessions.js';
import { createApiToken, createUser } from '../../node/users/service.js';
import { createNodeMetrics, problemLabel } from '../../node/metrics/node-metrics.js';
import { expectMatchesSpec } from '../_util/spec-check.js';
import { api, createTestNetwork, jsonRequest, referralRequest, type TestNetwork, type TestNode } from '../_util/test-node.js';

const canary = () => `CANARY-${randomUUID()}`;
const canaries = {
  givenName: canary(), familyName: canary(), phone: canary(), email: canary(), safeToContact: canary(),
  summary: canary(), householdNote: canary(), legalNote: canary(), healthNote: canary(), reason: canary(),
  acceptNote: canary(), username: `canary-${randomUUID().slice(0, 8)}`,
};

let net: TestNetwork;
let gr: TestNode;
let at: TestNode;
let caseworkerToken: string;
const ids: string[] = [];

function referralFull(to: string) {
  return referralRequest(to, {
    reason: canaries.reason,
    client: {
      identity: { given_name: canaries.givenName, family_name: canaries.familyName, nationality: 'NG' },
      contact: { phone: canaries.phone, email: `${canaries.email}@example.org`, preferred_language: 'en', safe_to_contact: canaries.safeToContact },
      situation: { summary: canaries.summary, household_note: canaries.householdNote, languages_spoken: ['en'] },
      legal_status: { status: 'asylum-seeker', note: canaries.legalNote },
      health: { note: canaries.healthNote },
    },
    consent: {
      categories: ['identity', 'contact', 'situation', 'legal-status', 'health'],
      purposes: ['referral', 'service-provision'],
      method: 'written',
      language: 'en',
      valid_until: new Date(net.clock.now().getTime() + 30 * 86_400_000).toISOString(),
    },
  });
}

/** A referral sent by the caseworker with canaries everywhere; returns its id and its consent's. */
async function sendAsCaseworker(to: TestNode): Promise<{ referralId: string; consentId: string }> {
  const response = await gr.request('/api/v1/referrals', jsonRequest(caseworkerToken, referralFull(to.id)));
  expect(response.status).toBe(201);
  const referralId = ((await response.json()) as { id: string }).id;
  const consentId = (await api(gr, 'GET', `/api/v1/referrals/${referralId}`)).body.consent_id as string;
  ids.push(referralId, consentId);
  return { referralId, consentId };
}

async function scrape(node: TestNode, token = node.token): Promise<string> {
  const response = await node.request('/metrics', { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  return (await expectMatchesSpec('local', 'GET', '/metrics', response)) as string;
}

/** The value of one series, by its name and labels as they appear in the scrape. */
function valueOf(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

beforeAll(async () => {
  net = await createTestNetwork(2);
  [gr, at] = net.nodes as [TestNode, TestNode];
  const { user } = await createUser(gr.ctx.database, { username: canaries.username, role: 'caseworker' }, net.clock.now());
  caseworkerToken = await createApiToken(gr.ctx.database, canaries.username, { label: 'metrics test', days: gr.ctx.limits.apiTokenDays }, net.clock.now());
  await createSession(gr.ctx.database, user.id, net.clock.now());

  // Sent, delivered and accepted with a note.
  const first = await sendAsCaseworker(at);
  await net.settle();
  expect((await api(at, 'POST', `/api/v1/referrals/${first.referralId}/accept`, { note: canaries.acceptNote })).status).toBe(200);
  await net.settle();
  // Sent, delivered, then consent withdrawn: an erasure is owed until the peer's statement comes back.
  const second = await sendAsCaseworker(at);
  await net.settle();
  expect((await api(gr, 'POST', `/api/v1/consents/${second.consentId}/withdraw`, {})).status).toBe(200);
});
afterAll(() => net.close());

describe('/metrics', () => {
  it('counts requests by route pattern, and reads the outbox and the erasures owed from their owners', async () => {
    const text = await scrape(gr);
    expect(valueOf(text, 'referral_node_http_requests_total{method="POST",route="/api/v1/referrals",status="201"}')).toBe(2);
    expect(valueOf(text, 'referral_node_http_requests_total{method="GET",route="/api/v1/referrals/:id",status="200"}')).toBeGreaterThanOrEqual(2);
    expect(text).toMatch(/^referral_node_http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/referrals",status="201"\} 2$/m);
    // The withdrawal is queued for the peer, and its erasure waits for the statement.
    expect(valueOf(text, `referral_node_outbox_queued_envelopes{peer="${at.id}"}`)).toBe(1);
    expect(valueOf(text, `referral_node_outbox_oldest_age_seconds{peer="${at.id}"}`)).toBeGreaterThanOrEqual(0);
    expect(valueOf(text, 'referral_node_erasures_unconfirmed')).toBe(1);
    expect(valueOf(text, 'referral_node_ui_sessions_active')).toBe(1);
    expect(valueOf(text, 'referral_node_delivery_attempts_total{outcome="delivered",problem="none"}')).toBe(2);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
  });

  it('shows the erasure confirmed and the outbox empty once the peer has answered', async () => {
    await net.settle();
    const text = await scrape(gr);
    expect(valueOf(text, 'referral_node_erasures_unconfirmed')).toBe(0);
    expect(text).not.toContain('referral_node_outbox_queued_envelopes{');
    expect(valueOf(text, 'referral_node_delivery_attempts_total{outcome="delivered",problem="none"}')).toBe(3);
  });

  it('counts a failed attempt by a fixed word, and ages what waits for a peer that cannot be reached', async () => {
    net.unreachable.add(at.id);
    await sendAsCaseworker(at);
    await gr.delivery.deliverDueEnvelopes();
    net.clock.advance(90_000);
    const text = await scrape(gr);
    expect(valueOf(text, 'referral_node_delivery_attempts_total{outcome="retry",problem="network"}')).toBeGreaterThanOrEqual(1);
    expect(valueOf(text, `referral_node_outbox_queued_envelopes{peer="${at.id}"}`)).toBe(1);
    expect(valueOf(text, `referral_node_outbox_oldest_age_seconds{peer="${at.id}"}`)).toBeGreaterThanOrEqual(90);
    net.unreachable.delete(at.id);
  });

  it('holds no canary, no referral or consent id, and no user name, on either node', async () => {
    // The receiving node's requests went through routes with ids in their paths.
    await api(at, 'GET', `/api/v1/referrals/${ids[0]!}`);
    for (const node of [gr, at]) {
      const text = await scrape(node);
      for (const secret of [...Object.values(canaries), ...ids]) expect(text, `${node.id}'s metrics hold ${secret}`).not.toContain(secret);
      expect(text).not.toMatch(/canary/i);
    }
  });

  it('keeps of a peer\'s answer only a problem type of the protocol or a fixed word', () => {
    const known = new Set(['decryption-failed', 'unknown-recipient-key']);
    expect(problemLabel('400 urn:refnet:problem:decryption-failed', known)).toBe('urn:refnet:problem:decryption-failed');
    expect(problemLabel('400 urn:refnet:problem:unknown-recipient-key; cannot be sealed again', known)).toBe('urn:refnet:problem:unknown-recipient-key');
    expect(problemLabel(`400 urn:refnet:problem:${canaries.reason}`, known)).toBe('http-400');
    expect(problemLabel('422 urn:refnet:problem:amal-smith', known)).toBe('http-422');
    expect(problemLabel(`400 ${canaries.reason}`, known)).toBe('http-400');
    expect(problemLabel('network: TimeoutError', known)).toBe('timeout');
    expect(problemLabel('network: TypeError', known)).toBe('network');
    expect(problemLabel('invalid receipt', known)).toBe('invalid-receipt');
    expect(problemLabel(canaries.reason, known)).toBe('other');
  });

  it('counts what happened before prom-client was loaded (it is loaded on first use, not at start)', async () => {
    const metrics = createNodeMetrics(['peer-unknown']);
    metrics.observeRequest('GET', '/healthz', 200, 0.002);
    metrics.observeRequest('GET', '/healthz', 200, 0.003);
    metrics.deliveryAttempt('retry', '409 urn:refnet:problem:peer-unknown');
    const text = await (await metrics.registry()).metrics();
    expect(text).toMatch(/^referral_node_http_requests_total\{method="GET",route="\/healthz",status="200"\} 2$/m);
    expect(text).toMatch(/^referral_node_http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} 2$/m);
    expect(text).toMatch(/^referral_node_delivery_attempts_total\{outcome="retry",problem="urn:refnet:problem:peer-unknown"\} 1$/m);
    metrics.observeRequest('GET', '/healthz', 200, 0.001);
    expect(await (await metrics.registry()).metrics()).toMatch(/^referral_node_http_requests_total\{method="GET",route="\/healthz",status="200"\} 3$/m);
  });

  it('is refused without a token, and to a user who is not an admin', async () => {
    const anonymous = await gr.request('/metrics');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toBe('application/problem+json');
    await expectMatchesSpec('local', 'GET', '/metrics', anonymous);
    const caseworker = await gr.request('/metrics', { headers: { authorization: `Bearer ${caseworkerToken}` } });
    expect(caseworker.status).toBe(403);
    expect(((await expectMatchesSpec('local', 'GET', '/metrics', caseworker)) as { type: string }).type).toBe('urn:refnet:problem:forbidden');
  });
});

describe('/readyz', () => {
  it('says ready when the database answers, no migration is pending and the keys are loaded', async () => {
    const response = await gr.request('/readyz');
    expect(response.status).toBe(200);
    expect(await expectMatchesSpec('local', 'GET', '/readyz', response)).toEqual({ status: 'ready' });
  });

  it('says not ready, naming it, while a listed migration has not been run (an older backup restored under the node)', async () => {
    const { db } = gr.ctx.database;
    const { rows } = await sql<{ name: string; timestamp: string }>`select name, timestamp from kysely_migration order by name desc limit 1`.execute(db);
    const last = rows[0]!;
    await sql`delete from kysely_migration where name = ${last.name}`.execute(db);
    try {
      const response = await gr.request('/readyz');
      expect(response.status).toBe(503);
      expect(((await response.json()) as { detail: string }).detail).toContain(last.name);
    } finally {
      await sql`insert into kysely_migration (name, timestamp) values (${last.name}, ${last.timestamp})`.execute(db);
    }
    expect((await gr.request('/readyz')).status).toBe(200);
  });
});
