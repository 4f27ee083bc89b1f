// Password hashing off the event loop (issue 17 item 2): the hashes libsodium made (every stored
// password before the change) verify, libsodium verifies the new ones, the parameters and the form
// are the same, and the event loop goes on while several passwords are hashed.
import { NO_ADDRESS } from '../../node/net/client-address.js';
import { describe, expect, it } from 'vitest';
import { loadSodium } from '../../node/crypto/sodium.js';
import { checkCredentials } from '../../node/users/sessions.js';
import { createTestNetwork } from '../_util/test-node.js';
import { hashPassword, PASSWORD_HASH_OPTIONS, verifyPassword } from '../../node/users/passwords.js';

/** Made by the node before the change (libsodium's crypto_pwhash_str, interactive limits) for 'an old password, Καλημέρα'. */
const STORED_BY_LIBSODIUM = '$argon2id$v=19$m=65536,t=2,p=1$VO+gZqerlQH46s1rvGaEbQ$Nd3bzI9Uj+2jWJ2cIzhbrYcKxW0SOhRyJh5iI0WwtE0';

describe('password hashes', () => {
  it('verifies a hash stored before the change, and refuses a wrong password', async () => {
    expect(await verifyPassword(STORED_BY_LIBSODIUM, 'an old password, Καλημέρα')).toBe(true);
    expect(await verifyPassword(STORED_BY_LIBSODIUM, 'an old password, Καλημερα')).toBe(false);
    expect(await verifyPassword(STORED_BY_LIBSODIUM, '')).toBe(false);
  });

  it('verifies what libsodium hashes now, with any characters', async () => {
    const sodium = await loadSodium();
    for (const password of ['correct horse battery staple', 'Zürich-Σοφία-Дом-🙂', ' ']) {
      const stored = sodium.crypto_pwhash_str(password, sodium.crypto_pwhash_OPSLIMIT_INTERACTIVE, sodium.crypto_pwhash_MEMLIMIT_INTERACTIVE);
      expect(await verifyPassword(stored, password)).toBe(true);
      expect(await verifyPassword(stored, `${password}x`)).toBe(false);
    }
  });

  it('makes hashes libsodium verifies, with libsodium\'s interactive parameters and in its form', async () => {
    const sodium = await loadSodium();
    const password = 'Zürich-Σοφία-Дом-🙂';
    const stored = await hashPassword(password);
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=65536,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(sodium.crypto_pwhash_str_verify(stored, password)).toBe(true);
    expect(sodium.crypto_pwhash_str_verify(stored, 'Zurich-Σοφία-Дом-🙂')).toBe(false);
    expect(sodium.crypto_pwhash_str_needs_rehash(stored, sodium.crypto_pwhash_OPSLIMIT_INTERACTIVE, sodium.crypto_pwhash_MEMLIMIT_INTERACTIVE)).toBe(false);
    expect(PASSWORD_HASH_OPTIONS.timeCost).toBe(sodium.crypto_pwhash_OPSLIMIT_INTERACTIVE);
    expect(PASSWORD_HASH_OPTIONS.memoryCost! * 1024).toBe(sodium.crypto_pwhash_MEMLIMIT_INTERACTIVE);
  });

  it('salts every hash anew', async () => {
    const [a, b] = await Promise.all([hashPassword('same'), hashPassword('same')]);
    expect(a).not.toBe(b);
    expect(await verifyPassword(a, 'same')).toBe(true);
    expect(await verifyPassword(b, 'same')).toBe(true);
  });

  it('answers false, not an error, for a stored value that is no argon2 hash', async () => {
    for (const stored of ['', 'not a hash', '$argon2id$v=19$m=65536,t=2,p=1$short$short', '$2b$10$abcdefghijklmnopqrstuv']) {
      expect(await verifyPassword(stored, 'anything')).toBe(false);
    }
  });
});

describe('the event loop while passwords are hashed', () => {
  it('keeps running timers while several hashes and verifications are in progress', async () => {
    const stored = await hashPassword('warm-up');
    const work = [...Array.from({ length: 3 }, (_, i) => hashPassword(`password ${i}`)), ...Array.from({ length: 3 }, () => verifyPassword(stored, 'wrong'))];
    let done = false;
    const all = Promise.all(work).finally(() => (done = true));
    // A timer that runs again and again: each turn it takes while the work is unfinished counts.
    let turnsDuringWork = 0;
    await new Promise<void>((enough) => {
      const turn = () => {
        if (done) return enough();
        turnsDuringWork += 1;
        if (turnsDuringWork >= 5) return enough();
        setTimeout(turn, 0);
      };
      setTimeout(turn, 0);
    });
    // Hashing on the event loop (libsodium's crypto_pwhash_str, as before) would run all six in one
    // go and let the timer in only after them.
    expect(done).toBe(false);
    expect(turnsDuringWork).toBe(5);
    await all;
  });

  it('answers /healthz while sign-ins are being checked', async () => {
    const net = await createTestNetwork(1, { trust: false });
    try {
      const node = net.nodes[0]!;
      let done = false;
      const signIns = Promise.all(Array.from({ length: 6 }, () => checkCredentials(node.ctx.database.db, node.ctx.throttles.signIn, { username: 'admin', password: 'not the password', address: NO_ADDRESS }, new Date()))).finally(() => (done = true));
      let answeredDuring = 0;
      while (!done && answeredDuring < 3) {
        const response = await node.request('/healthz');
        expect(response.status).toBe(200);
        if (!done) answeredDuring += 1;
      }
      expect(answeredDuring).toBe(3);
      expect(await signIns).toEqual(Array(6).fill({ ok: false, why: 'credentials' }));
    } finally {
      await net.close();
    }
  });
});
