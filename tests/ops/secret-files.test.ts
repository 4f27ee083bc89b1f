// Files and secrets (issue 17 item 6): node.sqlite and its -wal and -shm are 0600 whatever the
// umask; a node's files that other users may read are reported when it is opened (in the log when
// it serves, on stderr for a command); and the KEK may come from a file outside the data folder or
// from a systemd credential, so that the data folder alone decrypts nothing, one place only.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, KEK_CREDENTIAL, resolveConfig, type NodeConfig } from '../../node/config/config.js';
import type { Env } from '../../node/config/env.js';
import { randomBytes } from '../../node/crypto/aead.js';
import { b64u } from '../../node/crypto/encoding.js';
import { KekError } from '../../node/crypto/kek.js';
import { createLogger } from '../../node/logging/logger.js';
import { initNode, openNode } from '../../node/node.js';
import { freshDatabaseUrl, onPostgres } from '../_util/database.js';
import { binPath, repoRoot, runCli } from '../_util/processes.js';

const scratch = mkdtempSync(join(tmpdir(), 'refnet-secret-files-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let folders = 0;
/** A new folder under the scratch folder (not yet a data folder: init makes that inside). */
const newFolder = (): string => {
  const dir = join(scratch, `case-${(folders += 1)}`);
  mkdirSync(dir, { mode: 0o700 });
  return dir;
};

const mode = (file: string) => statSync(file).mode & 0o777;
const settings = { nodeId: 'https://files.example.org', name: 'Files', country: 'GR', languages: ['en'] };

/** The configuration of a new node in `dataDir` (on PostgreSQL, with a database of its own). */
async function configFor(dataDir: string, env: Env = {}): Promise<NodeConfig> {
  return { ...resolveConfig({ data: dataDir, databaseUrl: await freshDatabaseUrl() }, env), logLevel: 'silent' };
}

/** The configuration of the node already in `dataDir`, as a later command has it. */
const existing = (dataDir: string, env: Env = {}): NodeConfig => ({ ...resolveConfig({ data: dataDir }, env), logLevel: 'silent' });

/** Opens the node and closes it again; the warnings it gave. */
async function openAndClose(config: NodeConfig): Promise<string[]> {
  const warnings: string[] = [];
  const node = await openNode(config, { httpApp: false, warn: (sentence) => warnings.push(sentence) });
  await node.close();
  return warnings;
}

const newKek = async () => `${b64u.encode(await randomBytes(32))}\n`;

describe.skipIf(onPostgres)('the modes of the database files', () => {
  it('makes node.sqlite, its -wal and its -shm 0600 and the data folder 0700 under a permissive umask', async () => {
    const dataDir = join(newFolder(), 'data');
    const config = await configFor(dataDir);
    const umask = process.umask(0o002);
    try {
      await initNode(config, settings, { username: 'admin' });
      const node = await openNode(config, { httpApp: false, warn: () => undefined });
      try {
        // While the node is open, SQLite has its write-ahead log and its shared-memory index.
        for (const file of ['node.sqlite', 'node.sqlite-wal', 'node.sqlite-shm', 'kek.key', 'keyring']) {
          expect(mode(join(dataDir, file)), file).toBe(0o600);
        }
        expect(mode(dataDir)).toBe(0o700);
      } finally {
        await node.close();
      }
    } finally {
      process.umask(umask);
    }
  });

  it('makes them 0600 in a real `init` and `serve` under umask 0002', async () => {
    const dataDir = join(newFolder(), 'data');
    const shell = (command: string) =>
      new Promise<{ code: number | null; stderr: string }>((resolveRun) => {
        const child = spawn('/bin/sh', ['-c', `umask 0002 && ${command}`], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH } });
        let stderr = '';
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
        child.once('close', (code) => resolveRun({ code, stderr }));
      });
    const node = `'${process.execPath}' '${binPath}'`;
    expect((await shell(`${node} init --data '${dataDir}' --url https://files.example.org --name Files --country GR`)).code).toBe(0);
    // A command that writes (a user added) with the log left behind: the files are as SQLite makes them then.
    const added = await shell(`${node} user add maria --role caseworker --data '${dataDir}'`);
    expect(added.code).toBe(0);
    expect(added.stderr).toBe('');
    for (const file of ['node.sqlite', 'kek.key', 'keyring']) expect(mode(join(dataDir, file)), file).toBe(0o600);
    expect(mode(dataDir)).toBe(0o700);
  });
});

describe('warnings about files other users may read', () => {
  it('says nothing when every file is as the node made it', async () => {
    const config = await configFor(join(newFolder(), 'data'));
    await initNode(config, settings, { username: 'admin' });
    expect(await openAndClose(config)).toEqual([]);
  });

  it('names each file open to others, with the chmod that fixes it', async () => {
    const config = await configFor(join(newFolder(), 'data'));
    const init = await initNode(config, settings, { username: 'admin' });
    expect(init.warnings).toEqual([]);
    chmodSync(config.kekFile, 0o644);
    chmodSync(config.keyringFile, 0o640);
    chmodSync(config.dataDir, 0o755);
    if (!onPostgres) chmodSync(config.databasePath, 0o644);
    const warnings = await openAndClose(config);
    expect(warnings).toContain(`The key-encryption key ${config.kekFile} is open to other users than its owner (mode 0644): run chmod 600 ${config.kekFile}.`);
    expect(warnings).toContain(`The keyring ${config.keyringFile} is open to other users than its owner (mode 0640): run chmod 600 ${config.keyringFile}.`);
    expect(warnings).toContain(`The data folder ${config.dataDir} is open to other users than its owner (mode 0755): run chmod 700 ${config.dataDir}.`);
    if (!onPostgres) {
      expect(warnings).toContain(`The database ${config.databasePath} is open to other users than its owner (mode 0644): run chmod 600 ${config.databasePath}.`);
      // SQLite gave the write-ahead log and the index the database file's mode.
      expect(warnings.filter((w) => w.includes('-wal') || w.includes('-shm'))).toHaveLength(2);
    }
    chmodSync(config.dataDir, 0o700);
    for (const file of [config.kekFile, config.keyringFile, ...(onPostgres ? [] : [config.databasePath])]) chmodSync(file, 0o600);
    expect(await openAndClose(config)).toEqual([]);
  });

  it('init names a data folder made beforehand that others may enter', async () => {
    const dataDir = join(newFolder(), 'data');
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    const init = await initNode(await configFor(dataDir), settings, { username: 'admin' });
    expect(init.warnings).toEqual([`The data folder ${dataDir} is open to other users than its owner (mode 0755): run chmod 700 ${dataDir}.`]);
  });

  it('logs them as warnings when the node is opened to serve', async () => {
    const config = await configFor(join(newFolder(), 'data'));
    await initNode(config, settings, { username: 'admin' });
    chmodSync(config.keyringFile, 0o644);
    let logged = '';
    const logger = createLogger('info', new Writable({ write: (chunk: Buffer, _encoding, done) => ((logged += chunk.toString('utf8')), done()) }));
    const node = await openNode(config, { httpApp: false, logger });
    await node.close();
    const line = logged.split('\n').filter(Boolean).map((text) => JSON.parse(text) as { level: number; msg: string; file?: string }).find((entry) => entry.file === config.keyringFile);
    expect(line).toMatchObject({ level: 40, msg: `The keyring ${config.keyringFile} is open to other users than its owner (mode 0644): run chmod 600 ${config.keyringFile}.` });
  });

  it('prints them on stderr for a command, which still runs', async () => {
    const dataDir = join(newFolder(), 'data');
    const init = await runCli(['init', '--data', dataDir, '--url', 'https://files.example.org', '--name', 'Files', '--country', 'GR', ...(onPostgres ? ['--database-url', (await freshDatabaseUrl())!] : [])]);
    expect(init.code).toBe(0);
    chmodSync(join(dataDir, 'kek.key'), 0o644);
    const shown = await runCli(['node', 'show', '--data', dataDir]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/Fingerprint:/);
    expect(shown.stderr).toBe(`referral-node: warning: The key-encryption key ${join(dataDir, 'kek.key')} is open to other users than its owner (mode 0644): run chmod 600 ${join(dataDir, 'kek.key')}.\n`);
  });
});

describe('where the KEK comes from', () => {
  it('REFERRAL_NODE_KEK_FILE: init writes the key there (0600), the data folder holds none, and opens nothing without it', async () => {
    const base = newFolder();
    const kekFile = join(base, 'secrets', 'kek');
    mkdirSync(join(base, 'secrets'), { mode: 0o700 });
    const config = await configFor(join(base, 'data'), { kekFile });
    const init = await initNode(config, settings, { username: 'admin' });
    expect(init.kek).toEqual({ source: { kind: 'file', path: kekFile }, created: true });
    expect(mode(kekFile)).toBe(0o600);
    expect(existsSync(config.kekFile)).toBe(false);
    expect(await openAndClose(config)).toEqual([]);
    // The data folder alone (a backup of it): no key.
    await expect(openAndClose(existing(config.dataDir))).rejects.toThrow(KekError);
    await expect(openAndClose(existing(config.dataDir))).rejects.toThrow(/No key-encryption key/);
    // A wrong file: nothing opens.
    writeFileSync(join(base, 'other'), await newKek());
    await expect(openAndClose(existing(config.dataDir, { kekFile: join(base, 'other') }))).rejects.toThrow(/cannot be opened: wrong key-encryption key/);
    await expect(openAndClose(existing(config.dataDir, { kekFile: join(base, 'missing') }))).rejects.toThrow(`No key-encryption key at ${join(base, 'missing')} (REFERRAL_NODE_KEK_FILE)`);
  });

  it('REFERRAL_NODE_KEK_FILE made beforehand: init uses the key as it is', async () => {
    const base = newFolder();
    const kekFile = join(base, 'kek');
    const key = await newKek();
    writeFileSync(kekFile, key, { mode: 0o600 });
    const config = await configFor(join(base, 'data'), { kekFile });
    expect((await initNode(config, settings, { username: 'admin' })).kek.created).toBe(false);
    expect(readFileSync(kekFile, 'utf8')).toBe(key);
    expect(await openAndClose(config)).toEqual([]);
  });

  it('a systemd credential: used when $CREDENTIALS_DIRECTORY holds referral-node-kek, and needed afterwards', async () => {
    const base = newFolder();
    const credentials = join(base, 'credentials');
    mkdirSync(credentials, { mode: 0o700 });
    writeFileSync(join(credentials, KEK_CREDENTIAL), await newKek(), { mode: 0o400 });
    const config = await configFor(join(base, 'data'), { credentialsDirectory: credentials });
    const init = await initNode(config, settings, { username: 'admin' });
    expect(init.kek).toEqual({ source: { kind: 'credential', path: join(credentials, KEK_CREDENTIAL) }, created: false });
    expect(existsSync(config.kekFile)).toBe(false);
    expect(await openAndClose(config)).toEqual([]);
    await expect(openAndClose(existing(config.dataDir))).rejects.toThrow(/No key-encryption key/);
    // Credentials without the KEK among them: the data folder's kek.key is looked for, as without systemd.
    const other = join(base, 'other-credentials');
    mkdirSync(other);
    writeFileSync(join(other, 'something-else'), 'x');
    await expect(openAndClose(existing(config.dataDir, { credentialsDirectory: other }))).rejects.toThrow(/restore the key file/);
  });

  it('a KEK moved out of the data folder: the node opens with REFERRAL_NODE_KEK_FILE once kek.key is gone', async () => {
    const base = newFolder();
    const config = await configFor(join(base, 'data'));
    await initNode(config, settings, { username: 'admin' });
    const moved = join(base, 'kek');
    const movedConfig = existing(config.dataDir, { kekFile: moved });
    writeFileSync(moved, readFileSync(config.kekFile), { mode: 0o600 });
    await expect(openAndClose(movedConfig)).rejects.toThrow(
      new ConfigError(
        `The key-encryption key comes from ${moved} (REFERRAL_NODE_KEK_FILE), but the data folder still holds ${config.kekFile}: check that both are the same key, then delete ${config.kekFile} (a backup of the data folder would otherwise carry the key with it).`,
      ),
    );
    renameSync(config.kekFile, join(base, 'kek.key.old'));
    expect(await openAndClose(movedConfig)).toEqual([]);
  });

  it('refuses a key given in two places, or a key file inside the data folder', async () => {
    const base = newFolder();
    const dataDir = join(base, 'data');
    const kek = (await newKek()).trim();
    expect(() => resolveConfig({ data: dataDir }, { kek, kekFile: join(base, 'kek') })).toThrow(
      new ConfigError('Both REFERRAL_NODE_KEK and REFERRAL_NODE_KEK_FILE are set: give the key-encryption key in one place only, so that it is clear which key the node uses.'),
    );
    expect(() => resolveConfig({ data: dataDir }, { kekFile: join(dataDir, 'secrets', 'kek') })).toThrow(/is inside the data folder: put it outside/);
    const credentials = join(base, 'credentials');
    mkdirSync(credentials);
    writeFileSync(join(credentials, KEK_CREDENTIAL), await newKek());
    for (const env of [{ kek }, { kekFile: join(base, 'kek') }]) {
      const config = await configFor(dataDir, { ...env, credentialsDirectory: credentials });
      await expect(initNode(config, settings, { username: 'admin' })).rejects.toThrow(/The key-encryption key is given in 2 places .*the systemd credential referral-node-kek.*: give it in one only/);
    }
    expect(existsSync(dataDir), 'a refused init makes nothing').toBe(false);
  });

  it('init refuses a REFERRAL_NODE_KEK_FILE in a folder that does not exist, before it makes anything', async () => {
    const base = newFolder();
    const config = await configFor(join(base, 'data'), { kekFile: join(base, 'no-such-folder', 'kek') });
    await expect(initNode(config, settings, { username: 'admin' })).rejects.toThrow(`The folder ${join(base, 'no-such-folder')} does not exist: create it (mode 0700)`);
    expect(existsSync(config.dataDir)).toBe(false);
  });

  it('the command: init with REFERRAL_NODE_KEK_FILE says where the key went, and commands find it there', async () => {
    const base = newFolder();
    const dataDir = join(base, 'data');
    const kekFile = join(base, 'kek');
    const env = { REFERRAL_NODE_KEK_FILE: kekFile };
    const init = await runCli(['init', '--data', dataDir, '--url', 'https://files.example.org', '--name', 'Files', '--country', 'GR', ...(onPostgres ? ['--database-url', (await freshDatabaseUrl())!] : [])], { env });
    expect(init.code).toBe(0);
    expect(init.stdout).toContain(`The key-encryption key was written to ${kekFile} (REFERRAL_NODE_KEK_FILE), outside the data folder`);
    expect(mode(kekFile)).toBe(0o600);
    expect((await runCli(['node', 'show', '--data', dataDir], { env })).code).toBe(0);
    const without = await runCli(['node', 'show', '--data', dataDir]);
    expect(without.code).toBe(1);
    expect(without.stderr).toMatch(/^referral-node: No key-encryption key/);
  });
});
