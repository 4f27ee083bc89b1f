// The answer to GET <node id>/.well-known/referral-node, read the same way wherever a node fetches
// a peer's identity document (peer add, an invitation, the periodic refresh): status 200 and
// `Content-Type: application/jwt` (parameters ignored), at most MAX_DOCUMENT_BYTES
// (spec/federation.yaml, "Identity document"). What it holds is verified by the caller.
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
