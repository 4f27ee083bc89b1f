// Reading a compact JWS's parts before its signature is checked (the key to check it with often
// depends on what they say): strict base64url, a JSON protected header and a JSON payload.
import { decodeProtectedHeader, type ProtectedHeaderParameters } from 'jose';
import { decodeBase64UrlStrict, utf8 } from './encoding.js';

export type CompactJwsParts =
  | { ok: true; header: ProtectedHeaderParameters; payload: unknown }
  | { ok: false; problem: 'not-compact' | 'not-json' };

export function readCompactJws(jws: string): CompactJwsParts {
  const parts = jws.split('.');
  if (parts.length !== 3 || parts.some((p) => p === '' || decodeBase64UrlStrict(p) === undefined)) return { ok: false, problem: 'not-compact' };
  try {
    return { ok: true, header: decodeProtectedHeader(jws), payload: JSON.parse(utf8.decode(decodeBase64UrlStrict(parts[1]!)!)) };
  } catch {
    return { ok: false, problem: 'not-json' };
  }
}

/** The `kid` of a JWS's protected header, if it names one. */
export function kidOf(jws: string): string | undefined {
  try {
    const { kid } = decodeProtectedHeader(jws);
    return typeof kid === 'string' ? kid : undefined;
  } catch {
    return undefined;
  }
}
