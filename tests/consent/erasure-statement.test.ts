// An erasure statement relayed from a node this one does not know cannot be verified, and is kept
// as received: it must hold nothing but what a statement holds (issue 17 item 8), or the node
// relaying it could store text here.
import { randomUUID } from 'node:crypto';
import { CompactSign } from 'jose';
import { describe, expect, it } from 'vitest';
import { b64u, utf8 } from '../../node/crypto/encoding.js';
import { readUnverifiedStatement, signErasureStatement, type ErasureStatementClaims } from '../../node/consents/statement.js';
import { generateSigningKey } from '../../node/identity/keys.js';

const claims: ErasureStatementClaims = {
  iss: 'https://far-away.example', aud: 'https://here.example', referral_id: randomUUID(), reason: 'consent-withdrawn', erased_at: '2026-12-07T08:00:00.000Z', iat: 1_796_000_000,
};
const expected = { iss: claims.iss, aud: claims.aud, referralId: claims.referral_id };

describe('an unverified erasure statement', () => {
  it('is read when it is what a node signs', async () => {
    const { key } = await generateSigningKey();
    expect(readUnverifiedStatement(await signErasureStatement(claims, key), expected)).toEqual(claims);
  });

  it('is refused with anything more: header members, spaces, repeated claims, a longer signature, or another referral', async () => {
    const { key } = await generateSigningKey();
    const sign = (payload: string, header: Record<string, unknown> = { alg: 'EdDSA', typ: 'erasure-statement+jws', kid: key.kid }) =>
      new CompactSign(utf8.encode(payload)).setProtectedHeader(header as never).sign(key.privateKey);
    const good = await signErasureStatement(claims, key);
    const [h, p, s] = good.split('.') as [string, string, string];
    for (const bad of [
      await sign(JSON.stringify(claims), { alg: 'EdDSA', typ: 'erasure-statement+jws', kid: key.kid, note: 'Ana Popescu, born 1990' }),
      await sign(JSON.stringify(claims), { alg: 'EdDSA', typ: 'erasure-statement+jws', kid: 'Ana Popescu born 1990 in Iasi, Romania.....' }),
      await sign(JSON.stringify(claims, null, 1)),
      await sign(`{"iss":"Ana Popescu",${JSON.stringify(claims).slice(1)}`),
      `${h}.${p}.${s}${b64u.encode(utf8.encode('Ana Popescu'))}`,
      `${h}.${p}`,
      await signErasureStatement({ ...claims, referral_id: randomUUID() }, key),
    ]) {
      expect(readUnverifiedStatement(bad, expected), bad.slice(0, 80)).toBeUndefined();
    }
  });
});
