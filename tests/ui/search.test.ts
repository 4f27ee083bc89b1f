// Finding a woman's referral while her data stays encrypted (issue 18 item 2): by her name in any
// order, accents and case ignored, her date of birth, a phone number or a case reference; keyed,
// truncated blind indexes kept in step with the referrals and removed with her data; never the
// values themselves in the database, the logs or the audit log; not for auditors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayOf, nameWords, phoneDigits, TOKEN_BITS } from '../../node/referrals/search.js';
import { replaceTokens } from '../../node/referrals/search-tokens.js';
import { api, createTestNetwork, sentReferral, snapshot, type Json, type TestNetwork, type TestNode } from '../_util/test-node.js';
import { signedInAs, textOf, type UiBrowser } from '../_util/ui-browser.js';
import { expectMarked } from '../_util/field-marks.js';

let net: TestNetwork;
let gr: TestNode;
let at: TestNode;
let anna: UiBrowser;
let ioana: string;
let stefania: string;

const GIVEN = 'Ioana';
const FAMILY = 'Popescu-Canary';

/** The referral ids the search page lists. */
const found = (html: string) => [...html.matchAll(/<th scope="row"><a href="\/ui\/referrals\/([0-9a-f-]{36})"/g)].map((m) => m[1]);

async function search(b: UiBrowser, query: string): Promise<{ status: number; html: string }> {
  const response = await b.submit('/ui/search', { query }, '/ui/search');
  return { status: response.status, html: await response.text() };
}

beforeAll(async () => {
  net = await createTestNetwork(2);
  [gr, at] = net.nodes as [TestNode, TestNode];
  const client = (identity: Json, contact?: Json) => ({
    client: { identity, ...(contact ? { contact } : {}), situation: { summary: 'Lives in a shelter.' } },
    consent: {
      categories: ['identity', 'situation', ...(contact ? ['contact'] : [])], purposes: ['referral'], method: 'written', language: 'ro',
      valid_until: new Date(Date.now() + 90 * 86_400_000).toISOString(),
    },
  });
  ({ referralId: ioana } = await sentReferral(net, gr, at, client({ given_name: GIVEN, family_name: FAMILY, date_of_birth: '1994-03-14' }, { phone: '+40 721 234 567' }) as Json));
  ({ referralId: stefania } = await sentReferral(net, gr, at, client({ given_name: 'Ștefania', family_name: 'Dumitrescu' }) as Json));
  await sentReferral(net, gr, at, client({ given_name: 'Maria', family_name: 'Ionescu' }) as Json);
  anna = await signedInAs(at, 'caseworker', net.clock.now(), 'anna');
});
afterAll(() => net.close());

describe('the words searched', () => {
  it('are names without accents or case, a phone number\'s last nine digits, a day in the usual ways', () => {
    expect(nameWords('POPESCU, Ioana')).toEqual(['popescu', 'ioana']);
    expect(nameWords('Ștefania  Dumitrescu-Ilie')).toEqual(['stefania', 'dumitrescu', 'ilie']);
    expect(phoneDigits('+40 721 234 567')).toBe('721234567');
    expect(phoneDigits('0721234567')).toBe('721234567');
    expect(phoneDigits('12345')).toBeUndefined();
    expect(dayOf('14.03.1994')).toBe('1994-03-14');
    expect(dayOf('1994-03-14')).toBe('1994-03-14');
    expect(dayOf('31.02.1994')).toBeUndefined();
    expect(TOKEN_BITS).toBeLessThanOrEqual(24);
  });
});

describe('finding her referral', () => {
  it('by her name in any order, whatever the case and accents', async () => {
    for (const query of [`${GIVEN} ${FAMILY}`, `${FAMILY.toUpperCase()}, ${GIVEN}`, 'popescu-canary']) {
      const { status, html } = await search(anna, query);
      expect(status, query).toBe(200);
      expect(found(html), query).toEqual([ioana]);
    }
    expect(found((await search(anna, 'stefania DUMITRESCU')).html)).toEqual([stefania]);
    // All the words must be in her name: another Ioana's family name does not make a match.
    expect(found((await search(anna, 'Ioana Ionescu')).html)).toEqual([]);
    expect(textOf((await search(anna, 'Nobody Here')).html)).toContain('No referral matches this.');
  });

  it('by her date of birth, a phone number or the case reference, with her consent beside', async () => {
    expect(found((await search(anna, '14.03.1994')).html)).toEqual([ioana]);
    expect(found((await search(anna, '0721 234 567')).html)).toEqual([ioana]);
    const caseRef = (await api(at, 'GET', `/api/v1/referrals/${ioana}`)).body.case_reference as string;
    const byCase = await search(anna, caseRef.toLowerCase());
    expect(found(byCase.html)).toEqual([ioana]);
    const consentId = (await api(at, 'GET', `/api/v1/referrals/${ioana}`)).body.consent_id as string;
    expect(byCase.html).toContain(`href="/ui/consents/${consentId}"`);
  });

  it('through the local API, for caseworkers and administrators, never auditors', async () => {
    const response = await api(at, 'POST', '/api/v1/search', { query: `${GIVEN} ${FAMILY}` });
    expect(response.status).toBe(200);
    expect(response.body.items.map((hit: Json) => hit.referral.id)).toEqual([ioana]);
    expect(response.body.items[0].consent_id).toBeDefined();
    const refused = await api(at, 'POST', '/api/v1/search', { query: ' ' });
    expect(refused.status).toBe(422);
    const auditor = await signedInAs(at, 'auditor', net.clock.now());
    expect((await auditor.submit('/ui/search', { query: GIVEN }, '/ui/search')).status).toBe(403);
  });

  it('says plainly when the words are too few, beside the field', async () => {
    const { status, html } = await search(anna, 'a');
    expect(status).toBe(422);
    expectMarked(html, 'search-query', /name, a date of birth, a phone number or a case reference/);
  });

  it('keeps no name, date or number in the clear: the index holds truncated keyed hashes; nothing in the logs or the audit log', async () => {
    const tokens = await at.ctx.database.db.selectFrom('search_tokens').selectAll().execute();
    expect(tokens.length).toBeGreaterThan(0);
    for (const t of tokens) expect(t.token).toMatch(new RegExp(`^[0-9a-f]{${TOKEN_BITS / 4}}$`));
    const everything = JSON.stringify(await snapshot(at), (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : v));
    for (const value of ['Popescu-Canary', 'popescu-canary', '1994-03-14', '721234567']) expect(everything).not.toContain(value);
    for (const value of ['Popescu-Canary', '14.03.1994', '0721 234 567']) expect(at.logs()).not.toContain(value);
  });

  it('forgets her with her data: after erasure, no token of hers and no match', async () => {
    const consentId = (await api(gr, 'GET', `/api/v1/referrals/${ioana}`)).body.consent_id as string;
    expect((await api(gr, 'POST', `/api/v1/consents/${consentId}/withdraw`, { recipients: [at.id] })).status).toBe(200);
    await net.settle();
    // The receiver erased her data (the withdrawal's erasure), and her tokens with it.
    expect((await api(at, 'GET', `/api/v1/referrals/${ioana}`)).body.erased_at).toBeDefined();
    expect(await at.ctx.database.db.selectFrom('search_tokens').select('token').where('referral_id', '=', ioana).execute()).toEqual([]);
    // An indexing that read her data before the erasure committed writes nothing back after it.
    const { updated_at: before } = await at.ctx.database.db.selectFrom('referrals').select('updated_at').where('id', '=', ioana).executeTakeFirstOrThrow();
    await at.ctx.database.transaction((tx) => replaceTokens(tx, ioana, [{ field: 'name', token: 'beef' }], '2000-01-01T00:00:00.000Z'));
    await at.ctx.database.transaction((tx) => replaceTokens(tx, ioana, [{ field: 'name', token: 'beef' }], before));
    expect(await at.ctx.database.db.selectFrom('search_tokens').select('token').where('referral_id', '=', ioana).execute()).toEqual([]);
    expect(found((await search(anna, `${GIVEN} ${FAMILY}`)).html)).toEqual([]);
    expect(found((await search(anna, '14.03.1994')).html)).toEqual([]);
    expect(found((await search(anna, 'Stefania')).html)).toEqual([stefania]);
  });

  it('says a query that is too long in a sentence beside the field', async () => {
    const long = await search(anna, 'x'.repeat(201));
    expect(long.status).toBe(422);
    expectMarked(long.html, 'search-query', /at most 200 characters/);
  });

  it('finds a referral changed in the past, once the clock was set back, at the latest an hour later; and one changed "in the future" does not hide the rest', async () => {
    const searchApi = async (query: string) => ((await api(at, 'POST', '/api/v1/search', { query })).body.items as Json[]).map((h) => h.referral.id as string);
    // Everything indexed (a search indexes what changed first).
    expect(await searchApi('Stefania')).toEqual([stefania]);
    // A clock that ran ahead: one referral changed a day from now, indexed so.
    const { referralId: ahead } = await sentReferral(net, gr, at, { client: { identity: { given_name: 'Vasilica', family_name: 'Ahead' } } } as Json);
    await at.ctx.database.db.updateTable('referrals').set({ updated_at: new Date(net.clock.now().getTime() + 86_400_000).toISOString() }).where('id', '=', ahead).execute();
    expect(await searchApi('vasilica ahead')).toEqual([ahead]);
    // What changes now is still found at once.
    const { referralId: now } = await sentReferral(net, gr, at, { client: { identity: { given_name: 'Floarea', family_name: 'Today' } } } as Json);
    expect(await searchApi('floarea today')).toEqual([now]);
    // A clock set back an hour: a referral changed "before" the latest indexing is not seen by the
    // quick look, and is by the look at every referral that follows within the hour.
    const { referralId: behind } = await sentReferral(net, gr, at, { client: { identity: { given_name: 'Rodica', family_name: 'Behind' } } } as Json);
    await at.ctx.database.db.updateTable('referrals').set({ updated_at: new Date(net.clock.now().getTime() - 3_600_000).toISOString() }).where('id', '=', behind).execute();
    expect(await searchApi('rodica behind')).toEqual([]);
    net.clock.advance(61 * 60_000);
    anna = await signedInAs(at, 'caseworker', net.clock.now());
    expect(await searchApi('rodica behind')).toEqual([behind]);
  });
});
