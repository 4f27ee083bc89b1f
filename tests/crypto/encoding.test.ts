// base64url as the node writes and reads it (node/crypto/encoding.ts): the same text as jose's
// (the JOSE library the protocol's JWS come from), the same bytes back, and no lenient guesses.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { base64url } from 'jose';
import { b64u, decodeBase64UrlStrict, utf8 } from '../../node/crypto/encoding.js';

describe('base64url', () => {
  it('writes what jose writes and reads back the same bytes, for bytes and for text', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), fc.string({ maxLength: 300 }), (bytes, text) => {
        expect(b64u.encode(bytes)).toBe(base64url.encode(bytes));
        expect(b64u.encode(text)).toBe(base64url.encode(text));
        const back = b64u.decode(b64u.encode(bytes));
        expect(back).toEqual(bytes);
        expect(back.constructor).toBe(Uint8Array);
        expect(utf8.decode(b64u.decode(b64u.encode(text)))).toBe(text);
        expect(decodeBase64UrlStrict(b64u.encode(bytes))).toEqual(bytes);
      }),
      { numRuns: 300 },
    );
  });

  it('encodes a view into a larger buffer as the view only', () => {
    const whole = new Uint8Array([1, 2, 3, 4, 5, 6]);
    expect(b64u.encode(whole.subarray(2, 4))).toBe(base64url.encode(new Uint8Array([3, 4])));
  });

  it('refuses characters outside the alphabet and impossible lengths rather than skipping them', () => {
    for (const bad of ['ab$d', 'abc d', 'ab+/', 'a', 'abcde']) {
      expect(() => b64u.decode(bad), bad).toThrow();
      expect(decodeBase64UrlStrict(bad), bad).toBeUndefined();
    }
    expect(decodeBase64UrlStrict(42)).toBeUndefined();
    expect(b64u.decode('')).toEqual(new Uint8Array());
  });
});
