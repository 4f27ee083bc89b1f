// The peers pages: adding a peer by URL only when the fingerprint typed is the one it presents
// (fetched again on confirming), approving, suspending, restoring and revoking (twice asked),
// invitations made, listed, revoked and redeemed between two nodes, alerts resolved, this node's
// keys; and none of it for anyone but an administrator.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readableFingerprint } from '../../node/identity/keys.js';
import { listPeers } from '../../node/peers/service.js';
import { createTestNetwork, snapshot, type TestNetwork, type TestNode } from '../_util/test-node.js';
import { noticeLeft, signedInAs, textOf, type UiBrowser } from '../_util/ui-browser.js';
import { onPostgres } from '../_util/database.js';

let net: TestNetwork;
let gr: TestNode;
let at: TestNode;
let third: TestNode;
let admin: UiBrowser;

const fingerprintOf = (node: TestNode) => readableFingerprint(node.ctx.self.signingKey.kid);
const peerPage = (node: TestNode) => `/ui/peers/peer?id=${encodeURIComponent(node.id)}`;
const stateOf = async (on: TestNode, peer: TestNode) => (await listPeers(on.ctx.database.db)).find((p) => p.id === peer.id)?.state;
/** Everything but the sessions, whose last-seen time moves with every request. */
const changes = async (node: TestNode) => {
  const all = await snapshot(node);
  delete all.ui_sessions;
  return all;
};
const auditEntries = async (node: TestNode, type: string) =>
  (await node.ctx.database.db.selectFrom('audit_log').select('entry').where('type', '=', type).execute()).map((r) => JSON.parse(r.entry) as { actor: { kind: string; id: string } });

beforeAll(async () => {
  net = await createTestNetwork(3, { trust: false });
  [gr, at, third] = net.nodes as [TestNode, TestNode, TestNode];
  admin = await signedInAs(gr, 'admin', net.clock.now());
});
afterAll(() => net.close());

describe('the peers page', () => {
  it("shows this node's own fingerprint, to read out on the phone, and says there are no peers yet", async () => {
    const text = textOf(await admin.html('/ui/peers'));
    expect(text).toContain('Our fingerprint');
    expect(text).toContain(fingerprintOf(gr));
    expect(text).toContain('No peers yet.');
    expect(text).toContain('No alerts need your attention.');
  });

  it('shows the fingerprint the node at a URL presents, in large print, before anything is added', async () => {
    const before = await changes(gr);
    const response = await admin.submit('/ui/peers/add', { url: at.id }, '/ui/peers');
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('fingerprint-large');
    expect(textOf(html)).toContain(fingerprintOf(at));
    expect(textOf(html)).toContain('Test organisation AT');
    // Its country and languages by name, not by code.
    expect(textOf(html)).toMatch(/Country Austria .*Languages English/);
    expect(await changes(gr)).toEqual(before);
  });

  it('says in a sentence what is wrong with an empty or impossible URL', async () => {
    const empty = await admin.submit('/ui/peers/add', { url: '' }, '/ui/peers');
    expect(empty.status).toBe(422);
    expect(textOf(await empty.text())).toContain('Please fill in “Node address (URL)”.');
    const unreachable = await admin.submit('/ui/peers/add', { url: 'http://nowhere.test' }, '/ui/peers');
    expect(unreachable.status).toBe(422);
    expect(textOf(await unreachable.text())).toContain('Could not reach http://nowhere.test');
  });

  it('refuses to add a peer when the fingerprint typed is not the one it presents, and changes nothing', async () => {
    const before = await changes(gr);
    const wrong = fingerprintOf(third);
    const response = await admin.submit('/ui/peers/add/confirm', { url: at.id, fingerprint: wrong, trust: 'yes' }, '/ui/peers');
    expect(response.status).toBe(422);
    const html = await response.text();
    expect(textOf(html)).toContain('The fingerprint you typed is not the one this node presents. Nothing was added or changed.');
    // The form is shown again with what was typed.
    expect(html).toContain(`value="${wrong}"`);
    expect(await changes(gr)).toEqual(before);
  });

  it('checks the fingerprint against the identity fetched again on confirming, not the one shown before', async () => {
    // The node at the URL changes its answer between the two steps: the typed fingerprint is
    // compared with what it presents now.
    const before = await changes(gr);
    net.intercept = (url) => (url.href === `${at.id}/.well-known/referral-node` ? new Response('no', { status: 500 }) : undefined);
    try {
      const response = await admin.submit('/ui/peers/add/confirm', { url: at.id, fingerprint: fingerprintOf(at), trust: 'yes' }, '/ui/peers');
      expect(response.status).toBe(422);
      expect(textOf(await response.text())).toContain('answered 500');
    } finally {
      net.intercept = undefined;
    }
    expect(await changes(gr)).toEqual(before);
  });

  it('leaves no pending peer behind when trusting it fails after adding it', async () => {
    const before = await changes(gr);
    const db = gr.ctx.database.db;
    if (onPostgres) {
      await sql`CREATE FUNCTION refuse_trust() RETURNS trigger AS $$ BEGIN IF NEW.state = 'trusted' THEN RAISE EXCEPTION 'trust refused for the test'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`.execute(db);
      await sql`CREATE TRIGGER refuse_trust BEFORE UPDATE OF state ON peers FOR EACH ROW EXECUTE FUNCTION refuse_trust()`.execute(db);
    } else {
      await sql`CREATE TRIGGER refuse_trust BEFORE UPDATE OF state ON peers WHEN NEW.state = 'trusted' BEGIN SELECT RAISE(ABORT, 'trust refused for the test'); END`.execute(db);
    }
    try {
      const response = await admin.submit('/ui/peers/add/confirm', { url: at.id, fingerprint: fingerprintOf(at), trust: 'yes' }, '/ui/peers');
      expect(response.status).toBe(500);
    } finally {
      await sql`DROP TRIGGER refuse_trust${onPostgres ? sql` ON peers` : sql``}`.execute(db);
      if (onPostgres) await sql`DROP FUNCTION refuse_trust`.execute(db);
    }
    expect(await stateOf(gr, at)).toBeUndefined();
    expect(await changes(gr)).toEqual(before);
  });

  it('adds and trusts a peer when the fingerprint typed is the one it presents (spaces and case do not matter)', async () => {
    const typed = fingerprintOf(at).toLowerCase().replace(/-/g, ' ');
    const response = await admin.submit('/ui/peers/add/confirm', { url: at.id, fingerprint: typed, trust: 'yes' }, '/ui/peers');
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(peerPage(at));
    expect(noticeLeft(response)).toBe('peerAddedTrusted');
    expect(await stateOf(gr, at)).toBe('trusted');
    const page = textOf(await admin.html(response.headers.get('location')!));
    expect(page).toContain('The peer was added and is now trusted.');
    expect(page).toContain('Trusted');
    expect(page).toContain(fingerprintOf(at));
    const list = textOf(await admin.html('/ui/peers'));
    expect(list).toContain('Test organisation AT');
    expect(list).toContain(at.id);
    // Both in the audit log as done by the administrator signed in, not by the command line.
    const signedIn = await gr.ctx.database.db.selectFrom('users').select('id').where('username', 'like', 'admin-%').executeTakeFirstOrThrow();
    for (const type of ['peer.added', 'peer.trusted']) expect((await auditEntries(gr, type)).map((e) => e.actor)).toEqual([{ kind: 'user', id: signedIn.id }]);
  });

  it('adds a peer as pending when asked, and approves it only with its fingerprint typed again', async () => {
    const added = await admin.submit('/ui/peers/add/confirm', { url: third.id, fingerprint: fingerprintOf(third) }, '/ui/peers');
    expect(added.status).toBe(303);
    expect(await stateOf(gr, third)).toBe('pending');
    const page = textOf(await admin.html(peerPage(third)));
    expect(page).toContain('Waiting for approval');
    expect(page).toContain('Approve this peer');

    const before = await changes(gr);
    const refused = await admin.submit('/ui/peers/trust', { id: third.id, fingerprint: fingerprintOf(at) }, peerPage(third));
    expect(refused.status).toBe(422);
    expect(textOf(await refused.text())).toContain('The fingerprint you typed is not the one this node presents.');
    expect(await changes(gr)).toEqual(before);

    const approved = await admin.submit('/ui/peers/trust', { id: third.id, fingerprint: fingerprintOf(third) }, peerPage(third));
    expect(approved.status).toBe(303);
    expect(await stateOf(gr, third)).toBe('trusted');
  });

  it('suspends and restores a peer, each in the audit log as done by the administrator', async () => {
    const page = textOf(await admin.html(peerPage(at)));
    expect(page).toContain('Suspend this peer');
    expect(page).toContain('nothing is sent to them and nothing from them is accepted');

    const suspended = await admin.submit('/ui/peers/suspend', { id: at.id }, peerPage(at));
    expect(suspended.status).toBe(303);
    expect(await stateOf(gr, at)).toBe('suspended');
    const after = textOf(await admin.html(suspended.headers.get('location')!));
    expect(after).toContain('The peer is suspended. Messages for it wait until you restore it.');
    expect(after).toContain('Restore this peer');
    expect(after).not.toContain('Suspend this peer');

    const restored = await admin.submit('/ui/peers/restore', { id: at.id }, peerPage(at));
    expect(restored.status).toBe(303);
    expect(await stateOf(gr, at)).toBe('trusted');
    expect(textOf(await admin.html(restored.headers.get('location')!))).toContain('The peer is trusted again.');

    const [suspendedBy] = await auditEntries(gr, 'peer.suspended');
    const [restoredBy] = await auditEntries(gr, 'peer.restored');
    expect(suspendedBy?.actor.kind).toBe('user');
    expect(restoredBy?.actor.kind).toBe('user');
  });

  it('revokes a peer only with a reason and the box ticked that it cannot be undone', async () => {
    const page = textOf(await admin.html(peerPage(third)));
    expect(page).toContain('This cannot be undone.');
    const before = await changes(gr);
    const noReason = await admin.submit('/ui/peers/revoke', { id: third.id, understood: 'yes' }, peerPage(third));
    expect(noReason.status).toBe(422);
    expect(textOf(await noReason.text())).toContain('Please fill in “Reason”.');
    const notTicked = await admin.submit('/ui/peers/revoke', { id: third.id, reason: 'no-longer-partner' }, peerPage(third));
    expect(notTicked.status).toBe(422);
    expect(textOf(await notTicked.text())).toContain('Please tick the box to confirm that you understand this cannot be undone. Nothing was changed.');
    expect(await changes(gr)).toEqual(before);

    const revoked = await admin.submit('/ui/peers/revoke', { id: third.id, reason: 'no-longer-partner', understood: 'yes' }, peerPage(third));
    expect(revoked.status).toBe(303);
    expect(await stateOf(gr, third)).toBe('revoked');
    const after = textOf(await admin.html(peerPage(third)));
    expect(after).toContain('This peer is revoked. It cannot be trusted again.');
    expect(after).toContain('We no longer work together');
    expect(after).not.toContain('Revoke for good');
  });

  it('does not add again a peer known already, nor one revoked here', async () => {
    const before = await changes(gr);
    const known = await admin.submit('/ui/peers/add/confirm', { url: at.id, fingerprint: fingerprintOf(at), trust: 'yes' }, '/ui/peers');
    expect(known.headers.get('location')).toBe(peerPage(at));
    expect(noticeLeft(known)).toBe('peerAlreadyKnown');
    const revoked = await admin.submit('/ui/peers/add/confirm', { url: third.id, fingerprint: fingerprintOf(third), trust: 'yes' }, '/ui/peers');
    expect(revoked.status).toBe(409);
    expect(textOf(await revoked.text())).toContain('This peer is revoked. It cannot be trusted again.');
    expect(await changes(gr)).toEqual(before);
  });

  it('says so when an action does not fit the peer\'s state, and answers a peer it does not know with a page', async () => {
    const before = await changes(gr);
    const suspendRevoked = await admin.submit('/ui/peers/suspend', { id: third.id }, peerPage(third));
    expect(suspendRevoked.status).toBe(422);
    expect(textOf(await suspendRevoked.text())).toContain('a revoked peer is not trusted again');
    expect((await admin.go('/ui/peers/peer?id=http%3A%2F%2Funknown.test')).status).toBe(404);
    expect((await admin.go('/ui/peers/peer?id=not-a-url')).status).toBe(404);
    expect((await admin.submit('/ui/peers/suspend', { id: 'http://unknown.test' }, '/ui/peers')).status).toBe(404);
    expect(await changes(gr)).toEqual(before);
  });
});

describe('alerts', () => {
  it('lists an alert no one has resolved, and resolves it', async () => {
    await gr.ctx.database.db
      .insertInto('peer_alerts')
      .values({ peer_id: at.id, kind: 'signing-key-changed', detail: `${at.id} now presents another signing key.`, evidence: null, evidence_digest: null, detected_at: net.clock.now().toISOString(), resolved_at: null })
      .execute();
    const html = await admin.html('/ui/peers');
    const text = textOf(html);
    expect(text).toContain('Its signing key changed without proof from the old key');
    expect(text).toContain(`${at.id} now presents another signing key.`);
    const id = /name="id" value="(\d+)"/.exec(html)![1]!;
    const resolved = await admin.submit('/ui/peers/alerts/resolve', { id, back: 'list' }, '/ui/peers');
    expect(resolved.status).toBe(303);
    expect(resolved.headers.get('location')).toBe('/ui/peers');
    expect(noticeLeft(resolved)).toBe('peerAlertResolved');
    const after = textOf(await admin.html(resolved.headers.get('location')!));
    expect(after).toContain('The alert is marked as resolved.');
    expect(after).toContain('No alerts need your attention.');
    // The peer's page still shows it, resolved.
    expect(textOf(await admin.html(peerPage(at)))).toContain('Resolved');
    // Resolving it again, or an alert that does not exist, changes nothing.
    expect((await admin.submit('/ui/peers/alerts/resolve', { id, back: 'list' }, '/ui/peers')).status).toBe(404);
    expect((await admin.submit('/ui/peers/alerts/resolve', { id: 'x' }, '/ui/peers')).status).toBe(404);
    // Once in the audit log, by the administrator, and shown there in plain words.
    expect((await auditEntries(gr, 'peer.alert-resolved')).map((e) => e.actor.kind)).toEqual(['user']);
    const auditPage = textOf(await admin.html('/ui/audit?type=peer.alert-resolved'));
    expect(auditPage).toContain('Alert about a peer marked as resolved');
    expect(auditPage).toContain('The alert was: the signing key changed without proof.');
  });
});

describe('invitations', () => {
  let atAdmin: UiBrowser;
  let thirdAdmin: UiBrowser;
  beforeAll(async () => {
    atAdmin = await signedInAs(at, 'admin', net.clock.now());
    thirdAdmin = await signedInAs(third, 'admin', net.clock.now());
  });

  it('shows a new invitation\'s code once, with how to pass it on, and lists it without the code', async () => {
    const refused = await atAdmin.submit('/ui/peers/invitations', { valid_hours: '9999' }, '/ui/peers/invitations');
    expect(refused.status).toBe(422);
    expect(textOf(await refused.text())).toContain('Please enter a whole number of hours from 1 to 720.');

    const created = await atAdmin.submit('/ui/peers/invitations', { valid_hours: '24' }, '/ui/peers/invitations');
    expect(created.status).toBe(200);
    const html = await created.text();
    const code = /<textarea id="created-code"[^>]*>([^<]+)<\/textarea>/.exec(html)![1]!.trim();
    expect(code.startsWith('refnet-invite:')).toBe(true);
    const text = textOf(html);
    expect(text).toContain('It is shown only this once');
    expect(text).toContain(fingerprintOf(at));
    const list = await atAdmin.html('/ui/peers/invitations');
    expect(list).not.toContain(code);
    expect(textOf(list)).toContain('Open');

    // Redeemed by the third node's administrator, by pasting the code.
    const redeemed = await thirdAdmin.submit('/ui/peers/invitations/redeem', { code }, '/ui/peers/invitations');
    expect(redeemed.status).toBe(303);
    expect(redeemed.headers.get('location')).toBe(peerPage(at));
    expect(noticeLeft(redeemed)).toBe('invitationRedeemed');
    const result = textOf(await thirdAdmin.html(redeemed.headers.get('location')!));
    expect(result).toContain('The invitation was used: this organisation is now trusted.');
    expect(result).toContain(fingerprintOf(at));
    expect(await stateOf(third, at)).toBe('trusted');
    expect(await stateOf(at, third)).toBe('trusted');
    const used = textOf(await atAdmin.html('/ui/peers/invitations'));
    expect(used).toContain('Used');
    expect(used).toContain(third.id);

    // A second use is refused by the inviting node, and changes nothing here.
    const before = await changes(third);
    const again = await thirdAdmin.submit('/ui/peers/invitations/redeem', { code }, '/ui/peers/invitations');
    expect(again.status).toBe(422);
    expect(textOf(await again.text())).toContain('refused the invitation');
    expect(await changes(third)).toEqual(before);
  });

  it('revokes an open invitation, whose code then no longer works', async () => {
    const html = await (await atAdmin.submit('/ui/peers/invitations', { valid_hours: '72' }, '/ui/peers/invitations')).text();
    const code = /<textarea id="created-code"[^>]*>([^<]+)<\/textarea>/.exec(html)![1]!.trim();
    const list = await atAdmin.html('/ui/peers/invitations');
    const id = /action="\/ui\/peers\/invitations\/revoke">.*?name="id" value="([0-9a-f-]{36})"/s.exec(list)![1]!;
    const revoked = await atAdmin.submit('/ui/peers/invitations/revoke', { id }, '/ui/peers/invitations');
    expect(revoked.status).toBe(303);
    expect(textOf(await atAdmin.html(revoked.headers.get('location')!))).toContain('The invitation is cancelled. The code no longer works.');
    const grAdminRedeem = await admin.submit('/ui/peers/invitations/redeem', { code }, '/ui/peers/invitations');
    expect(grAdminRedeem.status).toBe(422);
    expect(textOf(await grAdminRedeem.text())).toContain('refused the invitation');
  });

  it('says in a sentence what is wrong with an empty or altered code', async () => {
    const before = await changes(gr);
    const empty = await admin.submit('/ui/peers/invitations/redeem', { code: '' }, '/ui/peers/invitations');
    expect(empty.status).toBe(422);
    expect(textOf(await empty.text())).toContain('Please fill in “Invitation code”.');
    const altered = await admin.submit('/ui/peers/invitations/redeem', { code: 'refnet-invite:nonsense' }, '/ui/peers/invitations');
    expect(altered.status).toBe(422);
    expect(textOf(await altered.text())).toContain('The node refused this.');
    expect(await changes(gr)).toEqual(before);
  });
});

describe('keys and roles', () => {
  it("shows this node's keys, read only", async () => {
    const text = textOf(await admin.html('/ui/peers/keys'));
    expect(text).toContain(fingerprintOf(gr));
    expect(text).toContain(readableFingerprint(gr.ctx.self.encryptionKey.kid));
    expect(text).toContain('referral-node keys');
  });

  it('labels every field and uses no id twice, on every peers page', async () => {
    for (const path of ['/ui/peers', peerPage(at), peerPage(third), '/ui/peers/invitations', '/ui/peers/keys']) {
      const html = await admin.html(path);
      const ids = [...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
      expect(ids.filter((id, i) => ids.indexOf(id) !== i), path).toEqual([]);
      const fields = [...html.matchAll(/<(input|select|textarea)\b([^>]*)>/g)].filter((m) => !/type="(hidden|checkbox)"/.test(m[2]!));
      for (const [, , attributes] of fields) {
        const id = / id="([^"]+)"/.exec(attributes!)?.[1];
        expect(id && html.includes(`for="${id}"`), `${path}: ${attributes}`).toBe(true);
      }
    }
  });

  it('speaks the administrator\'s language', async () => {
    const greek = await signedInAs(gr, 'admin', net.clock.now());
    expect((await greek.submit('/ui/language', { language: 'el' })).status).toBe(303);
    const text = textOf(await greek.html(peerPage(at)));
    expect(text).toContain('Αναστολή αυτού του συνεργάτη');
    expect(text).toContain('Έμπιστος');
  });

  it('refuses caseworkers and auditors every peers page and action, changing nothing', async () => {
    const before = await changes(gr);
    for (const role of ['caseworker', 'auditor'] as const) {
      const b = await signedInAs(gr, role, net.clock.now());
      expect((await b.go('/ui/peers')).status).toBe(403);
      expect((await b.go('/ui/peers/invitations')).status).toBe(403);
      const suspend = await b.submit('/ui/peers/suspend', { id: at.id });
      expect(suspend.status).toBe(403);
    }
    const after = await changes(gr);
    // Signing in is in the audit log and makes users; nothing about peers changed.
    for (const table of ['peers', 'peer_alerts', 'invitations']) expect(after[table]).toEqual(before[table]);
  });
});
