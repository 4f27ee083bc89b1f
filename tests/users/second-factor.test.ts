// The TOTP second factor as a service (issue 17 item 5): an enrolment takes effect only with a
// first code and the password; codes are accepted one step either side of the clock and never
// twice; recovery codes work once each and their use is audited; new ones replace the old; the user
// turns it off with password and code; an administrator or the command line removes it, ending
// the user's sessions; nothing secret is ever in the database in the clear, in the audit log or
// in the logs.
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, cliResult } from '../_util/cli.js';
import { b64u } from '../../node/crypto/encoding.js';
import {
  confirmEnrolment,
  hasSecondFactor,
  pendingEnrolment,
  removeSecondFactor,
  renewRecoveryCodes,
  secondFactorStatus,
  startEnrolment,
  turnOffSecondFactor,
  verifySecondFactor,
} from '../../node/users/second-factor.js';
import { createSession, resumeSession } from '../../node/users/sessions.js';
import { createUser } from '../../node/users/service.js';
import { createTestNetwork, snapshot, type TestNetwork, type TestNode } from '../_util/test-node.js';

let net: TestNetwork;
let node: TestNode;
const PASSWORD = 'olive grove under snow';
const now = () => net.clock.now();
const db = () => node.ctx.database.db;
const auditEntries = async () => db().selectFrom('audit_log').select(['type', 'entry']).orderBy('idx').execute();

/** The code an authenticator app shows for `key` at `at` (plus `steps` steps of 30 s). */
const codeAt = (key: string, at: Date, steps = 0) => TOTP.generate({ secret: Secret.fromBase32(key.replace(/\s/g, '')), timestamp: at.getTime() + steps * 30_000 });

/** A user with a second factor in force: her id, the key her app holds and her recovery codes. */
async function enrolled(username: string): Promise<{ id: string; key: string; codes: string[] }> {
  const { user } = await createUser(node.ctx.database, { username, role: 'caseworker', password: PASSWORD }, now());
  await startEnrolment(node.ctx, user.id, now());
  const { key } = (await pendingEnrolment(node.ctx, user, 'Test organisation'))!;
  const confirmed = await confirmEnrolment(node.ctx, user.id, { password: PASSWORD, code: codeAt(key, now()) }, now());
  if (!confirmed.ok) throw new Error(`enrolment refused: ${confirmed.why}`);
  // The first code's step is used: the tests go on from the next one.
  net.clock.advance(30_000);
  return { id: user.id, key, codes: confirmed.recoveryCodes };
}

beforeAll(async () => {
  net = await createTestNetwork(1);
  node = net.nodes[0]!;
});
afterAll(() => net.close());

describe('enrolment', () => {
  it('makes a secret that is not in force until a first code and the password confirm it', async () => {
    const { user } = await createUser(node.ctx.database, { username: 'elena', role: 'caseworker', password: PASSWORD }, now());
    expect(await startEnrolment(node.ctx, user.id, now())).toBe(true);
    expect(await secondFactorStatus(db(), user.id)).toEqual({ since: undefined, pending: true, recoveryCodesLeft: 0 });
    expect(await hasSecondFactor(db(), user.id)).toBe(false);
    const pending = (await pendingEnrolment(node.ctx, user, 'Test organisation GR'))!;
    // 160 bits in base32, in groups of four for typing; the URI an app reads from the QR code.
    expect(pending.key).toMatch(/^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/);
    expect(pending.uri).toMatch(/^otpauth:\/\/totp\/Test%20organisation%20GR:elena\?/);
    expect(pending.uri).toContain(`secret=${pending.key.replace(/ /g, '')}`);
    expect(pending.uri).toMatch(/period=30/);

    expect(await confirmEnrolment(node.ctx, user.id, { password: 'not her password', code: codeAt(pending.key, now()) }, now())).toEqual({ ok: false, why: 'wrong-password' });
    const wrongCode = codeAt(pending.key, now(), 5);
    expect(await confirmEnrolment(node.ctx, user.id, { password: PASSWORD, code: wrongCode }, now())).toEqual({ ok: false, why: 'wrong-code' });
    expect(await hasSecondFactor(db(), user.id)).toBe(false);

    const confirmed = await confirmEnrolment(node.ctx, user.id, { password: PASSWORD, code: codeAt(pending.key, now()) }, now());
    expect(confirmed.ok).toBe(true);
    const codes = confirmed.ok ? confirmed.recoveryCodes : [];
    expect(codes).toHaveLength(10);
    for (const code of codes) expect(code).toMatch(/^[a-km-np-z2-9]{4}(-[a-km-np-z2-9]{4}){3}$/);
    expect(new Set(codes).size).toBe(10);
    expect(await secondFactorStatus(db(), user.id)).toEqual({ since: now().toISOString(), pending: false, recoveryCodesLeft: 10 });
    expect(await pendingEnrolment(node.ctx, user, 'Test organisation GR')).toBeUndefined();
    // One in force cannot be replaced by starting again.
    expect(await startEnrolment(node.ctx, user.id, now())).toBe(false);
    const entry = (await auditEntries()).find((e) => e.type === 'user.second-factor-enabled')!;
    expect(JSON.parse(entry.entry)).toMatchObject({ type: 'user.second-factor-enabled', user_id: user.id, actor: { kind: 'user', id: user.id } });
  });

  it('starting again before confirming replaces the secret (the first one\'s data key destroyed)', async () => {
    const { user } = await createUser(node.ctx.database, { username: 'fotini', role: 'auditor', password: PASSWORD }, now());
    await startEnrolment(node.ctx, user.id, now());
    const first = (await pendingEnrolment(node.ctx, user, 'x'))!.key;
    const keysBefore = await db().selectFrom('data_keys').select('id').where('id', 'like', 'second-factor:%').execute();
    await startEnrolment(node.ctx, user.id, now());
    const second = (await pendingEnrolment(node.ctx, user, 'x'))!.key;
    expect(second).not.toBe(first);
    const keysAfter = await db().selectFrom('data_keys').select('id').where('id', 'like', 'second-factor:%').execute();
    expect(keysAfter).toHaveLength(keysBefore.length);
    expect(await confirmEnrolment(node.ctx, user.id, { password: PASSWORD, code: codeAt(first, now()) }, now())).toEqual({ ok: false, why: 'wrong-code' });
  });
});

describe('codes at sign-in', () => {
  it('accepts the current code once, and refuses it (and any earlier one) afterwards', async () => {
    const { id, key } = await enrolled('georgia');
    const code = codeAt(key, now());
    expect(await verifySecondFactor(node.ctx, id, code, now())).toBe('totp');
    expect(await verifySecondFactor(node.ctx, id, code, now())).toBeUndefined();
    // Typed with a space, as apps show it: the same code, still used.
    expect(await verifySecondFactor(node.ctx, id, `${code.slice(0, 3)} ${code.slice(3)}`, now())).toBeUndefined();
    expect(await verifySecondFactor(node.ctx, id, codeAt(key, now(), -1), now())).toBeUndefined();
    net.clock.advance(30_000);
    expect(await verifySecondFactor(node.ctx, id, `${codeAt(key, now()).slice(0, 3)} ${codeAt(key, now()).slice(3)}`, now())).toBe('totp');
  });

  it('allows one step of clock drift either way, not two', async () => {
    const { id, key } = await enrolled('hara');
    // Two steps past the enrolment's code, so that the step before now was never used.
    net.clock.advance(60_000);
    expect(await verifySecondFactor(node.ctx, id, codeAt(key, now(), 2), now())).toBeUndefined();
    expect(await verifySecondFactor(node.ctx, id, codeAt(key, now(), -2), now())).toBeUndefined();
    // A phone 30 s behind: the previous step's code passes.
    expect(await verifySecondFactor(node.ctx, id, codeAt(key, now(), -1), now())).toBe('totp');
    // A phone 30 s ahead: the next step's code passes, and then the current one, an earlier step, no longer.
    expect(await verifySecondFactor(node.ctx, id, codeAt(key, now(), 1), now())).toBe('totp');
    expect(await verifySecondFactor(node.ctx, id, codeAt(key, now()), now())).toBeUndefined();
  });

  it('refuses what is not a code, and a code for a user without a second factor', async () => {
    const { id } = await enrolled('ioanna');
    for (const junk of ['', '12345', '1234567', 'abcdef', 'x'.repeat(500)]) expect(await verifySecondFactor(node.ctx, id, junk, now())).toBeUndefined();
    const { user } = await createUser(node.ctx.database, { username: 'no.factor', role: 'caseworker' }, now());
    expect(await verifySecondFactor(node.ctx, user.id, '123456', now())).toBeUndefined();
  });
});

describe('recovery codes', () => {
  it('each works once, in any case and with or without dashes; its use is audited without the code', async () => {
    const { id, codes } = await enrolled('kalliopi');
    expect(await verifySecondFactor(node.ctx, id, codes[3]!.toUpperCase().replace(/-/g, ' '), now())).toBe('recovery-code');
    expect(await verifySecondFactor(node.ctx, id, codes[3]!, now())).toBeUndefined();
    expect((await secondFactorStatus(db(), id)).recoveryCodesLeft).toBe(9);
    const used = (await auditEntries()).filter((e) => e.type === 'user.recovery-code-used').map((e) => JSON.parse(e.entry) as Record<string, unknown>);
    expect(used.at(-1)).toMatchObject({ user_id: id, left: 9 });
    // Another user's codes are not hers.
    const other = await enrolled('lina');
    expect(await verifySecondFactor(node.ctx, id, other.codes[0]!, now())).toBeUndefined();
  });

  it('new ones (with the password and a code) replace the old ones', async () => {
    const { id, codes } = await enrolled('maria');
    expect(await renewRecoveryCodes(node.ctx, id, { password: 'not the password', code: codes[1]! }, now())).toBe('wrong-password');
    // The password alone is not enough: the codes are a way past the second factor for good.
    expect(await renewRecoveryCodes(node.ctx, id, { password: PASSWORD, code: '000000' }, now())).toBe('wrong-code');
    expect((await secondFactorStatus(db(), id)).recoveryCodesLeft).toBe(10);
    const renewed = await renewRecoveryCodes(node.ctx, id, { password: PASSWORD, code: codes[1]! }, now());
    expect(Array.isArray(renewed) && renewed).toHaveLength(10);
    expect(await verifySecondFactor(node.ctx, id, codes[0]!, now())).toBeUndefined();
    expect(await verifySecondFactor(node.ctx, id, (renewed as string[])[0]!, now())).toBe('recovery-code');
    expect((await auditEntries()).some((e) => e.type === 'user.recovery-codes-renewed' && e.entry.includes(id))).toBe(true);
  });
});

describe('turning it off and removing it', () => {
  it('the user turns it off with her password and a code; the secret\'s data key is destroyed', async () => {
    const { id, key } = await enrolled('nefeli');
    const keyId = (await db().selectFrom('user_second_factors').select('key_id').where('user_id', '=', id).executeTakeFirstOrThrow()).key_id;
    expect(await turnOffSecondFactor(node.ctx, id, { password: 'wrong', code: codeAt(key, now()) }, now())).toBe('wrong-password');
    expect(await turnOffSecondFactor(node.ctx, id, { password: PASSWORD, code: codeAt(key, now(), 3) }, now())).toBe('wrong-code');
    expect(await turnOffSecondFactor(node.ctx, id, { password: PASSWORD, code: codeAt(key, now()) }, now())).toBe('removed');
    expect(await hasSecondFactor(db(), id)).toBe(false);
    expect(await db().selectFrom('data_keys').select('id').where('id', '=', `second-factor:${keyId}`).executeTakeFirst()).toBeUndefined();
    expect(await db().selectFrom('user_recovery_codes').select('digest').where('user_id', '=', id).execute()).toEqual([]);
    const removed = (await auditEntries()).filter((e) => e.type === 'user.second-factor-removed').map((e) => JSON.parse(e.entry) as Record<string, unknown>);
    expect(removed.at(-1)).toMatchObject({ user_id: id, actor: { kind: 'user', id } });
    expect(await turnOffSecondFactor(node.ctx, id, { password: PASSWORD, code: codeAt(key, now()) }, now())).toBe('not-enrolled');
  });

  it('an administrator removes it: audited with the administrator as actor, and the user\'s sessions end', async () => {
    const { id } = await enrolled('olga');
    const token = await createSession(node.ctx.database, id, now());
    const admin = (await db().selectFrom('users').select('id').where('username', '=', 'admin').executeTakeFirstOrThrow()).id;
    expect(await removeSecondFactor(node.ctx.database, id, now(), { kind: 'user', id: admin })).toBe(true);
    expect(await resumeSession(db(), token, now())).toBeUndefined();
    const removed = (await auditEntries()).filter((e) => e.type === 'user.second-factor-removed').map((e) => JSON.parse(e.entry) as Record<string, unknown>);
    expect(removed.at(-1)).toMatchObject({ user_id: id, actor: { kind: 'user', id: admin } });
    expect(await removeSecondFactor(node.ctx.database, id, now(), { kind: 'user', id: admin })).toBe(false);
  });

  it('the command line removes it: `user remove-second-factor <username>`', async () => {
    const { id } = await enrolled('penelope');
    const out = await cli('user', 'remove-second-factor', 'penelope', '--data', node.dataDir);
    expect(out).toContain('The second factor of penelope is removed');
    expect(await cli('user', 'remove-second-factor', 'penelope', '--data', node.dataDir)).toContain('penelope has no second factor; nothing changed.');
    const refused = await cliResult('user', 'remove-second-factor', 'nobody', '--data', node.dataDir);
    expect(refused.error?.message).toContain('There is no user nobody on this node.');
    expect(await hasSecondFactor(db(), id)).toBe(false);
  });
});

describe('the canary', () => {
  it('never keeps the secret or a recovery code in the clear: not in any table, the audit log or the logs', async () => {
    const { id, key, codes } = await enrolled('rhea');
    const secret = Secret.fromBase32(key.replace(/\s/g, ''));
    const bytes = new Uint8Array(secret.buffer);
    const forms = [key.replace(/\s/g, ''), key, b64u.encode(bytes), Buffer.from(bytes).toString('hex'), Buffer.from(bytes).toString('base64')];
    const rows = JSON.stringify(await snapshot(node));
    const audit = (await auditEntries()).map((e) => e.entry).join('\n');
    for (const text of [rows, audit, node.logs()]) {
      for (const form of forms) expect(text).not.toContain(form);
      for (const code of codes) {
        expect(text).not.toContain(code);
        expect(text).not.toContain(code.replace(/-/g, ''));
      }
    }
    // What is stored: the secret sealed, and digests.
    const factor = await db().selectFrom('user_second_factors').selectAll().where('user_id', '=', id).executeTakeFirstOrThrow();
    expect(factor.secret_sealed).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  });
});
