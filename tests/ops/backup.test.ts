// `referral-node backup` and the restore the README describes: a node with referrals is backed up
// while it is open (its latest writes still in SQLite's write-ahead log), the file is put as
// node.sqlite in an empty data folder with the same KEK, and the node opened there holds the same
// referrals and an audit log that verifies. On PostgreSQL the command refuses, naming pg_dump
// without the password.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportAuditBundle } from '../../node/audit-log/bundle.js';
import { verifyAuditBundle } from '../../node/audit-log/verify.js';
import { resolveConfig } from '../../node/config/config.js';
import { openNode } from '../../node/node.js';
import { createApiToken } from '../../node/users/service.js';
import { cliResult } from '../_util/cli.js';
import { onPostgres } from '../_util/database.js';
import { api, createTestNetwork, sentReferral, type TestNetwork, type TestNode } from '../_util/test-node.js';

const scratch = mkdtempSync(join(tmpdir(), 'refnet-backup-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.skipIf(onPostgres)('backup of a SQLite node, and its restore', () => {
  let net: TestNetwork;
  let gr: TestNode;
  let at: TestNode;
  const backupFile = join(scratch, 'gr.sqlite');

  beforeAll(async () => {
    net = await createTestNetwork(2);
    [gr, at] = net.nodes as [TestNode, TestNode];
    const { referralId } = await sentReferral(net, gr, at);
    expect((await api(at, 'POST', `/api/v1/referrals/${referralId}/accept`, {})).status).toBe(200);
    await net.settle();
    await sentReferral(net, gr, at);
  });
  afterAll(() => net.close());

  it('copies the open node to a new private file, and says the KEK is not in it', async () => {
    expect(existsSync(join(gr.dataDir, 'node.sqlite-wal')), 'the latest writes are still in the write-ahead log').toBe(true);
    const { out, error } = await cliResult('backup', '--data', gr.dataDir, '--to', backupFile);
    expect(error).toBeUndefined();
    expect(out).toContain(`to ${backupFile}`);
    expect(out).toMatch(/key-encryption key .* is not in the backup/);
    expect(statSync(backupFile).mode & 0o777).toBe(0o600);
  });

  it('never overwrites a file', async () => {
    const existing = join(scratch, 'existing.sqlite');
    writeFileSync(existing, 'keep me');
    const { error } = await cliResult('backup', '--data', gr.dataDir, '--to', existing);
    expect(error?.message).toMatch(/exists already/);
    expect(statSync(existing).size).toBe('keep me'.length);
  });

  it('restored into an empty data folder with the same KEK, holds the same referrals and a log that verifies', async () => {
    const restoredDir = join(scratch, 'restored');
    mkdirSync(restoredDir, { mode: 0o700 });
    copyFileSync(backupFile, join(restoredDir, 'node.sqlite'));
    copyFileSync(join(gr.dataDir, 'kek.key'), join(restoredDir, 'kek.key'));
    const restored = await openNode({ ...resolveConfig({ data: restoredDir }, {}), kekFromEnv: undefined, logLevel: 'silent' });
    try {
      expect(restored.ctx.self.nodeId).toBe(gr.id);
      const token = await createApiToken(restored.ctx.database, 'admin', 'restore check', new Date());
      const response = await restored.app.fetch(new Request(`${gr.id}/api/v1/referrals`, { headers: { authorization: `Bearer ${token}` } }));
      const listed = (await response.json()) as { items: Array<{ id: string; state: string }> };
      const original = (await api(gr, 'GET', '/api/v1/referrals')).body as { items: Array<{ id: string; state: string }> };
      const summary = (items: Array<{ id: string; state: string }>) => items.map((r) => `${r.id} ${r.state}`).sort();
      expect(original.items).toHaveLength(2);
      expect(summary(listed.items)).toEqual(summary(original.items));
      const report = await verifyAuditBundle(await exportAuditBundle(restored.ctx), { now: new Date() });
      expect(report.ok).toBe(true);
      expect((await restored.app.fetch(new Request(`${gr.id}/readyz`))).status).toBe(200);
    } finally {
      await restored.close();
    }
  });
});

describe('backup of a PostgreSQL node', () => {
  it('refuses, giving the pg_dump command without the password', async () => {
    const dataDir = join(scratch, 'pg-node');
    mkdirSync(dataDir);
    writeFileSync(join(dataDir, 'database-url'), 'postgresql://refnet:s3cret-pw@db.example:5432/refnet?sslmode=require&password=other-pw\n');
    const { error } = await cliResult('backup', '--data', dataDir, '--to', join(scratch, 'pg.dump'));
    expect(error?.message).toContain('pg_dump --format=custom');
    expect(error?.message).toContain('postgresql://refnet@db.example:5432/refnet?sslmode=require');
    expect(error?.message).not.toMatch(/s3cret|other-pw/);
    expect(existsSync(join(scratch, 'pg.dump'))).toBe(false);
  });
});
