// The audit pages: after a referral between two nodes, an auditor reads the log with filters,
// sees the checkpoints and who cosigned them, verifies the log (intact, then tampered), exports
// the bundle and verifies another node's bundle; a caseworker is refused all of it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leafHash } from '../../node/audit-log/merkle.js';
import { verifyAuditBundle } from '../../node/audit-log/verify.js';
import { checkpointRound } from '../../node/audit-log/witness-client.js';
import { witnessedLogs } from '../../node/audit-log/witnessed.js';
import { b64u, utf8 } from '../../node/crypto/encoding.js';
import { appendEvents } from '../audit-log/_log-helpers.js';
import { api, createTestNetwork, sentReferral, snapshot, type TestNetwork, type TestNode } from '../_util/test-node.js';
import { signedInAs, textOf, tokenIn, type UiBrowser } from '../_util/ui-browser.js';
import { changeRole, createUser } from '../../node/users/service.js';
import { catalogues } from '../../admin-ui/i18n/catalogue.js';
import { readEntry, specifics } from '../../admin-ui/pages/audit/describe.js';

let net: TestNetwork;
let gr: TestNode;
let at: TestNode;
let auditor: UiBrowser;
let referralId: string;
let consentId: string;

beforeAll(async () => {
  net = await createTestNetwork(2);
  [gr, at] = net.nodes as [TestNode, TestNode];
  ({ referralId, consentId } = await sentReferral(net, gr, at));
  auditor = await signedInAs(gr, 'auditor', net.clock.now());
  // Checkpoints signed and cosigned both ways, as the checkpoint timer does.
  for (let round = 0; round < 2; round++) for (const node of [gr, at]) await checkpointRound(node.ctx);
});
afterAll(() => net.close());

/** A multipart form post (as a browser sends a file upload), with the cookies of `b`. */
async function postMultipart(b: UiBrowser, node: TestNode, path: string, fields: Record<string, string | File>): Promise<Response> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  const cookie = b.cookie();
  return node.app.fetch(new Request(`${node.id}${path}`, { method: 'POST', headers: { cookie }, body: form, redirect: 'manual' }));
}

/** The text of a page's tables only (not the filter form's list of types). */
const tablesOf = (html: string): string => textOf((html.match(/<tbody>[\s\S]*?<\/tbody>/g) ?? []).join(' '));

const verifyOwn = async (b: UiBrowser, fields: Record<string, string> = {}) => {
  const response = await b.submit('/ui/audit/verify', fields, '/ui/audit/verify');
  return { status: response.status, text: textOf(await response.text()) };
};

describe('the audit log page', () => {
  it("names the new role of a role change in the reader's language, as for a new account", async () => {
    const { db } = gr.ctx.database;
    await createUser(gr.ctx.database, { username: 'role.test', role: 'caseworker' }, net.clock.now());
    const user = await db.selectFrom('users').select('id').where('username', '=', 'role.test').executeTakeFirstOrThrow();
    expect(await changeRole(gr.ctx.database, user.id, 'auditor', net.clock.now(), { kind: 'system', id: 'command-line' })).toBe('changed');
    const text = tablesOf(await auditor.html('/ui/audit?type=user.role-changed'));
    expect(text).toContain('Role changed');
    expect(text).toContain('Role: Auditor.');
    expect(text).not.toContain('role auditor');
    const [row] = await db.selectFrom('audit_log').select(['idx', 'at', 'type', 'entry']).where('type', '=', 'user.role-changed').execute();
    const entry = readEntry({ index: row!.idx, at: row!.at, type: row!.type, entry: row!.entry });
    if (!entry.readable) throw new Error('unreadable');
    expect(specifics(catalogues.de, 'de', entry)).toBe('Rolle: Prüfung.');
  });

  it('lists the entries newest first, each with its index, time, plain description, actor and ids, and no personal data', async () => {
    const response = await auditor.go('/ui/audit');
    expect(response.status).toBe(200);
    const html = await response.text();
    const text = tablesOf(html);
    expect(text).toContain('Personal data sent to an organisation');
    expect(text).toContain('Categories of data: Identity, Situation.');
    expect(text).toContain('Consent recorded');
    expect(text).toContain('Referral step');
    expect(text).toContain('The referral with its data. (A referral we sent.) State: new → Sent.');
    // A referral by what it is, with its id beside; an organisation by its name and country.
    expect(text).toContain(`Referral Referral to Test organisation AT (Austria) ${referralId}`);
    expect(text).toContain(`Organisation Test organisation AT (Austria) ${at.id}`);
    expect(text).toContain('Node set up');
    // Newest first: the auditor's own sign-in comes before the node's first entry.
    expect(text.indexOf('Signed in')).toBeLessThan(text.indexOf('Node set up'));
    for (const personal of ['Amal', 'pastry', 'shelter']) expect(html).not.toContain(personal);
  });

  it('names people by their display name and never by an id, and says which referral a user opened (issue 18 item 7)', async () => {
    const { database } = gr.ctx;
    const { user } = await createUser(database, { username: 'elena.k', role: 'caseworker', displayName: 'Elena Kostopoulou' }, net.clock.now());
    const caseworker = await signedInAs(gr, 'caseworker', net.clock.now(), 'nikos.p');
    // A received referral opened by a caseworker at Austria: its entry says which one.
    const atCaseworker = await signedInAs(at, 'caseworker', net.clock.now(), 'lisa.w');
    expect((await atCaseworker.go(`/ui/referrals/${referralId}`)).status).toBe(200);
    const atAuditor = await signedInAs(at, 'auditor', net.clock.now());
    const opened = tablesOf(await atAuditor.html('/ui/audit?type=referral.opened'));
    expect(opened).toContain('A referral\'s personal data shown to a user');
    expect(opened).toContain('Referral from Test organisation GR (Greece)');
    expect(opened).toContain('lisa.w');
    // A consent received with a referral: obtained by a caseworker of the sender, whom this node does not know by name.
    const received = tablesOf(await atAuditor.html('/ui/audit?type=consent.recorded'));
    expect(received).toContain('Consent obtained by A caseworker at Test organisation GR (Greece)');
    for (const { id } of await database.db.selectFrom('users').select('id').execute()) expect(received).not.toContain(id);

    // Made by the CLI with a display name, then by the user herself: the page says her name.
    const named = await caseworker.submit('/ui/settings/name', { display_name: '  Nikos   Papadakis ' }, '/ui/settings');
    expect(named.status).toBe(303);
    const page = await auditor.html('/ui/audit?type=user.display-name-changed');
    expect(tablesOf(page)).toContain('Display name changed');
    expect(tablesOf(page)).toContain('Nikos Papadakis');
    // Never the name in the log itself.
    const rows = await database.db.selectFrom('audit_log').select('entry').execute();
    for (const name of ['Nikos Papadakis', 'Elena Kostopoulou']) expect(rows.some((r) => r.entry.includes(name))).toBe(false);

    const everything = await auditor.html('/ui/audit?type=user.created');
    expect(tablesOf(everything)).toContain('Elena Kostopoulou');
    expect(tablesOf(everything)).not.toContain(user.id);
    // No user's id anywhere a person is named: every user id of the node is absent from the tables.
    const ids = (await database.db.selectFrom('users').select('id').execute()).map((u) => u.id);
    const all = tablesOf(await auditor.html('/ui/audit'));
    for (const id of ids) expect(all).not.toContain(id);

    // The filter offers users and organisations by name, and filters by the one chosen.
    const filterForm = /<select id="audit-actor"[\s\S]*?<\/select>/.exec(page)?.[0] ?? '';
    // With the user name beside: anyone may choose any display name, the log must say who acted beyond doubt.
    expect(filterForm).toContain(`<option value="${user.id}">Elena Kostopoulou (elena.k)</option>`);
    expect(filterForm).toContain(`<option value="${at.id}">Test organisation AT (Austria)</option>`);
    const nikos = await database.db.selectFrom('users').select('id').where('username', '=', 'nikos.p').executeTakeFirstOrThrow();
    const byNikos = await auditor.html(`/ui/audit?actor=${nikos.id}`);
    expect(tablesOf(byNikos)).toContain('Display name changed');
    expect(tablesOf(byNikos)).not.toContain('Node set up');
    expect(byNikos).toContain(`<option value="${nikos.id}" selected="">Nikos Papadakis (nikos.p)</option>`);
  });

  it('filters by type, id, actor and days, and says plainly what is wrong with a filter', async () => {
    const disclosed = tablesOf(await auditor.html('/ui/audit?type=data.disclosed'));
    expect(disclosed).toContain('Personal data sent to an organisation');
    expect(disclosed).not.toContain('Node set up');
    expect(disclosed.match(/Categories of data/g)).toHaveLength(1);

    const byConsent = tablesOf(await auditor.html(`/ui/audit?id=${consentId}`));
    expect(byConsent).toContain('Consent recorded');
    expect(byConsent).toContain('Personal data sent to an organisation');
    expect(byConsent).not.toContain('Signed in');

    const byPeer = tablesOf(await auditor.html(`/ui/audit?actor=${encodeURIComponent(at.id)}`));
    expect(byPeer).toContain('The referral reached the other organisation.');
    expect(byPeer).not.toContain('Consent recorded');

    const today = net.clock.now().toISOString().slice(0, 10);
    expect(tablesOf(await auditor.html(`/ui/audit?from=${today}&to=${today}&type=consent.recorded`))).toContain('Consent recorded');
    expect(textOf(await auditor.html('/ui/audit?from=2001-01-01&to=2001-01-02'))).toContain('No entry matches these filters.');

    const bad = await auditor.go('/ui/audit?from=yesterday&type=nonsense');
    expect(bad.status).toBe(400);
    const said = textOf(await bad.text());
    expect(said).toContain('“From (day)” is not a valid day.');
    expect(said).toContain('Please choose a type of event from the list.');
  });

  it('pages through a long log, newest first', async () => {
    await appendEvents(gr, 60);
    const first = await auditor.html('/ui/audit?type=user.created');
    const older = /href="(\/ui\/audit\?type=user\.created&amp;before=\d+)"/.exec(first)?.[1];
    expect(older).toBeDefined();
    expect(tablesOf(first).match(/User account created/g)).toHaveLength(50);
    const second = textOf(await auditor.html(older!.replace(/&amp;/g, '&')));
    expect(second).toContain('User account created');
    expect(second).toContain('Newest entries');
    expect((await auditor.go('/ui/audit?before=-1')).status).toBe(400);
  });
});

describe('checkpoints and cosignatures', () => {
  it('shows the signed tree heads, which witness cosigned each and when, and that the recent ones are all cosigned', async () => {
    await checkpointRound(gr.ctx);
    const text = textOf(await auditor.html('/ui/audit/checkpoints'));
    expect(text).toMatch(/All \d+ checkpoints shown are cosigned by at least one witness\./);
    expect(text).toContain(at.id);
    expect(text).toMatch(/cosigned \w{3} \d{1,2}, \d{4}/);
    expect(text).toContain('the first');
  });

  it('says so when the latest checkpoint is not cosigned yet', async () => {
    net.unreachable.add(at.id);
    await appendEvents(gr, 1);
    await checkpointRound(gr.ctx);
    net.unreachable.delete(at.id);
    const text = textOf(await auditor.html('/ui/audit/checkpoints'));
    expect(text).toMatch(/1 of the \d+ checkpoints shown have no cosignature yet/);
    expect(text).toContain('Not cosigned yet');
    await checkpointRound(gr.ctx);
    expect(textOf(await auditor.html('/ui/audit/checkpoints'))).toMatch(/All \d+ checkpoints shown are cosigned/);
  });

  it("shows what this node witnessed of each peer's log, and a contradiction it found, as the local API gives it", async () => {
    const witnessed = await witnessedLogs(gr.ctx.database.db);
    const [atLog] = witnessed.logs;
    expect(atLog?.peer_id).toBe(at.id);
    expect((await api(gr, 'GET', '/api/v1/audit/witness')).body).toEqual(witnessed);
    const section = () => auditor.html('/ui/audit/checkpoints').then((html) => textOf(/<section aria-labelledby="witnessed">.*?<\/section>/s.exec(html)![0]));
    const before = await section();
    expect(before).toContain('Test organisation AT');
    expect(before).toContain(`the first ${atLog!.checkpoint.size} entries`);
    expect(before).toContain('None found');

    const held = { size: atLog!.checkpoint.size, root_hash: atLog!.checkpoint.root_hash, note: atLog!.checkpoint.note };
    await gr.ctx.database.db
      .insertInto('witness_inconsistencies')
      .values({
        peer_id: at.id, kind: 'consistency-proof-failed', held_size: held.size, held_root_hash: held.root_hash, held_note: held.note,
        submitted_size: held.size + 5, submitted_root_hash: held.root_hash, submitted_note: held.note, proof: '', detected_at: net.clock.now().toISOString(),
      })
      .execute();
    const after = await section();
    expect(after).toContain('Contradiction found');
    expect(after).toContain(`the checkpoint with ${held.size + 5} entries does not continue the one with ${held.size} entries.`);
    expect(after).toContain('Tell its administrator.');
    expect((await api(gr, 'GET', '/api/v1/audit/witness')).body.inconsistencies).toHaveLength(1);
    await gr.ctx.database.db.deleteFrom('witness_inconsistencies').execute();
  });
});

describe('verification', () => {
  it('verifies an intact log and says what it checked', async () => {
    const { status, text } = await verifyOwn(auditor);
    expect(status).toBe(200);
    expect(text).toContain('Verified: the log is intact and every rule holds.');
    expect(text).toContain(gr.id);
    expect(text).toContain('Hash chain and tree');
    expect(text).toContain('Consent for every disclosure');
    expect(text).toMatch(/1 disclosures of personal data checked against their consents/);
    expect(text).toContain(at.id);
    expect(text).not.toContain('Problems:');
  });

  it('says "not yet witnessed", not "not verified", while no witness has cosigned the latest checkpoint', async () => {
    await appendEvents(gr, 2);
    net.unreachable.add(at.id);
    try {
      await checkpointRound(gr.ctx);
      const { status, text } = await verifyOwn(auditor);
      expect(status).toBe(200);
      expect(text).toContain('Not yet witnessed: nothing is wrong, but no witness vouches for the latest state of the log yet.');
      expect(text).toContain('The latest checkpoint has no cosignature yet.');
      expect(text).toContain('verify again in a few minutes');
      expect(text).not.toContain('Not verified');
      expect(text).not.toContain('Verified: the log is intact');
    } finally {
      net.unreachable.delete(at.id);
    }
    await checkpointRound(gr.ctx);
    expect((await verifyOwn(auditor)).text).toContain('Verified: the log is intact and every rule holds.');
  });

  it('refuses a grace period that is not a whole number, and changes nothing', async () => {
    const before = await snapshot(gr);
    const { status, text } = await verifyOwn(auditor, { erasure_grace_days: 'soon' });
    expect(status).toBe(422);
    expect(text).toContain('The days must be a whole number, 0 or more.');
    const after = await snapshot(gr);
    delete before.ui_sessions;
    delete after.ui_sessions;
    expect(after).toEqual(before);
  });
});

describe('export and verifying another node\'s log', () => {
  let bundleText: string;

  it('downloads the audit bundle with a file name, and the verifier accepts it', async () => {
    const response = await auditor.go('/ui/audit/export');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="audit-bundle-node-gr-0\.test-\d{4}-\d{2}-\d{2}\.json"$/);
    bundleText = await response.text();
    const report = await verifyAuditBundle(JSON.parse(bundleText), { now: net.clock.now() });
    expect(report).toMatchObject({ ok: true, node_id: gr.id });
  });

  it('lets the auditor of the other node verify the uploaded bundle (the form read twice: CSRF check, then the file)', async () => {
    const other = await signedInAs(at, 'auditor', net.clock.now());
    const csrf = tokenIn(await other.html('/ui/audit/verify'));
    const response = await postMultipart(other, at, '/ui/audit/verify-bundle', {
      _csrf: csrf,
      bundle: new File([bundleText], 'bundle.json', { type: 'application/json' }),
      fingerprint: '',
    });
    expect(response.status).toBe(200);
    const text = textOf(await response.text());
    expect(text).toContain('Verified: the log is intact and every rule holds.');
    expect(text).toContain(`Log of the node ${gr.id}`);

    const pasted = await other.submit('/ui/audit/verify-bundle', { bundle_text: bundleText, fingerprint: 'AAAA-BBBB-CCCC-DDDD' }, '/ui/audit/verify');
    const wrongKey = textOf(await pasted.text());
    expect(wrongKey).toContain('Not verified: problems were found.');
    expect(wrongKey).toContain('The node’s identity or signing key is not as expected.');
    expect(wrongKey).toContain('not AAAA-BBBB-CCCC-DDDD as expected');

    const forged = await postMultipart(other, at, '/ui/audit/verify-bundle', { _csrf: 'forged', bundle: new File([bundleText], 'b.json') });
    expect(forged.status).toBe(403);
    const empty = await other.submit('/ui/audit/verify-bundle', {}, '/ui/audit/verify');
    expect(empty.status).toBe(422);
    expect(textOf(await empty.text())).toContain('Please choose a bundle file or paste the bundle’s text.');
    const notJson = await other.submit('/ui/audit/verify-bundle', { bundle_text: 'hello' }, '/ui/audit/verify');
    expect(textOf(await notJson.text())).toContain('This is not an audit bundle: it is not JSON.');
  });
});

describe('who may audit', () => {
  it('refuses a caseworker every audit page and action', async () => {
    const caseworker = await signedInAs(gr, 'caseworker', net.clock.now());
    for (const path of ['/ui/audit', '/ui/audit/checkpoints', '/ui/audit/verify', '/ui/audit/export']) {
      const response = await caseworker.go(path);
      expect(response.status, path).toBe(403);
      expect(await response.text()).not.toContain('refnet-audit-bundle');
    }
    expect((await caseworker.submit('/ui/audit/verify', {})).status).toBe(403);
    expect((await caseworker.submit('/ui/audit/verify-bundle', { bundle_text: '{}' })).status).toBe(403);
  });

  it('lets an administrator in too', async () => {
    const admin = await signedInAs(gr, 'admin', net.clock.now());
    expect((await admin.go('/ui/audit')).status).toBe(200);
    expect((await verifyOwn(admin)).text).toContain('Verified');
  });
});

describe('a tampered log', () => {
  it('fails verification, saying in plain words what is wrong', async () => {
    await gr.ctx.database.transaction(async (tx) => {
      const row = await tx.selectFrom('audit_log').selectAll().where('type', '=', 'data.disclosed').executeTakeFirstOrThrow();
      const entry = row.entry.replace('"categories":["identity","situation"]', '"categories":["situation"]');
      expect(entry).not.toBe(row.entry);
      await tx.updateTable('audit_log').set({ entry, leaf_hash: b64u.encode(leafHash(utf8.encode(entry))) }).where('idx', '=', row.idx).execute();
    });
    const { status, text } = await verifyOwn(auditor);
    expect(status).toBe(200);
    expect(text).toContain('Not verified: problems were found.');
    expect(text).toMatch(/Checkpoint \d+ does not match the entries: an entry was changed, removed or reordered after it was signed\./);
    expect(text).toMatch(/Problems: \d+/);
  });
});
