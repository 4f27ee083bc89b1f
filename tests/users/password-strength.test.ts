// Passwords people choose (issue 17 item 5): besides the minimum length, a password that is common,
// leaked, a keyboard walk or made of the user's own name is refused, offline, by zxcvbn's estimate;
// a passphrase of unrelated words is accepted. Generated passwords always pass.
import { describe, expect, it } from 'vitest';
import { isGuessablePassword } from '../../node/users/password-strength.js';
import { createUser, passwordProblem, UserError } from '../../node/users/service.js';
import { generatePassword } from '../../node/users/passwords.js';
import { createTestNetwork } from '../_util/test-node.js';

describe('the password check', () => {
  it('refuses common and leaked passwords, keyboard walks and passwords made of the user name', async () => {
    expect(await passwordProblem('password1234', ['dora'])).toBe('guessable');
    expect(await passwordProblem('qwertyuiop12', ['dora'])).toBe('guessable');
    expect(await passwordProblem('Password1234!', ['dora'])).toBe('guessable');
    expect(await passwordProblem('p4ssw0rd1234', ['dora'])).toBe('guessable');
    expect(await passwordProblem('dora.kalogeraki2024', ['dora.kalogeraki'])).toBe('guessable');
    // The same password is accepted for someone whose name it is not made of.
    expect(await isGuessablePassword('dora.kalogeraki2024', ['anna.admin'])).toBe(false);
  });

  it('accepts a passphrase of unrelated words, and every generated password', async () => {
    expect(await passwordProblem('a much longer new passphrase', ['dora'])).toBeUndefined();
    expect(await passwordProblem('Tr4vel-by-night-ferry', ['dora'])).toBeUndefined();
    for (let i = 0; i < 5; i++) expect(await passwordProblem(await generatePassword(), ['dora'])).toBeUndefined();
  });

  it('still says first that a password is too short or too long', async () => {
    expect(await passwordProblem('short', ['dora'])).toBe('too-short');
    expect(await passwordProblem('x'.repeat(201), ['dora'])).toBe('too-long');
  });

  it('refuses a guessable password given to createUser (as the command line would), with a sentence, and creates no one', async () => {
    const net = await createTestNetwork(1);
    try {
      const node = net.nodes[0]!;
      const attempt = createUser(node.ctx.database, { username: 'maria.konstantinou', role: 'caseworker', password: 'maria.konstantinou1' }, net.clock.now());
      await expect(attempt).rejects.toThrow(UserError);
      await expect(attempt).rejects.toThrow(/too easy to guess/);
      expect(await node.ctx.database.db.selectFrom('users').select('id').where('username', '=', 'maria.konstantinou').executeTakeFirst()).toBeUndefined();
      await createUser(node.ctx.database, { username: 'maria.konstantinou', role: 'caseworker', password: 'olive grove under snow' }, net.clock.now());
    } finally {
      await net.close();
    }
  });
});
