// The answer to GET <node id>/.well-known/referral-node, read the same way wherever a node fetches
// a peer's identity document (peer add, an invitation, the periodic refresh): status 200 and
// `Content-Type: application/jwt` (parameters ignored), at most MAX_DOCUMENT_BYTES
// (spec/federation.yaml, "Identity document"); and, for peer add and invitations, the whole fetch
// with the document verified as one in use.
import { verifyIdentityDocument, type VerifiedIdentity } from '../identity/document.js';
import type { Fetch } from '../context.js';
import { mediaTypeOf, readBodyWithin } from '../net/body.js';

/**
 * An identity document is a few kilobytes (up to some 80 with the longest continuity chain and
 * revocation statements it may carry); anything far larger is refused unread.
 */
export const MAX_DOCUMENT_BYTES = 256 * 1024;

export const IDENTITY_MEDIA_TYPE = 'application/jwt';

export type IdentityText =
  | { ok: true; jws: string }
  | { ok: false; why: 'status' | 'media-type' | 'too-large'; reason: string };

/** The document's text, or why the answer is not an identity document (its body then left unread). */
export async function identityDocumentText(response: Response, nodeId: string): Promise<IdentityText> {
  if (response.status !== 200) {
    await response.body?.cancel();
    return { ok: false, why: 'status', reason: `${nodeId} answered ${response.status} for its identity document.` };
  }
  const mediaType = mediaTypeOf(response.headers.get('content-type'));
  if (mediaType !== IDENTITY_MEDIA_TYPE) {
    await response.body?.cancel();
    return { ok: false, why: 'media-type', reason: `${nodeId} served its identity document as ${mediaType.slice(0, 80) || 'no content type'}, not ${IDENTITY_MEDIA_TYPE}.` };
  }
  const text = await readBodyWithin(response, MAX_DOCUMENT_BYTES);
  if (text === undefined) return { ok: false, why: 'too-large', reason: `${nodeId} served an identity document larger than ${MAX_DOCUMENT_BYTES} bytes.` };
  return { ok: true, jws: text.trim() };
}

export type FetchedIdentity =
  | { ok: true; identity: VerifiedIdentity; jws: string }
  /** The request failed: no answer at all, or one the outbound policy did not let it make. */
  | { ok: false; at: 'network'; error: unknown }
  /** An answer that is not an identity document. */
  | { ok: false; at: 'answer'; why: IdentityTextFailure; reason: string }
  /** A document that does not verify, or not as one of `nodeId` in use. */
  | { ok: false; at: 'document'; reason: string };

type IdentityTextFailure = Extract<IdentityText, { ok: false }>['why'];

/** GET <nodeId>/.well-known/referral-node, read and verified; what went wrong says where, for each caller to tell in its own way. */
export async function fetchIdentityDocument(fetch: Fetch, nowSeconds: number, nodeId: string, skewSeconds: number | undefined): Promise<FetchedIdentity> {
  let response: Response;
  try {
    response = await fetch(`${nodeId}/.well-known/referral-node`, { signal: AbortSignal.timeout(15_000) });
  } catch (error) {
    return { ok: false, at: 'network', error };
  }
  const read = await identityDocumentText(response, nodeId);
  if (!read.ok) return { ok: false, at: 'answer', why: read.why, reason: read.reason };
  const verification = await verifyIdentityDocument(read.jws, nowSeconds, nodeId, 'peer', skewSeconds);
  if (!verification.ok) return { ok: false, at: 'document', reason: `The identity document of ${nodeId} was refused: ${verification.reason}` };
  return { ok: true, identity: verification.identity, jws: read.jws };
}
