// How the kit talks to the node under test: every request goes through `TargetClient.send`,
// which follows no redirect, waits out a 429's Retry-After a few times, and notes every answer
// that lacks the headers every response must carry (spec: Conventions). Service tokens are made
// here from the spec's text, and any of their claims can be got wrong on purpose.
import { randomUUID } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { validatorFor } from '../schema/validators.js';
import { nowSeconds, signCompact } from './crypto.js';
import { textWithin } from './body.js';

export interface Answer {
  status: number;
  /** The media type, lower case, without parameters ('' when none). */
  mediaType: string;
  headers: Headers;
  text: string;
}

const REQUEST_TIMEOUT_MS = 30_000;
const MAX_RATE_LIMIT_WAITS = 4;
const MAX_RETRY_AFTER_SECONDS = 65;
/** The largest answer the kit reads from the target: a log page, a directory, a document are far smaller. */
const MAX_ANSWER_BYTES = 8 * 1024 * 1024;

export const mediaTypeOf = (value: string | null): string => (value ?? '').split(';')[0]!.trim().toLowerCase();

export class TargetClient {
  /** Answers without the headers every response carries: `METHOD path: what is missing`. */
  readonly conventionProblems = new Set<string>();
  responses = 0;

  constructor(readonly base: string) {}

  async send(path: string, init: RequestInit = {}): Promise<Answer> {
    for (let waits = 0; ; waits++) {
      // The target is the operator's own node under test, often on loopback: fetched directly,
      // never following a redirect (a conforming node sends none).
      const response = await fetch(`${this.base}${path}`, { ...init, redirect: 'manual', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      const text = (await textWithin(response, MAX_ANSWER_BYTES)) ?? `(an answer larger than ${MAX_ANSWER_BYTES} bytes, not read)`;
      const answer: Answer = { status: response.status, mediaType: mediaTypeOf(response.headers.get('content-type')), headers: response.headers, text };
      this.noteConventions(`${init.method ?? 'GET'} ${path.split('?')[0]}`, answer);
      const retryAfter = Number(response.headers.get('retry-after'));
      if (response.status !== 429 || waits >= MAX_RATE_LIMIT_WAITS || !(retryAfter > 0 && retryAfter <= MAX_RETRY_AFTER_SECONDS)) return answer;
      await new Promise((done) => setTimeout(done, retryAfter * 1000));
    }
  }

  private noteConventions(request: string, answer: Answer): void {
    this.responses += 1;
    const missing: string[] = [];
    if (!/(^|,)\s*no-store\s*(,|$)/i.test(answer.headers.get('cache-control') ?? '')) missing.push('Cache-Control: no-store');
    if ((answer.headers.get('x-content-type-options') ?? '').toLowerCase() !== 'nosniff') missing.push('X-Content-Type-Options: nosniff');
    if ((answer.headers.get('referrer-policy') ?? '').toLowerCase() !== 'no-referrer') missing.push('Referrer-Policy: no-referrer');
    if (this.base.startsWith('https:') && !answer.headers.get('strict-transport-security')) missing.push('Strict-Transport-Security');
    if (missing.length > 0) this.conventionProblems.add(`${request} (${answer.status}) without ${missing.join(', ')}`);
  }
}

export interface TokenSigner {
  iss: string;
  kid: string;
  privateKey: KeyObject;
}

export interface TokenOptions {
  /** Claims to replace (undefined removes one). */
  claims?: Record<string, unknown>;
  /** Protected header members to replace (undefined removes one). */
  header?: Record<string, unknown>;
}

/** A service token for `method path` at `aud` (spec: Service tokens). */
export function serviceToken(signer: TokenSigner, aud: string, method: string, path: string, options: TokenOptions = {}): string {
  const iat = nowSeconds();
  const claims: Record<string, unknown> = { iss: signer.iss, aud, htm: method, htu: `${aud}${path.split('?')[0]}`, iat, exp: iat + 60, jti: randomUUID() };
  const header: Record<string, unknown> = { alg: 'EdDSA', typ: 'referral-service+jwt', kid: signer.kid };
  for (const [target, changes] of [[claims, options.claims], [header, options.header]] as const) {
    for (const [name, value] of Object.entries(changes ?? {})) {
      if (value === undefined) delete target[name];
      else target[name] = value;
    }
  }
  return signCompact(header, JSON.stringify(claims), signer.privateKey);
}

/** What an answer was, in a few words: status, media type and, for a problem, its type. */
export function describe(answer: Answer): string {
  const type = problemTypeOf(answer);
  return `${answer.status} ${answer.mediaType || '(no content type)'}${type ? ` ${type}` : answer.text ? ` "${answer.text.slice(0, 80)}"` : ''}`;
}

export function problemTypeOf(answer: Answer): string | undefined {
  if (answer.mediaType !== 'application/problem+json') return undefined;
  try {
    const type = (JSON.parse(answer.text) as { type?: unknown }).type;
    return typeof type === 'string' ? type : undefined;
  } catch {
    return undefined;
  }
}

export const problemUrn = (name: string): string => `urn:refnet:problem:${name}`;

/**
 * Why the answer is not the problem expected, or undefined when it is: `application/problem+json`
 * matching the Problem schema, `type` urn:refnet:problem:<name>, `status` the HTTP status, which
 * is `status` (or, where the spec names no status for that problem, one of `statuses`).
 */
export function problemMismatch(answer: Answer, name: string, status: number | readonly number[]): string | undefined {
  const statuses = typeof status === 'number' ? [status] : status;
  const expected = `${statuses.join(' or ')} application/problem+json ${problemUrn(name)}`;
  const got = `got ${describe(answer)}`;
  if (!statuses.includes(answer.status) || answer.mediaType !== 'application/problem+json') return `expected ${expected}; ${got}`;
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return `expected ${expected}; got a body that is not JSON`;
  }
  if (!validatorFor('federation', 'Problem')(body)) return `expected ${expected}; got a body that does not match #/components/schemas/Problem`;
  const problem = body as { type: string; status: number };
  if (problem.type !== problemUrn(name)) return `expected ${expected}; ${got}`;
  if (!validatorFor('federation', 'ProblemType')(problem.type)) return `the type ${problem.type} is not in the ProblemType list`;
  if (problem.status !== answer.status) return `the problem's status member is ${problem.status}, the HTTP status ${answer.status}`;
  return undefined;
}

/** Parses a JSON answer, or undefined. */
export function jsonOf(answer: Answer): unknown {
  try {
    return JSON.parse(answer.text);
  } catch {
    return undefined;
  }
}

/** What the kit learnt of the target from its identity document, and pins for the run. */
export interface TargetFacts {
  id: string;
  /** The signing key the document's header names: what the kit pins. */
  signingKey: { kid: string; x: string };
  /** The first X25519 key listed: the current one, the one to seal to. */
  encryptionKey: { kty: 'OKP'; crv: 'X25519'; x: string; kid: string; use: 'enc' };
  /** What the document lists, or undefined when it lists no `message_types`. */
  messageTypes?: string[];
  /** The path of `endpoints.envelopes` (on the target's origin): where envelopes are posted (spec: Envelope construction, 7). */
  envelopesPath: string;
}
