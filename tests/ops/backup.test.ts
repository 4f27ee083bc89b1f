// `referral-node backup` and the restore the README describes. The backup is the database copy
// and, beside it, the keyring copy its data keys need (FILE.keyring): the union of the keyring
// read just before and just after the database copy, so that a key added or removed meanwhile is
// not missing. SQLite: a node with referrals is backed up while it is open (its latest writes
// still in the write-ahead log); node.sqlite, keyring and kek.key in an empty folder make the same
// node, whose referrals can be read, and without the keyring it refuses to start. PostgreSQL:
// the command runs pg_dump (the password in PGPASSWORD only), and pg_restore into a new database
// with the keyring and the KEK makes the same node. A failure leaves no file behind and never
// shows the password.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportAuditBundle } from '../../node/audit-log/bundle.js';
import { verifyAuditBundle } from '../../node/audit-log/verify.js';
import { resolveConfig } from '../../node/config/config.js';
import { randomBytes } from '../../node/crypto/aead.js';
import { kekFromBytes } from '../../node/crypto/kek.js';
import { copyKeyringAround, keyringKeysNeededByCopyText, keyringKeysNeededBySqlite } from '../../node/data-keys/keyring-backup.js';
import { createKeyringFile, openKeyring } from '../../node/data-keys/keyring.js';
import { dumpedTable, findPostgresTool } from '../../node/db/backup.js';
import { createDatabaseOn } from '../../node/demo/postgres-cluster.js';
import { openNode, type OpenNode } from '../../node/node.js';
import { createApiToken } from '../../node/users/service.js';
import { cliResult } from '../_util/cli.js';
import { onPostgres } from '../_util/database.js';
import { api, createTestNetwork, referralRequest, sentReferral, type TestNetwork, type TestNode } from '../_util/test-node.js';

const scratch = mkdtempSync(join(tmpdir(), 'refnet-backup-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

type Summary = { id: string; state: string };
const summary = (items: Summary[]) => items.map((r) => `${r.id} ${r.state}`).sort();

/** Opens the node restored in `dir` and checks it is `original`: same referrals, content readable, a log that verifies, ready. */
async function expectRestored(dir: string, original: TestNode, referralId: string): Promise<void> {
  const restored: OpenNode = await openNode({ ...resolveConfig({ data: dir }, {}), kekFromEnv: undefined, logLevel: 'silent' });
  try {
    expect(restored.ctx.self.nodeId).toBe(original.id);
    const token = await createApiToken(restored.ctx.database, 'admin', { label: 'restore check', days: restored.ctx.limits.apiTokenDays }, new Date());
    const get = async (path: string) => restored.app.fetch(new Request(`${original.id}${path}`, { headers: { authorization: `Bearer ${token}` } }));
    const listed = (await (await get('/api/v1/referrals')).json()) as { items: Summary[] };
    const before = (await api(original, 'GET', '/api/v1/referrals')).body as { items: Summary[] };
    expect(before.items).toHaveLength(2);
    expect(summary(listed.items)).toEqual(summary(before.items));
    const detail = await get(`/api/v1/referrals/${referralId}`);
    expect(detail.status).toBe(200);
    const { content } = (await detail.json()) as { content: { client: unknown } };
    expect(content.client, 'the personal data is readable: the keyring copy holds the keys it needs').toEqual(referralRequest(original.id).client);
    const report = await verifyAuditBundle(await exportAuditBundle(restored.ctx), { now: new Date() });
    // Nothing broken; whether it is witnessed yet depends on checkpoint rounds this test does not run.
    expect(report.status, JSON.stringify(report.integrity.findings)).not.toBe('failed');
    expect((await get('/readyz')).status).toBe(200);
  } finally {
    await restored.close();
  }
}

const mode = (file: string) => statSync(file).mode & 0o777;

/** The ids of the keys a keyring file holds. */
const keyIdsIn = (file: string) => (JSON.parse(readFileSync(file, 'utf8')) as { keys: Array<{ id: string }> }).keys.map((k) => k.id);

/** Two nodes, GR having sent AT two referrals, the first accepted: what each backup test copies. */
async function networkWithReferrals(): Promise<{ net: TestNetwork; gr: TestNode; at: TestNode; referralId: string }> {
  const net = await createTestNetwork(2);
  const [gr, at] = net.nodes as [TestNode, TestNode];
  const { referralId } = await sentReferral(net, gr, at);
  expect((await api(at, 'POST', `/api/v1/referrals/${referralId}/accept`, {})).status).toBe(200);
  await net.settle();
  await sentReferral(net, gr, at);
  return { net, gr, at, referralId };
}

describe.skipIf(onPostgres)('backup of a SQLite node, and its restore', () => {
  let net: TestNetwork;
  let gr: TestNode;
  let at: TestNode;
  let referralId: string;
  const backupFile = join(scratch, 'gr.sqlite');

  beforeAll(async () => {
    ({ net, gr, at, referralId } = await networkWithReferrals());
  });
  afterAll(() => net.close());

  it('copies the open node and its keyring to new private files, and says what to keep together and apart', async () => {
    expect(existsSync(join(gr.dataDir, 'node.sqlite-wal')), 'the latest writes are still in the write-ahead log').toBe(true);
    const { out, error } = await cliResult('backup', '--data', gr.dataDir, '--to', backupFile);
    expect(error).toBeUndefined();
    expect(out).toContain(`to ${backupFile}`);
    expect(out).toContain(`keyring to ${backupFile}.keyring`);
    expect(out).toMatch(/Keep the keyring copy with the database copy, and for as long as it, no longer/);
    expect(out).toMatch(/key-encryption key .* is not in the backup/);
    expect(mode(backupFile)).toBe(0o600);
    expect(mode(`${backupFile}.keyring`)).toBe(0o600);
    expect(readFileSync(`${backupFile}.keyring`, 'utf8')).toBe(readFileSync(join(gr.dataDir, 'keyring'), 'utf8'));
    const needed = keyringKeysNeededBySqlite(backupFile);
    expect(needed.length, 'the copy has data keys, each wrapped by a key of the keyring copy').toBeGreaterThan(0);
    expect(keyIdsIn(`${backupFile}.keyring`)).toEqual(expect.arrayContaining(needed));
  });

  it('never overwrites a file, the database copy or the keyring copy', async () => {
    const existing = join(scratch, 'existing.sqlite');
    writeFileSync(existing, 'keep me');
    const first = await cliResult('backup', '--data', gr.dataDir, '--to', existing);
    expect(first.error?.message).toMatch(/exists already/);
    expect(readFileSync(existing, 'utf8')).toBe('keep me');
    expect(existsSync(`${existing}.keyring`)).toBe(false);

    const other = join(scratch, 'other.sqlite');
    writeFileSync(`${other}.keyring`, 'keep me too');
    const second = await cliResult('backup', '--data', gr.dataDir, '--to', other);
    expect(second.error?.message).toMatch(/other\.sqlite\.keyring exists already/);
    expect(readFileSync(`${other}.keyring`, 'utf8')).toBe('keep me too');
    expect(existsSync(other)).toBe(false);
  });

  it('restored into an empty data folder with its keyring and the same KEK, holds the same readable referrals and a log that verifies', async () => {
    const restoredDir = join(scratch, 'restored');
    mkdirSync(restoredDir, { mode: 0o700 });
    copyFileSync(backupFile, join(restoredDir, 'node.sqlite'));
    copyFileSync(`${backupFile}.keyring`, join(restoredDir, 'keyring'));
    copyFileSync(join(gr.dataDir, 'kek.key'), join(restoredDir, 'kek.key'));
    await expectRestored(restoredDir, gr, referralId);
  });

  it('restored without its keyring, refuses to start', async () => {
    const restoredDir = join(scratch, 'restored-without-keyring');
    mkdirSync(restoredDir, { mode: 0o700 });
    copyFileSync(backupFile, join(restoredDir, 'node.sqlite'));
    copyFileSync(join(gr.dataDir, 'kek.key'), join(restoredDir, 'kek.key'));
    await expect(openNode({ ...resolveConfig({ data: restoredDir }, {}), kekFromEnv: undefined, logLevel: 'silent' })).rejects.toThrow(/No keyring/);
    expect(existsSync(join(restoredDir, 'keyring')), 'no empty keyring is made in its place').toBe(false);
  });

  it('fails, leaving no file behind, when the data folder has no keyring', async () => {
    const dir = join(scratch, 'no-keyring');
    mkdirSync(dir);
    copyFileSync(backupFile, join(dir, 'node.sqlite'));
    const to = join(scratch, 'no-keyring.sqlite');
    const { error } = await cliResult('backup', '--data', dir, '--to', to);
    expect(error?.message).toMatch(/^No keyring at /);
    expect(existsSync(to)).toBe(false);
    expect(existsSync(`${to}.keyring`)).toBe(false);
  });
});

describe('the keyring copy that goes with a database copy', () => {
  const folder = (name: string) => {
    const dir = join(scratch, name);
    mkdirSync(dir);
    return dir;
  };

  it('holds the keys of the keyring before and after the copy: one added meanwhile and one removed meanwhile', async () => {
    const dir = folder('union');
    const live = join(dir, 'keyring');
    const kek = kekFromBytes(await randomBytes(32));
    await createKeyringFile(live);
    const keyring = openKeyring(live, kek);
    const now = new Date();
    const kept = await keyring.add('2025-01', now);
    const removed = await keyring.add('2025-02', now);
    // destroy() wipes the key in memory: its bytes, kept to compare.
    const removedKey = Uint8Array.from(removed.key);
    let added: string | undefined;
    const copy = join(dir, 'copy.keyring');
    const result = await copyKeyringAround(live, copy, async () => {
      // What a shredding run does while the database is copied: a replacement in, the old key out.
      added = (await keyring.add('2025-02', now)).id;
      await keyring.destroy([removed.id]);
      return 'copied';
    });
    expect(result).toBe('copied');
    expect((await keyring.keys()).map((k) => k.id)).toEqual([kept.id, added]);
    expect(mode(copy)).toBe(0o600);
    const copied = openKeyring(copy, kek);
    expect(copied.id()).toBe(keyring.id());
    expect((await copied.keys()).map((k) => k.id)).toEqual([kept.id, removed.id, added]);
    expect((await copied.find(removed.id))?.key).toEqual(removedKey);
    expect((await copied.current('2025-02', now)).id, 'the replacement stays the month\'s current key').toBe(added);
  });

  it('is not kept when the keyring was replaced by another meanwhile, or lacks a key the copy needs, or the copy failed', async () => {
    const dir = folder('refusals');
    const live = join(dir, 'keyring');
    await createKeyringFile(live);
    const copy = join(dir, 'copy.keyring');

    await expect(
      copyKeyringAround(live, copy, async () => {
        await createKeyringFile(join(dir, 'another'));
        renameSync(join(dir, 'another'), live);
      }),
    ).rejects.toThrow(/replaced by another keyring while the database was copied/);
    expect(existsSync(copy)).toBe(false);

    await expect(copyKeyringAround(live, copy, async () => 'copied', { needs: () => ['2025-03.gone'] })).rejects.toThrow(/held neither before nor after/);
    expect(existsSync(copy)).toBe(false);

    await expect(copyKeyringAround(live, copy, async () => Promise.reject(new Error('the copy failed')))).rejects.toThrow('the copy failed');
    expect(existsSync(copy)).toBe(false);

    writeFileSync(copy, 'keep me');
    let ran = false;
    await expect(copyKeyringAround(live, copy, async () => (ran = true))).rejects.toThrow(/exists already/);
    expect(ran, 'nothing is copied when the keyring copy cannot be written').toBe(false);
    expect(readFileSync(copy, 'utf8')).toBe('keep me');
  });
});

describe('backup of a PostgreSQL node that cannot be backed up', () => {
  const PASSWORD_URL = 'postgresql://refnet:s3cret-pw@db.example:5432/refnet?sslmode=require&password=other-pw';
  const pgNode = async (name: string, url: string) => {
    const dataDir = join(scratch, name);
    mkdirSync(dataDir);
    writeFileSync(join(dataDir, 'database-url'), `${url}\n`);
    await createKeyringFile(join(dataDir, 'keyring'));
    return dataDir;
  };

  it('without pg_dump, says to install the client tools or pass --pg-dump, and gives the command without the password', async () => {
    const dataDir = await pgNode('pg-node', PASSWORD_URL);
    const to = join(scratch, 'pg.dump');
    const { error } = await cliResult('backup', '--data', dataDir, '--to', to, '--pg-dump', '/nonexistent/pg_dump');
    expect(error?.message).toMatch(/There is no pg_dump program at \/nonexistent\/pg_dump/);
    expect(error?.message).toMatch(/Install the PostgreSQL client tools, of the same major version as the database server or newer.*--pg-dump/);
    expect(error?.message).toContain('pg_dump --format=custom --no-owner');
    expect(error?.message).toContain('postgresql://refnet@db.example:5432/refnet?sslmode=require');
    expect(error?.message).not.toMatch(/s3cret|other-pw/);
    expect(existsSync(to)).toBe(false);
    expect(existsSync(`${to}.keyring`)).toBe(false);
  });

  it.skipIf(!findPostgresTool('pg_dump'))('when the database cannot be reached, says what pg_dump said, without the password, and leaves no file behind', async () => {
    const dataDir = await pgNode('pg-unreachable', 'postgresql://refnet:s3cret-pw@127.0.0.1:1/refnet?connect_timeout=5&password=other-pw');
    const to = join(scratch, 'pg-unreachable.dump');
    const { error } = await cliResult('backup', '--data', dataDir, '--to', to);
    expect(error?.message).toMatch(/^pg_dump could not back up the database \(exit status 1\)/);
    expect(error?.message).toMatch(/127\.0\.0\.1.*port 1/);
    expect(error?.message).not.toMatch(/s3cret|other-pw/);
    expect(existsSync(to)).toBe(false);
    expect(existsSync(`${to}.keyring`)).toBe(false);
  });

  it('runs pg_dump with the password in PGPASSWORD only, and the arguments of the manual command', async () => {
    const dataDir = await pgNode('pg-fake', PASSWORD_URL);
    const tools = join(scratch, 'fake-tools');
    mkdirSync(tools);
    const script = (name: string, body: string) => {
      writeFileSync(join(tools, name), `#!/bin/sh\n${body}\n`);
      chmodSync(join(tools, name), 0o755);
    };
    script(
      'pg_dump',
      `printf '%s\\n' "$@" > ${tools}/args\nprintf '%s' "$PGPASSWORD" > ${tools}/password\nfor a in "$@"; do case "$a" in --file=*) printf 'dump' > "\${a#--file=}";; esac; done`,
    );
    // The dump is checked with the pg_restore beside pg_dump: this one finds no data keys in it.
    script('pg_restore', 'exit 0');
    const to = join(scratch, 'pg-fake.dump');
    const { out, error } = await cliResult('backup', '--data', dataDir, '--to', to, '--pg-dump', join(tools, 'pg_dump'));
    expect(error).toBeUndefined();
    expect(readFileSync(join(tools, 'args'), 'utf8').trim().split('\n')).toEqual([
      '--format=custom',
      '--no-owner',
      `--file=${to}`,
      'postgresql://refnet@db.example:5432/refnet?sslmode=require',
    ]);
    expect(readFileSync(join(tools, 'password'), 'utf8')).toBe('other-pw');
    expect(out).not.toMatch(/s3cret|other-pw/);
    expect(out).toContain(`to ${to}`);
    expect(out).toContain(`keyring to ${to}.keyring`);
    expect(mode(to)).toBe(0o600);
    expect(mode(`${to}.keyring`)).toBe(0o600);
  });
});

describe.runIf(onPostgres)('backup of a PostgreSQL node, and its restore', () => {
  let net: TestNetwork;
  let gr: TestNode;
  let at: TestNode;
  let referralId: string;
  const backupFile = join(scratch, 'gr.dump');

  beforeAll(async () => {
    ({ net, gr, at, referralId } = await networkWithReferrals());
  });
  afterAll(() => net.close());

  it('runs pg_dump and copies the keyring beside the dump', async () => {
    const { out, error } = await cliResult('backup', '--data', gr.dataDir, '--to', backupFile);
    expect(error).toBeUndefined();
    expect(out).toContain(`to ${backupFile}`);
    expect(out).toContain(`keyring to ${backupFile}.keyring`);
    expect(out).not.toContain('not checked');
    expect(out).toMatch(/key-encryption key .* is not in the backup/);
    expect(mode(backupFile)).toBe(0o600);
    expect(mode(`${backupFile}.keyring`)).toBe(0o600);
    expect(readFileSync(backupFile).subarray(0, 5).toString('latin1'), "pg_dump's custom format").toBe('PGDMP');
    const needed = keyringKeysNeededByCopyText(await dumpedTable(findPostgresTool('pg_restore')!, backupFile, 'data_keys'));
    expect(needed.length, 'the dump has data keys, each wrapped by a key of the keyring copy').toBeGreaterThan(0);
    expect(keyIdsIn(`${backupFile}.keyring`)).toEqual(expect.arrayContaining(needed));
  });

  it('restored with pg_restore into a new database, with its keyring and the same KEK, holds the same readable referrals', async () => {
    const pgRestore = findPostgresTool('pg_restore');
    expect(pgRestore, 'pg_restore is installed with pg_dump').toBeDefined();
    const url = await createDatabaseOn(process.env.REFNET_TEST_POSTGRES_URL!, `t_restored_${Date.now()}`);
    execFileSync(pgRestore!, ['--no-owner', `--dbname=${url}`, backupFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    const restoredDir = join(scratch, 'pg-restored');
    mkdirSync(restoredDir, { mode: 0o700 });
    writeFileSync(join(restoredDir, 'database-url'), `${url}\n`, { mode: 0o600 });
    copyFileSync(`${backupFile}.keyring`, join(restoredDir, 'keyring'));
    copyFileSync(join(gr.dataDir, 'kek.key'), join(restoredDir, 'kek.key'));
    await expectRestored(restoredDir, gr, referralId);
  });
});
