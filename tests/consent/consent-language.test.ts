// The language a consent was given in comes from the network's fixed list (issue 17 item 8): it
// travels to peers and into the audit log in the clear, where a well-formed tag such as
// `Ana-Popescu-1990` would carry a name for ever. One list in code, the same in the spec; the
// local API and a receiving node refuse any other; a consent stored before the list was fixed is
// still shown, and no offer is made under it.
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CONSENT_LANGUAGES } from '../../node/consents/languages.js';
import { sealEnvelope, signEnvelopeAttempt } from '../../node/envelope/seal.js';
import { SPOKEN_LANGUAGES } from '../../admin-ui/pages/new-referral/flow.js';
import { expectMatchesSpec } from '../_util/spec-check.js';
import { expectUnchanged, snapshotDatabase } from '../_util/database-snapshot.js';
import { adminIdOf, api, createTestNetwork, type Json, referralRequest, type TestNetwork, type TestNode } from '../_util/test-node.js';
import { signedInAs, textOf } from '../_util/ui-browser.js';

let net: TestNetwork;
let gr: TestNode;
let at: TestNode;

beforeAll(async () => {
  net = await createTestNetwork(2);
  [gr, at] = net.nodes as [TestNode, TestNode];
});
afterAll(() => net.close());

const inDays = (days: number) => new Date(net.clock.now().getTime() + days * 86_400_000).toISOString();
const consentInput = (language: string): Json => ({
  categories: ['situation'], purposes: ['referral'], recipients: [at.id], method: 'written', language, valid_until: inDays(90),
});
const OUTSIDE = ['Ana-Popescu-1990', 'pt-BR', 'xx', 'RO', 'ro ', ''];

describe('the language of a consent', () => {
  it('comes from one list, the same in the code, the spec and the web interface', () => {
    const spec = parse(readFileSync(new URL('../../spec/federation.yaml', import.meta.url), 'utf8')) as Json;
    expect(spec.components.schemas.ConsentLanguage.enum).toEqual([...CONSENT_LANGUAGES]);
    expect(new Set(CONSENT_LANGUAGES).size).toBe(CONSENT_LANGUAGES.length);
    expect(SPOKEN_LANGUAGES).toBe(CONSENT_LANGUAGES);
    for (const code of ['ro', 'bg', 'el', 'it', 'de', 'en', 'sq', 'uk', 'ar', 'fa', 'ti', 'so', 'yo', 'ig', 'bin', 'pcm', 'zh', 'vi', 'tr', 'rom']) {
      expect(CONSENT_LANGUAGES).toContain(code);
    }
  });

  it('is refused by the local API when outside the list, on its own and with a referral; nothing is written', async () => {
    await api(gr, 'GET', '/api/v1/consents'); // the token's first use is a login entry: not part of what is compared
    const before = await snapshotDatabase(gr);
    for (const language of OUTSIDE) {
      const alone = await api(gr, 'POST', '/api/v1/consents', consentInput(language));
      expect(alone.status, language).toBe(422);
      expect(alone.body.type).toBe('urn:refnet:problem:invalid-request');
      const request = referralRequest(at.id);
      const inline = await api(gr, 'POST', '/api/v1/referrals', { ...request, consent: { ...request.consent, language } });
      expect(inline.status, language).toBe(422);
      expect(inline.body.type).toBe('urn:refnet:problem:invalid-request');
    }
    expectUnchanged(before, await snapshotDatabase(gr));
  });

  it('is accepted in every language of the list', async () => {
    for (const language of CONSENT_LANGUAGES) {
      expect((await api(gr, 'POST', '/api/v1/consents', consentInput(language))).status, language).toBe(201);
    }
  });

  it('is refused by a receiving node when outside the list (invalid-body); nothing is written', async () => {
    const offer = async (language: string) => {
      const referralId = randomUUID();
      const body = {
        referral_id: referralId, needs: ['legal-aid'], urgency: 'routine', reason: 'She asks for a lawyer.', client: { situation: { summary: 'In a shelter.' } },
        consent: {
          id: randomUUID(), categories: ['situation'], purposes: ['referral'], recipients: [at.id], method: 'written', language,
          obtained_by: await adminIdOf(gr), obtained_at: net.clock.now().toISOString(), valid_until: inDays(90),
        },
      };
      const sealed = await sealEnvelope({
        type: 'referral.offer', from: gr.id, to: at.id, referralId, seq: 1, createdAt: net.clock.now(), body,
        recipientKey: at.ctx.self.encryptionKey.publicJwk, senderKey: gr.ctx.self.encryptionKey.publicJwk,
      });
      const jws = await signEnvelopeAttempt(sealed.payload, { nodeId: gr.id, signingKey: gr.ctx.self.signingKey }, net.clock.now());
      return at.request('/federation/v1/envelopes', { method: 'POST', headers: { 'content-type': 'application/jose' }, body: jws });
    };
    const before = await snapshotDatabase(at);
    for (const language of OUTSIDE) {
      const response = await offer(language);
      expect(response.status, language).toBe(422);
      expect(((await expectMatchesSpec('federation', 'POST', '/federation/v1/envelopes', response)) as Json).type).toBe('urn:refnet:problem:invalid-body');
    }
    expectUnchanged(before, await snapshotDatabase(at));
    expect((await offer('ti')).status).toBe(200);
  });

  it('outside the list in a consent stored before, is still shown, and no referral is sent under it', async () => {
    const { body: consent } = await api(gr, 'POST', '/api/v1/consents', consentInput('ro'));
    await gr.ctx.database.db.updateTable('consents').set({ language: 'Ana-Popescu-1990' }).where('id', '=', consent.id).execute();
    const shown = await api(gr, 'GET', `/api/v1/consents/${consent.id}`);
    expect(shown.status).toBe(200);
    expect(shown.body.language).toBe('Ana-Popescu-1990');
    const caseworker = await signedInAs(gr, 'caseworker', net.clock.now());
    const page = await caseworker.go(`/ui/consents/${consent.id}`);
    expect(page.status).toBe(200);
    expect(textOf(await page.text())).toContain('Ana-Popescu-1990');
    const { consent: _inline, ...request } = referralRequest(at.id, { client: { situation: { summary: 'In a shelter.' } } } as never);
    const refused = await api(gr, 'POST', '/api/v1/referrals', { ...request, consent_id: consent.id });
    expect(refused.status).toBe(422);
    expect(refused.body.detail).toMatch(/language outside the network's list/);
  });
});
