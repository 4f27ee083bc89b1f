// The kit's side of the federation: a small HTTP server on loopback that the node under test
// calls as it would any peer. It serves the kit's identity document, historical keys and an empty
// directory, takes the target's envelopes (checked step by step as a receiver must, and answered
// with the kit's receipt) and witnesses the target's checkpoints. What the target sent is kept as
// observations, each with the ways it broke the spec, for the checks to report.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { validatorFor } from '../schema/validators.js';
import { b64u, decodeCompact, fromB64, fromB64u, fromUtf8, isUuidV7, nowSeconds, sha256, verifyCompact } from './crypto.js';
import { ENVELOPE_TYP, openEnvelopeBody } from './envelopes.js';
import { BODY_SCHEMAS, KIT_ENVELOPE_PATH, KIT_MESSAGE_TYPES, type KitIdentity } from './kit-identity.js';
import { verifyConsistency } from './merkle.js';
import { checkpointBody, cosignLine, logOriginOf, noteSignatureProblem, parseSignedCheckpoint, witnessNameOf } from './notes.js';
import { mediaTypeOf, problemUrn, type TargetFacts } from './target.js';
import { textWithin } from './body.js';

/** What the kit reads of an envelope posted to it (a node's default limit is 1 MiB) and of a witness request (64 KiB, as the spec's witness takes). */
const MAX_ENVELOPE_BYTES = 8 * 1024 * 1024;
const MAX_WITNESS_REQUEST_BYTES = 64 * 1024;

/** The clock skew the kit allows the target (the spec's default). */
export const CLOCK_SKEW_SECONDS = 300;

export interface Delivery {
  at: number;
  /** The path the target posted to. */
  path: string;
  envelopeId?: string;
  type?: string;
  referralId?: string;
  seq?: number;
  header?: Record<string, unknown>;
  body?: unknown;
  /** P as received. */
  payload?: string;
  /** The status the kit answered. */
  answered: number;
  /** Where the envelope breaks the spec (empty: nowhere the kit can see), by the rule broken. */
  problems: Array<{ rule: SenderRule; text: string }>;
}

/** The rules of envelope construction the kit checks in what the target sends it. */
export type SenderRule = 'endpoint' | 'form' | 'signature' | 'id' | 'addressing' | 'sender-kid' | 'time' | 'type' | 'decryption' | 'body' | 'order' | 'duplicate';

export interface TokenUse {
  request: string;
  problems: string[];
}

export interface WitnessRequest {
  oldSize?: number;
  size?: number;
  answered: number;
  problems: string[];
}

interface ReferralRecord {
  /** The last sequence number of the target's messages applied. */
  targetSeq: number;
}

type Listener = { match: (d: Delivery) => boolean; done: (d: Delivery) => void };

const LIFECYCLE_ANY_SEQ = new Set(['consent.withdraw', 'erasure.receipt']);

export class PeerServer {
  readonly deliveries: Delivery[] = [];
  readonly tokenUses: TokenUse[] = [];
  readonly witnessRequests: WitnessRequest[] = [];
  /** The envelope first answered 503 on purpose, and the payload of each attempt at it. */
  retryProbe?: { envelopeId: string; payloads: string[] };
  target?: TargetFacts;
  taxonomyVersion = 1;

  private readonly referrals = new Map<string, ReferralRecord>();
  private readonly held = new Map<string, { digest: string; response: ReturnType<KitIdentity['receipt']> }>();
  private readonly jtis = new Set<string>();
  private witnessed?: { size: number; root: Uint8Array };
  private listeners: Listener[] = [];
  private server?: Server;

  constructor(private readonly kit: () => KitIdentity | undefined) {}

  /** Listens on 127.0.0.1 (port 0: any free port); resolves with the port. */
  async listen(port: number): Promise<number> {
    const server = createServer(getRequestListener(this.app().fetch));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    return (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
  }

  /** The kit made this referral: the target's messages on it are expected from seq 1. */
  expectReferral(referralId: string): void {
    if (!this.referrals.has(referralId)) this.referrals.set(referralId, { targetSeq: 0 });
  }

  /** The first envelope the kit applies that `match` accepts (or one already applied), or undefined after `timeoutMs`. */
  waitFor(match: (d: Delivery) => boolean, timeoutMs: number): Promise<Delivery | undefined> {
    const earlier = this.deliveries.find((d) => d.answered === 200 && match(d));
    if (earlier) return Promise.resolve(earlier);
    return new Promise((resolve) => {
      const listener: Listener = {
        match,
        done: (d) => {
          clearTimeout(timer);
          resolve(d);
        },
      };
      const timer = setTimeout(() => {
        this.listeners = this.listeners.filter((l) => l !== listener);
        resolve(undefined);
      }, timeoutMs);
      this.listeners.push(listener);
    });
  }

  private app(): Hono {
    const app = new Hono();
    app.use('*', async (c, next) => {
      await next();
      c.header('cache-control', 'no-store');
      c.header('x-content-type-options', 'nosniff');
      c.header('referrer-policy', 'no-referrer');
    });
    app.get('/.well-known/referral-node', (c) => {
      const kit = this.kit();
      if (!kit) return problem(c, 503, 'internal-error');
      const { jws, etag } = kit.identityDocument();
      if (c.req.header('if-none-match') === etag) return c.body(null, 304, { etag });
      return c.body(jws, 200, { 'content-type': 'application/jwt', etag });
    });
    app.get('/federation/v1/historical-keys', (c) => c.body(this.kit()!.historicalKeys(), 200, { 'content-type': 'application/jwt' }));
    app.post(KIT_ENVELOPE_PATH, (c) => this.receiveEnvelope(c));
    app.post('/federation/v1/envelopes', (c) => this.receiveEnvelope(c));
    app.get('/federation/v1/directory', async (c) => {
      const refused = await this.checkToken(c);
      if (refused) return refused;
      return c.body(this.kit()!.directory(this.taxonomyVersion), 200, { 'content-type': 'application/jwt' });
    });
    app.post('/federation/v1/witness/add-checkpoint', async (c) => {
      const refused = await this.checkToken(c);
      if (refused) return refused;
      return this.witness(c);
    });
    app.all('*', (c) => problem(c, 404, 'not-found'));
    return app;
  }

  /** Checks a service token of the target as a called node must (spec: Service tokens); a refusal, or undefined. */
  private async checkToken(c: Context): Promise<Response | undefined> {
    const kit = this.kit()!;
    const target = this.target;
    const use: TokenUse = { request: `${c.req.method} ${c.req.path}`, problems: [] };
    this.tokenUses.push(use);
    const token = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    if (!token) {
      use.problems.push('no Authorization: Bearer service token');
      return problem(c, 401, 'service-token-required');
    }
    const decoded = decodeCompact(token);
    if (!decoded) {
      use.problems.push('the token is not a compact JWS');
      return problem(c, 401, 'malformed-service-token');
    }
    const { header } = decoded;
    let claims: Record<string, unknown> | undefined;
    try {
      claims = JSON.parse(fromUtf8(decoded.payload)) as Record<string, unknown>;
    } catch {
      claims = undefined;
    }
    if (header.alg !== 'EdDSA' || header.typ !== 'referral-service+jwt' || typeof header.kid !== 'string' || 'crit' in header) {
      use.problems.push(`protected header ${JSON.stringify(header)} is not {"alg":"EdDSA","typ":"referral-service+jwt","kid":…}`);
    }
    if (!validatorFor('federation', 'ServiceTokenClaims')(claims)) use.problems.push('the claims do not match ServiceTokenClaims');
    if (use.problems.length > 0) return problem(c, 401, 'malformed-service-token');
    if (!target || claims!.iss !== target.id || header.kid !== target.signingKey.kid || !(await verifyCompact(token, target.signingKey))) {
      use.problems.push('not signed by the target\'s pinned signing key as its node id');
      return problem(c, 403, 'bad-signature');
    }
    const expectedUrl = `${kit.nodeId}${c.req.path}`;
    if (claims!.aud !== kit.nodeId || claims!.htm !== c.req.method || claims!.htu !== expectedUrl) {
      use.problems.push(`aud/htm/htu are ${String(claims!.aud)} ${String(claims!.htm)} ${String(claims!.htu)}, not ${kit.nodeId} ${c.req.method} ${expectedUrl}`);
      return problem(c, 403, 'token-not-for-this-request');
    }
    const { iat, exp, jti } = claims as { iat: number; exp: number; jti: string };
    const now = nowSeconds();
    if (exp - iat > 60 || exp <= now - CLOCK_SKEW_SECONDS || iat > now + CLOCK_SKEW_SECONDS) {
      use.problems.push(`iat ${iat} and exp ${exp}: exp must be at most 60 s after iat, and both within the clock skew of now (${now})`);
      return problem(c, 401, 'service-token-expired');
    }
    if (this.jtis.has(jti)) {
      use.problems.push(`the jti ${jti} was used before: a token is good for one request`);
      return problem(c, 401, 'service-token-replayed');
    }
    this.jtis.add(jti);
    return undefined;
  }

  /** An envelope from the target, checked in the order of "Envelope verification (receiver)". */
  private async receiveEnvelope(c: Context): Promise<Response> {
    const kit = this.kit()!;
    const target = this.target;
    const delivery: Delivery = { at: Date.now(), path: c.req.path, answered: 0, problems: [] };
    this.deliveries.push(delivery);
    const answer = (status: number, name: string, rule: SenderRule, text: string): Response => {
      delivery.problems.push({ rule, text });
      delivery.answered = status;
      return problem(c, status, name);
    };
    if (c.req.path !== KIT_ENVELOPE_PATH) delivery.problems.push({ rule: 'endpoint', text: `posted to ${c.req.path}, not to the endpoints.envelopes of the kit's identity document (${kit.envelopeEndpoint})` });
    // The target's envelopes are at most its own limit; one far larger is not read.
    const text = await textWithin(c.req.raw, MAX_ENVELOPE_BYTES);
    if (text === undefined) return answer(413, 'envelope-too-large', 'form', `larger than ${MAX_ENVELOPE_BYTES} bytes`);
    const raw = text.trim();
    if (mediaTypeOf(c.req.header('content-type') ?? null) !== 'application/jose') {
      return answer(415, 'unsupported-media-type', 'form', `sent as ${c.req.header('content-type') ?? 'no content type'}, not application/jose`);
    }
    const decoded = decodeCompact(raw);
    if (!decoded) return answer(400, 'malformed-envelope', 'form', 'not a compact JWS with three base64url parts');
    const { header: jwsHeader } = decoded;
    if (jwsHeader.alg !== 'EdDSA' || jwsHeader.typ !== ENVELOPE_TYP || typeof jwsHeader.kid !== 'string' || typeof jwsHeader.iss !== 'string' || !Number.isInteger(jwsHeader.iat)) {
      return answer(400, 'malformed-envelope', 'form', `protected header ${JSON.stringify(jwsHeader)} lacks alg EdDSA, typ ${ENVELOPE_TYP}, kid, iss or an integer iat`);
    }
    if ('crit' in jwsHeader) return answer(400, 'malformed-envelope', 'form', 'the protected header has crit');
    let payload: Record<string, unknown>;
    try {
      payload = JSON.parse(fromUtf8(decoded.payload)) as Record<string, unknown>;
    } catch {
      return answer(400, 'malformed-envelope', 'form', 'the JWS payload is not JSON');
    }
    if (!validatorFor('federation', 'EnvelopePayload')(payload)) return answer(400, 'malformed-envelope', 'form', 'the payload does not match EnvelopePayload');
    const headerBytes = fromB64u(payload.header as string);
    let header: Record<string, unknown> | undefined;
    try {
      header = headerBytes && (JSON.parse(fromUtf8(headerBytes)) as Record<string, unknown>);
    } catch {
      header = undefined;
    }
    if (!headerBytes || !validatorFor('federation', 'EnvelopeHeader')(header)) return answer(400, 'malformed-envelope', 'form', 'the envelope header does not match EnvelopeHeader');
    const h = header as { id: string; type: string; from: string; to: string; referral_id: string; seq: number; recipient_kid: string; sender_kid: string };
    Object.assign(delivery, { header: h, envelopeId: h.id, type: h.type, referralId: h.referral_id, seq: h.seq, payload: fromUtf8(decoded.payload) });
    if (!target || jwsHeader.iss !== target.id || jwsHeader.kid !== target.signingKey.kid || !(await verifyCompact(raw, target.signingKey))) {
      return answer(403, 'bad-signature', 'signature', 'the JWS does not verify with the target\'s pinned signing key under its node id');
    }
    if (!isUuidV7(h.id)) delivery.problems.push({ rule: 'id', text: `the envelope id ${h.id} is not a UUIDv7` });
    if (h.to !== kit.nodeId) return answer(400, 'wrong-recipient', 'addressing', `header.to is ${h.to}, not ${kit.nodeId}`);
    if (h.from !== jwsHeader.iss) return answer(400, 'sender-mismatch', 'addressing', `header.from ${h.from} is not the iss ${String(jwsHeader.iss)}`);
    if (h.recipient_kid !== kit.encryption.jwk.kid) return answer(400, 'unknown-recipient-key', 'addressing', `recipient_kid ${h.recipient_kid} is not the kit's encryption key`);
    if (h.sender_kid !== target.encryptionKey.kid) {
      delivery.problems.push({
        rule: 'sender-kid',
        text: `sender_kid ${h.sender_kid} is not the first (current) X25519 key of the target's identity document (${target.encryptionKey.kid})`,
      });
    }
    if (Math.abs(nowSeconds() - (jwsHeader.iat as number)) > CLOCK_SKEW_SECONDS) {
      return answer(400, 'signature-time-skew', 'time', `iat ${String(jwsHeader.iat)} is more than ${CLOCK_SKEW_SECONDS} s from now`);
    }
    const digest = b64u(sha256(decoded.payload));
    const held = this.held.get(h.id);
    if (held) {
      if (held.digest !== digest) return answer(409, 'envelope-conflict', 'duplicate', `the envelope id ${h.id} came again with another payload`);
      delivery.answered = 200;
      return c.json(held.response);
    }
    if (!(KIT_MESSAGE_TYPES as readonly string[]).includes(h.type)) {
      return answer(400, 'unsupported-message-type', 'type', `${h.type} is not among the message_types of the kit's identity document`);
    }
    const contentBytes = await openEnvelopeBody(payload as { nonce: string; ciphertext: string; keys: { recipient: string } }, headerBytes, kit.encryption);
    if (!contentBytes) return answer(400, 'decryption-failed', 'decryption', 'the kit\'s copy of the content key, or the body with the header as associated data, does not open');
    let body: unknown;
    try {
      body = JSON.parse(fromUtf8(contentBytes));
    } catch {
      body = undefined;
    }
    delivery.body = body;
    const schema = BODY_SCHEMAS[h.type];
    if (!schema || !validatorFor('federation', schema)(body)) return answer(422, 'invalid-body', 'body', `the body does not match ${schema ?? 'a body schema'}`);
    if ((body as { referral_id?: unknown }).referral_id !== h.referral_id) return answer(422, 'invalid-body', 'body', 'the body\'s referral_id is not the header\'s');
    const referral = this.referrals.get(h.referral_id);
    if (!referral) return answer(422, 'unknown-referral', 'order', `the kit made no referral ${h.referral_id}`);
    const inOrder = LIFECYCLE_ANY_SEQ.has(h.type) ? h.seq > referral.targetSeq : h.seq === referral.targetSeq + 1;
    if (!inOrder) return answer(409, h.seq > referral.targetSeq ? 'out-of-order' : 'envelope-conflict', 'order', `seq ${h.seq} after ${referral.targetSeq} applied`);
    // Once, the first envelope that would be applied is answered 503: the retry must carry the same P.
    if (!this.retryProbe) {
      this.retryProbe = { envelopeId: h.id, payloads: [delivery.payload!] };
      delivery.answered = 503;
      c.header('retry-after', '1');
      return problem(c, 503, 'internal-error');
    }
    if (this.retryProbe.envelopeId === h.id) this.retryProbe.payloads.push(delivery.payload!);
    referral.targetSeq = h.seq;
    const response = kit.receipt(target.id, h.id, digest);
    this.held.set(h.id, { digest, response });
    delivery.answered = 200;
    for (const listener of [...this.listeners]) {
      if (!listener.match(delivery)) continue;
      this.listeners = this.listeners.filter((l) => l !== listener);
      listener.done(delivery);
    }
    return c.json(response);
  }

  /** The target submits its checkpoint (C2SP tlog-witness add-checkpoint); the kit witnesses it. */
  private async witness(c: Context): Promise<Response> {
    const kit = this.kit()!;
    const target = this.target!;
    const request: WitnessRequest = { answered: 0, problems: [] };
    this.witnessRequests.push(request);
    const refuse = (status: number, name: string, why: string): Response => {
      request.problems.push(why);
      request.answered = status;
      return problem(c, status, name);
    };
    const body = await textWithin(c.req.raw, MAX_WITNESS_REQUEST_BYTES);
    if (body === undefined) return refuse(413, 'witness-request-too-large', `larger than ${MAX_WITNESS_REQUEST_BYTES} bytes`);
    const blank = body.indexOf('\n\n');
    const [oldLine, ...proofLines] = blank < 0 ? [] : body.slice(0, blank).split('\n');
    const old = /^old (0|[1-9][0-9]*)$/.exec(oldLine ?? '');
    const proof = proofLines.map(fromB64);
    if (!old || proof.some((p) => p?.length !== 32) || proofLines.length > 63) {
      return refuse(400, 'malformed-witness-request', 'the body is not "old <size>", up to 63 base64 hash lines, a blank line and a signed checkpoint');
    }
    request.oldSize = Number(old[1]);
    const checkpoint = parseSignedCheckpoint(body.slice(blank + 2));
    if (typeof checkpoint === 'string') return refuse(400, 'malformed-witness-request', checkpoint);
    request.size = checkpoint.size;
    const origin = logOriginOf(target.id);
    if (checkpoint.origin !== origin) return refuse(403, 'not-log-origin', `the origin line is ${checkpoint.origin}, not ${origin}`);
    const signatureProblem = noteSignatureProblem(checkpoint.signatureLines[0] ?? '', checkpoint.text, origin, target.signingKey.x, fromB64u(target.signingKey.x)!);
    if (signatureProblem) return refuse(403, 'bad-checkpoint-signature', signatureProblem);
    if (checkpoint.text !== checkpointBody(checkpoint.origin, checkpoint.size, checkpoint.root)) request.problems.push('the checkpoint carries extension lines');
    if (request.oldSize > checkpoint.size) return refuse(400, 'malformed-witness-request', 'the old size is larger than the checkpoint');
    const held = this.witnessed;
    const heldSize = held?.size ?? 0;
    if (held && held.size === checkpoint.size && b64u(held.root) !== b64u(checkpoint.root)) {
      return refuse(409, 'checkpoint-conflict', `a second root for size ${held.size}`);
    }
    if (request.oldSize !== heldSize) {
      // Not a fault of the target's: the witness tells it the size it holds.
      request.answered = 409;
      return c.body(`${heldSize}\n`, 409, { 'content-type': 'text/x.tlog.size' });
    }
    const hashes = proof as Uint8Array[];
    if (held && held.size !== checkpoint.size && !verifyConsistency(held.size, checkpoint.size, held.root, checkpoint.root, hashes)) {
      return refuse(422, 'inconsistent-checkpoint', `the consistency proof from ${held.size} to ${checkpoint.size} does not verify`);
    }
    if (!held && hashes.length > 0) request.problems.push('a proof was sent with old size 0');
    this.witnessed = { size: checkpoint.size, root: checkpoint.root };
    request.answered = 200;
    const line = cosignLine(checkpoint.text, nowSeconds(), witnessNameOf(kit.nodeId), kit.signing);
    return c.body(`${line}\n`, 200, { 'content-type': 'text/plain; charset=utf-8' });
  }
}

function problem(c: Context, status: number, name: string): Response {
  return c.body(JSON.stringify({ type: problemUrn(name), title: name, status }), status as 400, { 'content-type': 'application/problem+json' });
}
