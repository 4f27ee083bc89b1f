// The overview: what waits for action, what arrived lately, messages not delivered, erasures not
// yet confirmed, open peer alerts for administrators; and for auditors, no referral at all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createTestNetwork, referralRequest, type TestNetwork, type TestNode } from '../_util/test-node.js';
import { signedInAs, textOf } from '../_util/ui-browser.js';

let net: TestNetwork;
let gr: TestNode;
let at: TestNode;
let referralId: string;

beforeAll(async () => {
  net = await createTestNetwork(2);
  [gr, at] = net.nodes as [TestNode, TestNode];
  referralId = (await api(gr, 'POST', '/api/v1/referrals', referralRequest(at.id))).body.id;
  await net.settle();
});
afterAll(() => net.close());

describe('the overview', () => {
  it('shows the receiving caseworker the referral waiting for her, and what changed since she last opened it, marked new until she does', async () => {
    const anna = await signedInAs(at, 'caseworker', net.clock.now());
    const page = await anna.html('/ui/overview');
    const text = textOf(page);
    expect(text).toContain('Waiting for you');
    expect(text).toContain('Every message has been delivered.');
    expect(page).toContain(`href="/ui/referrals/${referralId}"`);
    const changed = () => anna.html('/ui/overview').then((html) => /<section aria-labelledby="changed">[\s\S]*?<\/section>/.exec(html)?.[0] ?? '');
    expect(await changed()).toContain(`href="/ui/referrals/${referralId}"`);
    expect(textOf(await changed())).toContain('new');
    expect(await anna.html('/ui/referrals')).toContain('class="badge new"');
    // Opened: no longer new to her, still new to a colleague.
    expect((await anna.go(`/ui/referrals/${referralId}`)).status).toBe(200);
    expect(textOf(await changed())).toContain('Nothing has changed since you last opened each referral.');
    expect(await anna.html('/ui/referrals')).not.toContain('class="badge new"');
    const colleague = await signedInAs(at, 'caseworker', net.clock.now());
    expect(await colleague.html('/ui/referrals')).toContain('class="badge new"');
    // A change after she opened it makes it new to her again.
    net.clock.advance(60_000);
    expect((await api(at, 'POST', `/api/v1/referrals/${referralId}/info-request`, { questions: 'Does she need childcare?' })).status).toBe(200);
    expect(await changed()).toContain(`href="/ui/referrals/${referralId}"`);
  });

  it('shows a message that could not be delivered, with the organisation it was for', async () => {
    await gr.ctx.database.db.updateTable('envelopes').set({ delivery_state: 'failed' }).where('referral_id', '=', referralId).where('direction', '=', 'outgoing').execute();
    const text = textOf(await (await signedInAs(gr, 'caseworker', net.clock.now())).html('/ui/overview'));
    expect(text).toContain('Delivery problems');
    expect(text).toContain('Failed: open the referral to try again');
    expect(text).toContain('Test organisation AT');
    await gr.ctx.database.db.updateTable('envelopes').set({ delivery_state: 'delivered' }).where('referral_id', '=', referralId).execute();
  });

  it('shows an erasure asked for until the other organisation confirms it, to auditors too', async () => {
    const consentId = (await api(gr, 'GET', `/api/v1/referrals/${referralId}`)).body.consent_id as string;
    expect((await api(gr, 'POST', `/api/v1/consents/${consentId}/withdraw`, { recipients: [at.id] })).status).toBe(200);
    const auditor = await signedInAs(gr, 'auditor', net.clock.now());
    const pending = textOf(await auditor.html('/ui/overview'));
    expect(pending).toContain('Erasures not yet confirmed');
    expect(pending).toContain('She withdrew her consent');
    expect(pending).toContain('Test organisation AT');
    expect(pending).toContain('Auditors see the audit log and consent records, never a referral.');
    expect(pending).not.toContain('Received lately');
    await net.settle();
    expect(textOf(await auditor.html('/ui/overview'))).toContain('Every erasure asked for has been confirmed.');
  });

  it('tells administrators, and only them, of peer alerts no one has resolved', async () => {
    await at.ctx.database.db
      .insertInto('peer_alerts')
      .values({ peer_id: gr.id, kind: 'signing-key-changed', detail: 'test', evidence: null, evidence_digest: null, detected_at: net.clock.now().toISOString(), resolved_at: null })
      .execute();
    expect(textOf(await (await signedInAs(at, 'admin', net.clock.now())).html('/ui/overview'))).toContain('Peer alerts that need your attention: 1');
    expect(textOf(await (await signedInAs(at, 'caseworker', net.clock.now())).html('/ui/overview'))).not.toContain('Peer alerts');
  });
});
