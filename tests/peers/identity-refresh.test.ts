// Refreshing a trusted peer's identity document: conditional requests, changes accepted only when
// signed with the pinned key, and an alert (with the document as evidence) for anything else.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptedMessageTypes } from '../../node/envelope/message-types.js';
import { signIdentityDocument } from '../../node/identity/document.js';
import { generateEncryptionKey, generateSigningKey, type SigningKey } from '../../node/identity/keys.js';
import { refreshPeerIdentities, refreshPeerIdentity } from '../../node/peers/refresh.js';
import { MAX_DOCUMENT_BYTES } from '../../node/peers/identity-response.js';
import { nowSeconds } from '../../node/context.js';
import { api, createTestNetwork, type TestNetwork, type TestNode } from '../_util/test-node.js';

let net: TestNetwork;
let gr: TestNode;
let at: TestNode;

beforeAll(async () => {
  net = await createTestNetwork(2);
  [gr, at] = net.nodes as [TestNode, TestNode];
});
afterAll(() => net.close());

const HOUR = 60 * 60_000;
const peerRow = () => gr.ctx.database.db.selectFrom('peers').selectAll().where('id', '=', at.id).executeTakeFirstOrThrow();
const refresh = async (force = true) => refreshPeerIdentity(gr.ctx, await peerRow(), { force });

/** Serves, in place of AT, an identity document for AT signed with `signingKey`. */
async function serveAsAt(signingKey: SigningKey, encryptionKey = at.ctx.self.encryptionKey.publicJwk, name = 'Wien Frauenberatung (neu)'): Promise<string> {
  const jws = await signIdentityDocument(
    { nodeId: at.id, name, country: 'AT', languages: ['de', 'en'], messageTypes: acceptedMessageTypes(), signingKey, encryptionKeys: [encryptionKey] },
    nowSeconds(net.clock),
  );
  net.intercept = (url) => (url.href.startsWith(`${at.id}/.well-known/`) ? new Response(jws, { headers: { 'content-type': 'application/jwt' } }) : undefined);
  return jws;
}

describe('refreshing a trusted peer\'s identity document', () => {
  it('waits until the copy held is half way through its lifetime, then asks with If-None-Match', async () => {
    expect((await refreshPeerIdentities(gr.ctx)).get(at.id)).toBe('not-due');
    net.clock.advance(13 * HOUR);
    // AT re-signs its document (half its lifetime has passed): a new one comes.
    expect((await refreshPeerIdentities(gr.ctx)).get(at.id)).toBe('updated');
    expect((await peerRow()).identity_etag).toMatch(/^".+"$/);
    // Asked again at once: unchanged, answered 304.
    expect(await refresh()).toBe('unchanged');
  });

  it('accepts a new encryption key in a document signed with the pinned key, and logs it', async () => {
    const fresh = await generateEncryptionKey();
    await serveAsAt(at.ctx.self.signingKey, fresh.publicJwk);
    expect(await refresh()).toBe('updated');
    const row = await peerRow();
    expect([row.encryption_kid, row.name]).toEqual([fresh.kid, 'Wien Frauenberatung (neu)']);
    const entry = await gr.ctx.database.db.selectFrom('audit_log').select('entry').where('type', '=', 'peer.identity-updated').executeTakeFirstOrThrow();
    expect(JSON.parse(entry.entry)).toMatchObject({ peer_id: at.id, encryption_kid: fresh.kid });
    // Back to AT's real key, for the other tests.
    await serveAsAt(at.ctx.self.signingKey);
    expect(await refresh()).toBe('updated');
    net.intercept = undefined;
  });

  it('does not accept another signing key: the peer is unchanged and the administrator alerted, once', async () => {
    const before = await peerRow();
    const { key } = await generateSigningKey();
    const evidence = await serveAsAt(key);
    expect(await refresh()).toBe('alert');
    expect(await refresh()).toBe('alert');
    const after = await peerRow();
    expect({ ...after, identity_checked_at: null }).toEqual({ ...before, identity_checked_at: null });

    const { status, body } = await api(gr, 'GET', '/api/v1/peers/alerts');
    expect(status).toBe(200);
    expect(body.items).toEqual([expect.objectContaining({ peer_id: at.id, kind: 'signing-key-changed', evidence })]);
    expect(body.items[0].detail).toMatch(/another signing key/);
    expect(gr.logs()).toMatch(/peer identity document not accepted/);
    net.intercept = undefined;

    const resolved = await api(gr, 'POST', '/api/v1/peers/alerts/resolve', { id: body.items[0].id });
    expect(resolved.body.items[0].resolved_at).toBe(net.clock.now().toISOString());
    expect((await api(gr, 'POST', '/api/v1/peers/alerts/resolve', { id: body.items[0].id })).status).toBe(404);
    // Resolved once, in the audit log by the administrator who did it.
    const admin = await gr.ctx.database.db.selectFrom('users').select('id').where('username', '=', 'admin').executeTakeFirstOrThrow();
    const entries = await gr.ctx.database.db.selectFrom('audit_log').select('entry').where('type', '=', 'peer.alert-resolved').execute();
    expect(entries.map((e) => JSON.parse(e.entry))).toEqual([
      expect.objectContaining({ actor: { kind: 'user', id: admin.id }, peer_id: at.id, kind: 'signing-key-changed' }),
    ]);
  });

  it('raises an alert for a document that does not verify', async () => {
    net.intercept = (url) => (url.href.startsWith(`${at.id}/.well-known/`) ? new Response('not.a.document', { headers: { 'content-type': 'application/jwt' } }) : undefined);
    expect(await refresh()).toBe('alert');
    net.intercept = undefined;
    const { body } = await api(gr, 'GET', '/api/v1/peers/alerts');
    expect(body.items[0]).toMatchObject({ kind: 'invalid-identity-document', peer_id: at.id });
    const types = (await gr.ctx.database.db.selectFrom('audit_log').select('entry').where('type', '=', 'peer.alert').execute()).map((r) => JSON.parse(r.entry).kind);
    expect(types).toEqual(['signing-key-changed', 'invalid-identity-document']);
  });

  it('keeps the newer document when an older one is served again, and refuses an oversized one unread', async () => {
    const older = await serveAsAt(at.ctx.self.signingKey, at.ctx.self.encryptionKey.publicJwk, 'An old name');
    net.intercept = undefined;
    net.clock.advance(13 * HOUR);
    expect(await refresh()).toBe('updated');
    const before = await peerRow();
    net.intercept = (url) => (url.href.startsWith(`${at.id}/.well-known/`) ? new Response(older, { headers: { 'content-type': 'application/jwt' } }) : undefined);
    expect(await refresh()).toBe('unchanged');
    expect((await peerRow()).name).toBe(before.name);

    net.intercept = (url) => (url.href.startsWith(`${at.id}/.well-known/`) ? new Response('x'.repeat(MAX_DOCUMENT_BYTES + 1), { headers: { 'content-type': 'application/jwt' } }) : undefined);
    expect(await refresh()).toBe('alert');
    net.intercept = undefined;
    const { body } = await api(gr, 'GET', '/api/v1/peers/alerts');
    expect(body.items[0]).toMatchObject({ kind: 'invalid-identity-document' });
    expect(body.items[0].evidence).toBeUndefined();
    expect(body.items[0].detail).toMatch(new RegExp(`larger than ${MAX_DOCUMENT_BYTES} bytes`));
  });

  it('is tried again later when the peer is down, with nothing changed', async () => {
    net.unreachable.add(at.id);
    const before = await peerRow();
    expect(await refresh()).toBe('unreachable');
    expect(await peerRow()).toEqual(before);
    net.unreachable.delete(at.id);
  });
});
