// What every group of checks is handed: the kit and its server, what it knows of the target, the
// client it talks to it with, its findings, and the few helpers they all use to send envelopes
// and service-token requests and to check receipts.
import { randomUUID } from 'node:crypto';
import { validatorFor } from '../schema/validators.js';
import { decodeCompact, jsonPayloadOf, verifyCompact } from './crypto.js';
import { sealEnvelope, signAttempt, type EnvelopeInput, type Parties, type Sealed } from './envelopes.js';
import type { KitIdentity } from './kit-identity.js';
import type { PeerServer } from './peer-server.js';
import type { Findings } from './report.js';
import type { TargetAdmin } from './admin.js';
import { describe, jsonOf, serviceToken, type Answer, type TargetClient, type TargetFacts, type TokenOptions } from './target.js';

export interface RunContext {
  kit: KitIdentity;
  target: TargetFacts;
  client: TargetClient;
  server: PeerServer;
  findings: Findings;
  admin?: TargetAdmin;
  /** How long to wait for the target to send something (ms). */
  deliveryWaitMs: number;
  /** How long to wait for the target to expire a referral whose reply-by passed (ms; 0: do not). */
  expiryWaitMs: number;
  /** The target's limit on envelope bodies, for the size check. */
  envelopeLimit: number;
}

export const partiesOf = (ctx: RunContext): Parties => ({
  from: ctx.kit.nodeId,
  to: ctx.target.id,
  senderEncryptionKey: ctx.kit.encryption.jwk,
  recipientEncryptionKey: ctx.target.encryptionKey,
});

/** Whether the target takes `type` (its `message_types`, or every base type of v1 when it lists none). */
export const targetTakes = (ctx: RunContext, type: string): boolean => (ctx.target.messageTypes ? ctx.target.messageTypes.includes(type) : type !== 'referral.handover');

export const postEnvelope = (ctx: RunContext, jws: string, contentType = 'application/jose'): Promise<Answer> =>
  ctx.client.send(ctx.target.envelopesPath, { method: 'POST', headers: { 'content-type': contentType }, body: jws });

export interface Sent {
  sealed: Sealed;
  jws: string;
  answer: Answer;
}

/** Seals, signs and posts one envelope from the kit. */
export async function send(ctx: RunContext, input: EnvelopeInput, signing: { iat?: number; header?: Record<string, unknown> } = {}): Promise<Sent> {
  const sealed = await sealEnvelope(partiesOf(ctx), input);
  const jws = signAttempt(sealed.payload, ctx.kit.signer, signing);
  return { sealed, jws, answer: await postEnvelope(ctx, jws) };
}

/** A request to the target with a fresh service token (or the token given). */
export function withToken(
  ctx: RunContext,
  method: string,
  path: string,
  options: TokenOptions & { token?: string; body?: string; contentType?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const token = options.token ?? serviceToken(ctx.kit.signer, ctx.target.id, method, path, options);
  return ctx.client.send(path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(options.contentType ? { 'content-type': options.contentType } : {}), ...options.headers },
    ...(options.body === undefined ? {} : { body: options.body }),
  });
}

/**
 * Why an answer is not a good receipt for `sealed` (spec: Receipt): 200, ReceiptResponse, a JWS
 * with typ referral-receipt+jws and the target's signing kid that verifies, claims matching
 * ReceiptClaims with iss the target, aud the kit, the envelope id and b64url(SHA-256(P)).
 */
export async function receiptProblems(ctx: RunContext, answer: Answer, sealed: Sealed): Promise<string[]> {
  if (answer.status !== 200 || answer.mediaType !== 'application/json') return [`expected 200 application/json with a receipt; got ${describe(answer)}`];
  const body = jsonOf(answer) as Record<string, unknown> | undefined;
  if (!validatorFor('federation', 'ReceiptResponse')(body)) return ['the answer does not match #/components/schemas/ReceiptResponse'];
  const problems: string[] = [];
  const receipt = body!.receipt as string;
  const decoded = decodeCompact(receipt);
  const header = decoded?.header ?? {};
  if (header.alg !== 'EdDSA' || header.typ !== 'referral-receipt+jws') problems.push(`the receipt's header is ${JSON.stringify(header)}, not alg EdDSA, typ referral-receipt+jws`);
  if (header.kid !== ctx.target.signingKey.kid) problems.push(`the receipt's kid ${String(header.kid)} is not the target's signing kid ${ctx.target.signingKey.kid}`);
  if (!(await verifyCompact(receipt, ctx.target.signingKey))) problems.push('the receipt does not verify with the target\'s signing key');
  const claims = jsonPayloadOf(receipt) as Record<string, unknown> | undefined;
  if (!validatorFor('federation', 'ReceiptClaims')(claims)) return [...problems, 'the receipt\'s claims do not match #/components/schemas/ReceiptClaims'];
  const expected: Record<string, string> = { iss: ctx.target.id, aud: ctx.kit.nodeId, envelope_id: sealed.header.id as string, payload_digest: sealed.digest };
  for (const [name, value] of Object.entries(expected)) {
    if (claims![name] !== value) problems.push(`the receipt's ${name} is ${String(claims![name])}, expected ${value}`);
  }
  for (const name of ['envelope_id', 'payload_digest', 'received_at']) {
    if (body![name] !== claims![name]) problems.push(`the answer's ${name} differs from the receipt's`);
  }
  return problems;
}

export const receiptOf = (answer: Answer): string | undefined => (jsonOf(answer) as { receipt?: string } | undefined)?.receipt;

// ---- The bodies the kit sends: made-up data about no one, within what a consent covers. ----

export interface ConsentChanges {
  [member: string]: unknown;
}

export function consentRecord(ctx: RunContext, changes: ConsentChanges = {}): Record<string, unknown> {
  const now = Date.now();
  const consent: Record<string, unknown> = {
    id: randomUUID(),
    categories: ['identity', 'situation'],
    purposes: ['referral'],
    recipients: [ctx.target.id],
    method: 'verbal',
    language: 'en',
    obtained_by: randomUUID(),
    obtained_at: new Date(now - 3600_000).toISOString(),
    valid_until: new Date(now + 30 * 86400_000).toISOString(),
  };
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) delete consent[name];
    else consent[name] = value;
  }
  return consent;
}

export function offerBody(ctx: RunContext, referralId: string, options: { consent?: ConsentChanges; client?: Record<string, unknown>; replyBy?: string; omit?: string[] } = {}): Record<string, unknown> {
  const body: Record<string, unknown> = {
    referral_id: referralId,
    needs: ['legal-aid'],
    urgency: 'routine',
    ...(options.replyBy ? { reply_by: options.replyBy } : {}),
    reason: 'Conformance kit: a made-up referral about no one.',
    client: options.client ?? { identity: { given_name: 'Conformance' }, situation: { summary: 'Made up by the conformance kit.' } },
    consent: consentRecord(ctx, options.consent),
  };
  for (const name of options.omit ?? []) delete body[name];
  return body;
}

export const inquiryBody = (referralId: string): Record<string, unknown> => ({
  referral_id: referralId,
  needs: ['legal-aid'],
  urgency: 'routine',
  profile: { age_group: 'adult', languages: ['en'] },
});

export const withdrawBody = (referralId: string): Record<string, unknown> => ({ referral_id: referralId, reason: 'sent-in-error' });
export const infoResponseBody = (referralId: string): Record<string, unknown> => ({ referral_id: referralId, answer: 'Conformance kit: an answer.' });
export const consentWithdrawBody = (referralId: string, consentId: string): Record<string, unknown> => ({ referral_id: referralId, consent_id: consentId });
export const acceptBody = (referralId: string): Record<string, unknown> => ({ referral_id: referralId });
