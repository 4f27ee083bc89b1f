// What the peers pages and the local API read about a peer, from node/peers: its last contact
// and delivery problems, its alerts (the same ones in both), resolved once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { peerAlerts, resolvePeerAlert } from '../../node/peers/alerts.js';
import { peerRecord, peerSummaries } from '../../node/peers/records.js';
import { api, createTestNetwork, referralRequest, type TestNetwork, type TestNode } from '../_util/test-node.js';

let net: TestNetwork;
let gr: TestNode;
let at: TestNode;

beforeAll(async () => {
  net = await createTestNetwork(2);
  [gr, at] = net.nodes as [TestNode, TestNode];
});
afterAll(() => net.close());

describe("a peer's record", () => {
  it('says when a message was last delivered to it, and that none failed', async () => {
    expect((await api(gr, 'POST', '/api/v1/referrals', referralRequest(at.id))).status).toBe(201);
    await net.settle();
    const record = await peerRecord(gr.ctx.database.db, at.id);
    expect(record).toMatchObject({ id: at.id, state: 'trusted', failed: 0, retrying: 0, openAlerts: 0, keys: [], alerts: [] });
    expect(record?.lastDelivered).toBeDefined();
    expect(record?.lastContact).toBe(record?.lastDelivered);
    expect((await peerSummaries(gr.ctx.database.db)).map((p) => p.id)).toEqual([at.id]);
    expect(await peerRecord(gr.ctx.database.db, 'https://unknown.example.org')).toBeUndefined();
  });

  it('lists the alerts the local API lists, and resolves one once', async () => {
    const { db } = gr.ctx.database;
    await db
      .insertInto('peer_alerts')
      .values({ peer_id: at.id, kind: 'invalid-identity-document', detail: 'not valid', evidence: 'x.y.z', evidence_digest: null, detected_at: net.clock.now().toISOString(), resolved_at: null })
      .execute();
    const [alert] = await peerAlerts(db, { openOnly: true });
    expect(alert).toMatchObject({ peerId: at.id, peerName: 'Test organisation AT', kind: 'invalid-identity-document', evidence: 'x.y.z' });
    expect((await api(gr, 'GET', '/api/v1/peers/alerts')).body.items).toEqual([expect.objectContaining({ id: alert!.id, evidence: 'x.y.z' })]);

    const admin = { kind: 'user' as const, id: 'someone' };
    expect(await resolvePeerAlert(gr.ctx.database, alert!.id, net.clock.now(), admin)).toEqual({ peerId: at.id, kind: 'invalid-identity-document' });
    expect(await resolvePeerAlert(gr.ctx.database, alert!.id, net.clock.now(), admin)).toBeUndefined();
    expect(await peerAlerts(db, { openOnly: true })).toEqual([]);
    expect((await peerRecord(db, at.id))?.alerts.map((a) => a.resolvedAt)).toEqual([net.clock.now().toISOString()]);
    expect(await db.selectFrom('audit_log').select('type').where('type', '=', 'peer.alert-resolved').execute()).toHaveLength(1);
  });
});
