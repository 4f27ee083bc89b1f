// Sending the sample referrals through the running nodes' real local API, as the sender's
// caseworker, and waiting until each one's receipt is back.
import type { ReferralDetail, ReferralSummary } from '../referrals/service.js';
import type { DemoNode } from './credentials.js';
import { DemoError } from './errors.js';
import type { DemoReferral } from './fixtures.js';
import { toCreateReferralRequest } from './requests.js';

export interface SentReferral {
  id: string;
  from: DemoNode;
  to: DemoNode;
}

export async function callLocalApi(node: DemoNode, method: 'GET' | 'POST', path: string, body?: unknown, as: 'caseworker' | 'admin' = 'caseworker'): Promise<Response> {
  try {
    return await fetch(`${node.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${node[as].token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    throw new DemoError(`${method} ${node.url}${path} failed: ${error instanceof Error ? error.message : 'network error'}.`);
  }
}

/** The problem+json answer in one line: detail, then where the request failed its schema. */
async function describeProblem(response: Response): Promise<string> {
  const text = await response.text();
  try {
    const problem = JSON.parse(text) as { title?: string; detail?: string; errors?: Array<{ path: string; message: string }> };
    const errors = problem.errors?.map((e) => `${e.path}: ${e.message}`).join('; ');
    return [problem.detail ?? problem.title ?? text, errors].filter(Boolean).join(' | ');
  } catch {
    return text.slice(0, 500);
  }
}

export async function expectStatus<T>(response: Response, status: number, what: string): Promise<T> {
  if (response.status !== status) throw new DemoError(`${what} was answered ${response.status}: ${await describeProblem(response)}`);
  return (await response.json()) as T;
}

export async function hasAnyReferral(nodes: readonly DemoNode[]): Promise<boolean> {
  for (const node of nodes) {
    const page = await expectStatus<{ items: ReferralSummary[] }>(
      await callLocalApi(node, 'GET', '/api/v1/referrals?limit=1'),
      200,
      `Listing the referrals of the ${node.key} node`,
    );
    if (page.items.length > 0) return true;
  }
  return false;
}

export async function sendDemoReferrals(
  nodes: readonly DemoNode[],
  referrals: readonly DemoReferral[],
  say: (line: string) => void,
): Promise<SentReferral[]> {
  const byKey = (key: string) => {
    const node = nodes.find((n) => n.key === key);
    if (!node) throw new DemoError(`A sample referral names a node "${key}" the demo does not run.`);
    return node;
  };
  const sent: SentReferral[] = [];
  for (const [index, referral] of referrals.entries()) {
    const from = byKey(referral.from);
    const to = byKey(referral.to);
    const { consent, ...request } = toCreateReferralRequest(referral, to.url, new Date());
    // As a caseworker would: the client's consent is recorded first, then the referral names it.
    const recorded = await expectStatus<{ id: string }>(
      await callLocalApi(from, 'POST', '/api/v1/consents', { ...consent, recipients: [to.url] }),
      201,
      `The consent for sample referral ${index + 1} (${from.key} → ${to.key})`,
    );
    const summary = await expectStatus<ReferralSummary>(
      await callLocalApi(from, 'POST', '/api/v1/referrals', { ...request, consent_id: recorded.id }),
      201,
      `Sample referral ${index + 1} (${from.key} → ${to.key})`,
    );
    say(`referral ${summary.id}: ${from.key} → ${to.key}, ${referral.urgency}, ${referral.needs.join(', ')}`);
    sent.push({ id: summary.id, from, to });
  }
  return sent;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Polls each referral on its sender until it is `delivered` (the receiver's signed receipt is held). */
export async function waitUntilDelivered(sent: readonly SentReferral[], timeoutMs = 20_000): Promise<void> {
  const pending = new Map(sent.map((referral) => [referral.id, { referral, last: 'not checked yet' }]));
  const deadline = Date.now() + timeoutMs;
  while (pending.size > 0) {
    for (const [id, entry] of pending) {
      const detail = await expectStatus<ReferralDetail>(
        await callLocalApi(entry.referral.from, 'GET', `/api/v1/referrals/${id}`),
        200,
        `Reading referral ${id} on the ${entry.referral.from.key} node`,
      );
      if (detail.state === 'delivered') pending.delete(id);
      else entry.last = `${detail.state}${detail.delivery?.last_error ? `, last error: ${detail.delivery.last_error}` : ''}`;
    }
    if (pending.size === 0) return;
    if (Date.now() >= deadline) {
      const lines = [...pending.entries()].map(([id, { referral, last }]) => `  ${id} (${referral.from.key} → ${referral.to.key}): ${last}`);
      throw new DemoError(`Not every referral was delivered within ${timeoutMs / 1000} s:\n${lines.join('\n')}`);
    }
    await sleep(250);
  }
}
