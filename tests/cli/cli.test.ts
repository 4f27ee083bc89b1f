// The `referral-node` command, run in-process: creating a node, what it prints and stores, and
// how it refuses what it should refuse.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { buildProgram } from '../../node/cli/program.js';
import { CliError } from '../../node/cli/output.js';
import { ConfigError } from '../../node/config/config.js';
import { KekError } from '../../node/crypto/kek.js';
import { b64u, utf8 } from '../../node/crypto/encoding.js';
import { sealedFromText } from '../../node/data-keys/data-keys.js';
import { openNode } from '../../node/node.js';
import { resolveConfig } from '../../node/config/config.js';
import { verifyIdentityDocument } from '../../node/identity/document.js';
import { readableFingerprint } from '../../node/identity/keys.js';
import { addPeer } from '../../node/peers/service.js';
import { databaseArgs, onPostgres, storedBytes } from '../_util/database.js';

const dirs: string[] = [];
const savedKek = process.env.REFERRAL_NODE_KEK;
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  if (savedKek === undefined) delete process.env.REFERRAL_NODE_KEK;
  else process.env.REFERRAL_NODE_KEK = savedKek;
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'refnet-cli-'));
  dirs.push(dir);
  return join(dir, 'data');
}

async function run(...args: string[]): Promise<string> {
  let out = '';
  const program = buildProgram({ out: (text) => (out += `${text}\n`) });
  program.configureOutput({ writeOut: (t) => (out += t), writeErr: (t) => (out += t) });
  await program.parseAsync(['node', 'referral-node', ...args]);
  return out;
}

const init = async (data: string, ...extra: string[]) =>
  run('init', '--data', data, '--url', 'https://ariadne.example.org/', '--name', 'Ariadne', '--country', 'gr', '--languages', 'el,en', ...(await databaseArgs()), ...extra);

describe('referral-node init', () => {
  it('creates the database, a private key file and an administrator whose password is printed once', async () => {
    const data = tempDir();
    const out = await init(data);
    expect(out).toMatch(/Node created: https:\/\/ariadne\.example\.org\n/);
    expect(out).toMatch(/Fingerprint: +([A-Z2-7]{4}-){7}[A-Z2-7]{4}/);
    const password = /Password: +(\S+)/.exec(out)![1]!;
    if (onPostgres) expect(statSync(join(data, 'database-url')).mode & 0o777).toBe(0o600);
    else expect(existsSync(join(data, 'node.sqlite'))).toBe(true);
    expect(statSync(join(data, 'kek.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(data, 'keyring')).mode & 0o777).toBe(0o600);
    expect(statSync(data).mode & 0o777).toBe(0o700);
    for (const file of readdirSync(data)) expect(readFileSync(join(data, file)).includes(password)).toBe(false);
  });

  it('never stores a private key in plaintext', async () => {
    const data = tempDir();
    await init(data);
    const node = await openNode({ ...resolveConfig({ data }, {}), logLevel: 'silent' });
    const row = await node.ctx.database.db.selectFrom('node_keys').selectAll().where('use', '=', 'sig').executeTakeFirstOrThrow();
    const opened = await node.ctx.dataKeys.open(node.ctx.database.db, `node-key:${row.kid}`, sealedFromText(row.private_wrapped), utf8.encode(`node-key:${row.kid}`));
    const signingD = (JSON.parse(new TextDecoder().decode(opened)) as { d: string }).d;
    expect(signingD).toMatch(/^[\w-]{43}$/);
    const encryptionKey = Buffer.from(node.ctx.self.encryptionKey.privateKey);
    await node.close();
    const database = await storedBytes(data);
    expect(database.length).toBeGreaterThan(1000);
    expect(database.includes(signingD)).toBe(false);
    expect(database.includes(encryptionKey)).toBe(false);
    expect(database.includes(b64u.encode(encryptionKey))).toBe(false);
  });

  it('refuses to start when a stored public key no longer matches its private key', async () => {
    const data = tempDir();
    await init(data);
    const node = await openNode({ ...resolveConfig({ data }, {}), logLevel: 'silent' });
    const row = await node.ctx.database.db.selectFrom('node_keys').selectAll().where('use', '=', 'enc').executeTakeFirstOrThrow();
    const swapped = { ...JSON.parse(row.public_jwk), x: b64u.encode(new Uint8Array(32).fill(9)) };
    await node.ctx.database.db.updateTable('node_keys').set({ public_jwk: JSON.stringify(swapped) }).where('kid', '=', row.kid).execute();
    await node.close();
    await expect(run('node', 'show', '--data', data)).rejects.toThrow(/database was altered/);
  });

  it('refuses a folder that already holds a node, and changes nothing', async () => {
    const data = tempDir();
    await init(data);
    const before = await storedBytes(data);
    await expect(init(data)).rejects.toThrow(ConfigError);
    expect((await storedBytes(data)).equals(before)).toBe(true);
  });

  it('refuses a bad country or language list with a sentence saying what to give', async () => {
    await expect(init(tempDir(), '--country', 'Greece')).rejects.toThrow(/two-letter/);
    await expect(run('init', '--data', tempDir(), '--url', 'https://a.example.org', '--name', 'A', '--country', 'GR', '--languages', 'Greek!')).rejects.toThrow(CliError);
    await expect(run('init', '--data', tempDir(), '--url', 'not a url', '--name', 'A', '--country', 'GR')).rejects.toThrow(/not a URL/);
  });

  it('uses REFERRAL_NODE_KEK when it is set, and the node cannot be opened without it', async () => {
    process.env.REFERRAL_NODE_KEK = b64u.encode(new Uint8Array(32).fill(7));
    const data = tempDir();
    const out = await init(data);
    expect(out).toMatch(/REFERRAL_NODE_KEK/);
    expect(existsSync(join(data, 'kek.key'))).toBe(false);
    expect(await run('node', 'show', '--data', data)).toMatch(/Ariadne \(GR\)/);
    process.env.REFERRAL_NODE_KEK = b64u.encode(new Uint8Array(32).fill(8));
    await expect(run('node', 'show', '--data', data)).rejects.toThrow(KekError);
    delete process.env.REFERRAL_NODE_KEK;
    await expect(run('node', 'show', '--data', data)).rejects.toThrow(/REFERRAL_NODE_KEK or restore the key file/);
  });
});

describe('other commands', () => {
  it('say clearly when there is no node in the folder', async () => {
    await expect(run('peer', 'list', '--data', tempDir())).rejects.toThrow(/referral-node init/);
  });

  it('refuse to trust a peer that was never added', async () => {
    const data = tempDir();
    await init(data);
    await expect(run('peer', 'trust', 'https://nobody.example.org', '--data', data)).rejects.toThrow(/add it first/);
  });

  it('trust a pending peer only when the fingerprint given is its own', async () => {
    const [data, other] = [tempDir(), tempDir()];
    await init(data);
    await run('init', '--data', other, '--url', 'https://casa-aurora.example.org', '--name', 'Casa Aurora', '--country', 'IT');
    const peerNode = await openNode({ ...resolveConfig({ data: other }, {}), logLevel: 'silent' });
    const jws = await (await peerNode.app.fetch(new Request('https://casa-aurora.example.org/.well-known/referral-node'))).text();
    const verified = await verifyIdentityDocument(jws, Math.floor(Date.now() / 1000));
    await peerNode.close();
    if (!verified.ok) throw new Error(verified.reason);
    const node = await openNode({ ...resolveConfig({ data }, {}), logLevel: 'silent' });
    await addPeer(node.ctx.database, verified.identity, jws, new Date());
    await node.close();
    const fingerprint = readableFingerprint(verified.identity.signingKey.kid);
    const wrong = `${fingerprint.startsWith('A') ? 'B' : 'A'}${fingerprint.slice(1)}`;
    await expect(run('peer', 'trust', 'https://casa-aurora.example.org', '--fingerprint', wrong, '--data', data)).rejects.toThrow(/nothing was changed/);
    expect(await run('peer', 'list', '--data', data)).toMatch(/pending/);
    expect(await run('peer', 'trust', 'https://casa-aurora.example.org', '--fingerprint', fingerprint.toLowerCase(), '--data', data)).toMatch(/^Trusted: Casa Aurora/);
    expect(await run('peer', 'list', '--data', data)).toMatch(/trusted/);
    const after = await openNode({ ...resolveConfig({ data }, {}), logLevel: 'silent' });
    const trusted = await after.ctx.database.db.selectFrom('audit_log').select('entry').where('type', '=', 'peer.trusted').executeTakeFirstOrThrow();
    await after.close();
    expect(JSON.parse(trusted.entry).actor).toEqual({ kind: 'system', id: 'command-line' });
  });

  it('create users and tokens, and refuse an unknown role', async () => {
    const data = tempDir();
    await init(data);
    expect(await run('user', 'add', 'maria', '--role', 'caseworker', '--data', data)).toMatch(/Password: \S+/);
    expect(await run('token', 'create', '--user', 'maria', '--data', data)).toMatch(/^rn_[\w-]{43}\n$/);
    await expect(run('user', 'add', 'eve', '--role', 'superuser', '--data', data)).rejects.toThrow();
    await expect(run('user', 'add', 'maria', '--role', 'auditor', '--data', data)).rejects.toThrow(/taken/);
  });

  it('give users a display name, at creation or later, take it away, and refuse one that cannot be (issue 18 item 7)', async () => {
    const data = tempDir();
    await init(data);
    await run('user', 'add', 'maria', '--role', 'caseworker', '--name', 'Maria  Ionescu', '--data', data);
    await run('user', 'add', 'dana', '--role', 'caseworker', '--data', data);
    expect(await run('user', 'set-name', 'dana', 'Dana Popa', '--data', data)).toBe('dana is shown as “Dana Popa”.\n');
    expect(await run('user', 'set-name', 'dana', 'Dana Popa', '--data', data)).toMatch(/already had that display name; nothing changed/);
    const listed = JSON.parse(await run('user', 'list', '--json', '--data', data)) as Array<{ username: string; display_name: string | null }>;
    expect(listed.filter((u) => u.username !== 'admin').map((u) => [u.username, u.display_name])).toEqual([['dana', 'Dana Popa'], ['maria', 'Maria Ionescu']]);
    expect(await run('user', 'list', '--data', data)).toMatch(/maria\s+Maria Ionescu\s+caseworker/);
    expect(await run('user', 'set-name', 'maria', '--none', '--data', data)).toMatch(/maria has no display name now/);
    await expect(run('user', 'set-name', 'maria', '--data', data)).rejects.toThrow(/Give either a display name or --none/);
    await expect(run('user', 'set-name', 'maria', 'Maria', '--none', '--data', data)).rejects.toThrow(/Give either a display name or --none/);
    await expect(run('user', 'set-name', 'nobody', 'X', '--data', data)).rejects.toThrow(/There is no user nobody/);
    await expect(run('user', 'set-name', 'maria', 'x'.repeat(101), '--data', data)).rejects.toThrow(/at most 100 characters/);
    await expect(run('user', 'set-name', 'maria', 'Maria\nIonescu', '--data', data)).rejects.toThrow(/one line of text/);
    await expect(run('user', 'add', 'ioana', '--role', 'caseworker', '--name', '   ', '--data', data)).rejects.toThrow(/cannot be empty/);
    const node = await openNode({ ...resolveConfig({ data }, {}), logLevel: 'silent' });
    try {
      const users = await node.ctx.database.db.selectFrom('users').select(['username', 'display_name']).orderBy('username').execute();
      expect(users.map((u) => [u.username, u.display_name])).toEqual([['admin', null], ['dana', 'Dana Popa'], ['maria', null]]);
      // Each change in the audit log, never the name.
      const changes = await node.ctx.database.db.selectFrom('audit_log').select('entry').where('type', '=', 'user.display-name-changed').execute();
      expect(changes).toHaveLength(2);
      const log = (await node.ctx.database.db.selectFrom('audit_log').select('entry').execute()).map((r) => r.entry).join('\n');
      for (const name of ['Dana Popa', 'Maria Ionescu']) expect(log).not.toContain(name);
    } finally {
      await node.close();
    }
  });

  it('gives a user a work contact, takes it away, refuses what cannot be one, and logs the change without the contact', async () => {
    const data = tempDir();
    await init(data);
    await run('user', 'add', 'dana', '--role', 'caseworker', '--data', data);
    expect(await run('user', 'set-contact', 'dana', '+40 21 555 0199', '--data', data)).toMatch(/dana's work contact is saved/);
    expect(await run('user', 'set-contact', 'dana', '+40 21 555 0199', '--data', data)).toMatch(/already had that work contact; nothing changed/);
    await expect(run('user', 'set-contact', 'dana', '--data', data)).rejects.toThrow(/Give either a work contact or --none/);
    await expect(run('user', 'set-contact', 'nobody', 'x', '--data', data)).rejects.toThrow(/There is no user nobody/);
    await expect(run('user', 'set-contact', 'dana', 'x'.repeat(201), '--data', data)).rejects.toThrow(/at most 200 characters/);
    await expect(run('user', 'set-contact', 'dana', 'a\tb', '--data', data)).rejects.toThrow(/one line of text/);
    const node = await openNode({ ...resolveConfig({ data }, {}), logLevel: 'silent' });
    try {
      const dana = await node.ctx.database.db.selectFrom('users').select('work_contact').where('username', '=', 'dana').executeTakeFirstOrThrow();
      expect(dana.work_contact).toBe('+40 21 555 0199');
      const log = (await node.ctx.database.db.selectFrom('audit_log').select(['type', 'entry']).execute());
      expect(log.filter((r) => r.type === 'user.work-contact-changed')).toHaveLength(1);
      expect(log.map((r) => r.entry).join('\n')).not.toContain('555 0199');
    } finally {
      await node.close();
    }
    expect(await run('user', 'set-contact', 'dana', '--none', '--data', data)).toMatch(/dana has no work contact now/);
  });

  it('lists the API tokens without the tokens, and revokes one, which then works no more', async () => {
    const data = tempDir();
    await init(data);
    await run('user', 'add', 'maria', '--role', 'caseworker', '--data', data);
    const token = (await run('token', 'create', '--user', 'maria', '--label', 'case system', '--data', data)).trim();
    const listed = JSON.parse(await run('token', 'list', '--user', 'maria', '--json', '--data', data)) as Array<{ id: string; username: string; label: string; last_used_at: string | null }>;
    expect(listed).toEqual([expect.objectContaining({ username: 'maria', label: 'case system', last_used_at: null })]);
    const table = await run('token', 'list', '--data', data);
    expect(table).toContain(listed[0]!.id);
    expect(table).not.toContain(token);
    await expect(run('token', 'revoke', '00000000-0000-4000-8000-000000000000', '--data', data)).rejects.toThrow(/no API token .* Nothing was changed/);
    expect(await run('token', 'revoke', listed[0]!.id, '--data', data)).toMatch(/is revoked/);
    expect(await run('token', 'list', '--user', 'maria', '--data', data)).toMatch(/maria has no API token/);
    const node = await openNode({ ...resolveConfig({ data }, {}), logLevel: 'silent' });
    try {
      const { authenticateToken } = await import('../../node/users/service.js');
      expect(await authenticateToken(node.ctx.database, token, new Date())).toBeUndefined();
      const revoked = await node.ctx.database.db.selectFrom('audit_log').select('entry').where('type', '=', 'user.token-revoked').executeTakeFirstOrThrow();
      expect(JSON.parse(revoked.entry)).toMatchObject({ token_id: listed[0]!.id, actor: { kind: 'system', id: 'command-line' } });
    } finally {
      await node.close();
    }
  });

  it('tokens expire: 90 days by default, --days otherwise, refused from then on and listed as expired', async () => {
    const data = tempDir();
    await init(data);
    await run('user', 'add', 'maria', '--role', 'caseworker', '--data', data);
    const standard = (await run('token', 'create', '--user', 'maria', '--label', 'standard', '--data', data)).trim();
    const short = (await run('token', 'create', '--user', 'maria', '--label', 'short', '--days', '7', '--data', data)).trim();
    await expect(run('token', 'create', '--user', 'maria', '--days', '731', '--data', data)).rejects.toThrow(/--days must be a whole number from 1 to 730/);
    await expect(run('token', 'create', '--user', 'maria', '--days', '1.5', '--data', data)).rejects.toThrow(/--days/);
    const listed = JSON.parse(await run('token', 'list', '--json', '--data', data)) as Array<{ label: string; created_at: string; expires_at: string }>;
    const days = (t: { created_at: string; expires_at: string }) => (Date.parse(t.expires_at) - Date.parse(t.created_at)) / 86_400_000;
    expect(listed.map((t) => [t.label, days(t)])).toEqual([['standard', 90], ['short', 7]]);
    const node = await openNode({ ...resolveConfig({ data }, {}), logLevel: 'silent' });
    try {
      const { authenticateToken } = await import('../../node/users/service.js');
      const after = (token: { created_at: string }, days: number) => new Date(Date.parse(token.created_at) + days * 86_400_000);
      const [standardListed, shortListed] = listed as [(typeof listed)[number], (typeof listed)[number]];
      expect(await authenticateToken(node.ctx.database, short, after(shortListed, 6.9))).toMatchObject({ username: 'maria' });
      expect(await authenticateToken(node.ctx.database, short, after(shortListed, 7))).toBeUndefined();
      expect(await authenticateToken(node.ctx.database, standard, after(standardListed, 89.9))).toMatchObject({ username: 'maria' });
      expect(await authenticateToken(node.ctx.database, standard, after(standardListed, 90))).toBeUndefined();
    } finally {
      await node.close();
    }
    const env = process.env.REFERRAL_NODE_API_TOKEN_DAYS;
    process.env.REFERRAL_NODE_API_TOKEN_DAYS = '30';
    try {
      await run('token', 'create', '--user', 'maria', '--label', 'configured', '--data', data);
    } finally {
      if (env === undefined) delete process.env.REFERRAL_NODE_API_TOKEN_DAYS;
      else process.env.REFERRAL_NODE_API_TOKEN_DAYS = env;
    }
    const configured = (JSON.parse(await run('token', 'list', '--json', '--data', data)) as Array<{ label: string; created_at: string; expires_at: string }>).find((t) => t.label === 'configured')!;
    expect(days(configured)).toBe(30);
  });

  it('lists, disables, enables and resets users; a reset ends the user\'s tokens; the last administrator stays', async () => {
    const data = tempDir();
    await init(data);
    await run('user', 'add', 'maria', '--role', 'caseworker', '--data', data);
    const token = (await run('token', 'create', '--user', 'maria', '--data', data)).trim();
    const users = JSON.parse(await run('user', 'list', '--json', '--data', data)) as Array<{ username: string; role: string; disabled_at: string | null }>;
    expect(users.map((u) => [u.username, u.role, u.disabled_at])).toEqual([['admin', 'admin', null], ['maria', 'caseworker', null]]);
    expect(await run('user', 'list', '--data', data)).toMatch(/maria\s+caseworker\s+active/);

    expect(await run('user', 'disable', 'maria', '--data', data)).toMatch(/maria is disabled/);
    expect(await run('user', 'disable', 'maria', '--data', data)).toMatch(/already disabled; nothing changed/);
    expect(await run('user', 'list', '--data', data)).toMatch(/maria\s+caseworker\s+disabled/);
    await expect(run('user', 'disable', 'admin', '--data', data)).rejects.toThrow(/last active administrator.*Nothing was changed/);
    await expect(run('user', 'disable', 'nobody', '--data', data)).rejects.toThrow(/There is no user nobody/);
    const { authenticateToken } = await import('../../node/users/service.js');
    const tokenWorks = async (which = token) => {
      const node = await openNode({ ...resolveConfig({ data }, {}), logLevel: 'silent' });
      try {
        return (await authenticateToken(node.ctx.database, which, new Date())) !== undefined;
      } finally {
        await node.close();
      }
    };
    expect(await tokenWorks()).toBe(false);
    expect(await run('user', 'enable', 'maria', '--data', data)).toMatch(/maria is enabled/);
    // Revoked when disabled: an account disabled because it was in other hands gets no token back.
    expect(await tokenWorks()).toBe(false);
    expect(await run('token', 'list', '--user', 'maria', '--data', data)).toMatch(/maria has no API token/);

    const token2 = (await run('token', 'create', '--user', 'maria', '--data', data)).trim();
    const reset = await run('user', 'reset-password', 'maria', '--data', data);
    const password = /New password for maria: (\S+)/.exec(reset)![1]!;
    expect(password.length).toBeGreaterThanOrEqual(16);
    expect(await tokenWorks(token2)).toBe(false);
    expect(await run('token', 'list', '--user', 'maria', '--data', data)).toMatch(/maria has no API token/);
    const node = await openNode({ ...resolveConfig({ data }, {}), logLevel: 'silent' });
    try {
      const types = (await node.ctx.database.db.selectFrom('audit_log').select('type').execute()).map((row) => row.type);
      expect(types).toEqual(expect.arrayContaining(['user.disabled', 'user.enabled', 'user.password-reset']));
      // Each token ended by the disabling and the reset has its revocation entry.
      expect(types.filter((type) => type === 'user.token-revoked')).toHaveLength(2);
      const { verifyPassword } = await import('../../node/users/passwords.js');
      const row = await node.ctx.database.db.selectFrom('users').select('password_hash').where('username', '=', 'maria').executeTakeFirstOrThrow();
      expect(await verifyPassword(row.password_hash, password)).toBe(true);
    } finally {
      await node.close();
    }
  });

  it('--version names this program\'s version, the one in package.json, and the protocol\'s', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    let printed = '';
    const program = buildProgram({ out: () => {} });
    program.configureOutput({ writeOut: (t) => (printed += t), writeErr: (t) => (printed += t) });
    await expect(program.parseAsync(['node', 'referral-node', '--version'])).rejects.toMatchObject({ code: 'commander.version' });
    expect(printed.trim()).toBe(`referral-node ${pkg.version} (protocol 1)`);
  });

  it('a command that acts for someone requires --user: it never picks a user on its own', async () => {
    const data = tempDir();
    await init(data);
    for (const args of [['referral', 'send', '--file', 'x.json'], ['referral', 'accept', 'some-id'], ['consent', 'record', '--file', 'x.json'], ['consent', 'withdraw', 'some-id']]) {
      await expect(run(...args, '--data', data)).rejects.toThrow(/required option '--user <name>' not specified/);
    }
  });

  it('every command has --help', async () => {
    const walk = (cmd: Command, path: string[]): string[][] => [path, ...cmd.commands.flatMap((c) => walk(c, [...path, c.name()]))];
    for (const path of walk(buildProgram(), [])) {
      let help = '';
      const program = buildProgram({ out: () => {} });
      const quiet = (cmd: Command): void => {
        cmd.configureOutput({ writeOut: (t) => (help += t) });
        cmd.commands.forEach(quiet);
      };
      quiet(program);
      await expect(program.parseAsync(['node', 'referral-node', ...path, '--help'])).rejects.toMatchObject({ code: 'commander.helpDisplayed' });
      expect(help, path.join(' ')).toMatch(/Usage:/);
    }
  });
});
