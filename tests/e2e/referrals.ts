// Shared pieces of the end-to-end tests: a valid referral request and reading identities.
import { expect } from 'vitest';
import { verifyIdentityDocument, type VerifiedIdentity } from '../../node/identity/document.js';
import type { components } from '../../spec/generated/local.js';
import { expectMatchesSpec } from '../_util/spec-check.js';
import { pollUntil, type RunningNode } from '../_util/processes.js';

import type { CreateReferralRequest } from '../_util/test-node.js';
export { referralRequest, type CreateReferralRequest, type InlineConsentRequest } from '../_util/test-node.js';
export type ReferralDetail = components['schemas']['ReferralDetail'];
export type ReferralSummary = components['schemas']['ReferralSummary'];

/** GETs the identity document, checks it against the spec, and verifies it on its own terms. */
export async function fetchIdentity(node: RunningNode): Promise<{ jws: string; identity: VerifiedIdentity }> {
  const url = `${node.url}/.well-known/referral-node`;
  const jws = (await expectMatchesSpec('federation', 'GET', url, await fetch(url))) as string;
  const verification = await verifyIdentityDocument(jws, Math.floor(Date.now() / 1000), node.url);
  expect(verification.ok, verification.ok ? '' : verification.reason).toBe(true);
  if (!verification.ok) throw new Error(verification.reason);
  return { jws, identity: verification.identity };
}

/** Sends a referral through A's local API and returns the 201 summary (checked against the spec). */
export async function sendReferral(from: RunningNode, request: CreateReferralRequest): Promise<ReferralSummary> {
  const response = await from.api('/api/v1/referrals', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request),
  });
  const body = (await expectMatchesSpec('local', 'POST', `${from.url}/api/v1/referrals`, response)) as ReferralSummary;
  expect(response.status, JSON.stringify(body)).toBe(201);
  return body;
}

/** Reads one referral through the local API (checked against the spec). */
export async function getReferral(node: RunningNode, id: string): Promise<ReferralDetail> {
  const path = `/api/v1/referrals/${id}`;
  const response = await node.api(path);
  const body = (await expectMatchesSpec('local', 'GET', `${node.url}${path}`, response)) as ReferralDetail;
  expect(response.status, JSON.stringify(body)).toBe(200);
  return body;
}

/** Polls the sender's view of the referral until it is delivered (receipt held). */
export async function waitUntilDelivered(node: RunningNode, id: string, timeoutMs = 15_000): Promise<ReferralDetail> {
  let last: ReferralDetail | undefined;
  try {
    await pollUntil(
      async () => {
        // Raw JSON while polling (a spec mismatch would only show up as a timeout); the final
        // answer is checked against the spec below.
        const response = await node.api(`/api/v1/referrals/${id}`);
        if (response.status !== 200) throw new Error(`GET /api/v1/referrals/${id} answered ${response.status}: ${await response.text()}`);
        last = (await response.json()) as ReferralDetail;
        return last.state === 'delivered' ? last : undefined;
      },
      { timeoutMs, intervalMs: 250, what: `referral ${id} to be delivered` },
    );
  } catch (error) {
    throw new Error(
      `${(error as Error).message}\nLast state: ${last?.state}, delivery: ${JSON.stringify(last?.delivery)}\nLogs of ${node.name}:\n${node.logs()}`,
    );
  }
  return getReferral(node, id);
}
