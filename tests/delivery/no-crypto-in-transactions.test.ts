// The hot path's transactions only write (issue: a lean hot path): creating a referral, receiving
// its offer and keeping the receipt seal, sign and wrap nothing while the write lock is held; all
// of that is done before the transaction begins. Every libsodium call and every WebCrypto
// signature or verification is counted while one of the nodes' transactions runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSodium } from '../../node/crypto/sodium.js';
import type { Database } from '../../node/db/database.js';
import { createReferral } from '../../node/referrals/service.js';
import { sendLifecycleMessage } from '../../node/referrals/messages.js';
import { adminIdOf, createTestNetwork, referralRequest, type TestNetwork, type TestNode } from '../_util/test-node.js';

let net: TestNetwork;
let gr: TestNode;
let at: TestNode;
/** Transactions running now, on either node; and the crypto calls made meanwhile, by name. */
let open = 0;
const inTransaction: string[] = [];
const restore: Array<() => void> = [];

function countTransactions(database: Database): void {
  const original = database.transaction.bind(database);
  database.transaction = (fn) =>
    original(async (tx, onCommit) => {
      open += 1;
      try {
        return await fn(tx, onCommit);
      } finally {
        open -= 1;
      }
    });
}

function spy<T extends object>(target: T, name: keyof T & string, label: string): void {
  const original = target[name] as unknown as (...args: unknown[]) => unknown;
  (target as Record<string, unknown>)[name] = function (this: unknown, ...args: unknown[]) {
    if (open > 0) inTransaction.push(label);
    return original.apply(this, args);
  };
  restore.push(() => ((target as Record<string, unknown>)[name] = original));
}

beforeAll(async () => {
  net = await createTestNetwork(2);
  [gr, at] = net.nodes as [TestNode, TestNode];
  countTransactions(gr.ctx.database);
  countTransactions(at.ctx.database);
  const sodium = await loadSodium();
  for (const name of Object.keys(sodium) as Array<keyof typeof sodium & string>) {
    if (/^(crypto_|randombytes)/.test(name) && typeof sodium[name] === 'function') spy(sodium, name, name);
  }
  spy(globalThis.crypto.subtle, 'sign', 'subtle.sign');
  spy(globalThis.crypto.subtle, 'verify', 'subtle.verify');
});
afterAll(async () => {
  for (const undo of restore) undo();
  await net.close();
});


describe('the transactions of the hot path', () => {
  it('seal, sign and wrap nothing while they hold the write lock: creating a referral, answering it with notes, receiving, keeping receipts', async () => {
    // The first referral of the month may make the month's keyring key (inside a transaction, as
    // the keyring is only changed there); what is measured is the steady state after it.
    await createReferral(gr.ctx, { userId: await adminIdOf(gr) }, referralRequest(at.id));
    await net.settle();
    inTransaction.length = 0;

    const referral = await createReferral(gr.ctx, { userId: await adminIdOf(gr) }, referralRequest(at.id));
    expect(inTransaction).toEqual([]);
    await net.settle();
    expect(inTransaction).toEqual([]);

    // The receiver answers with notes; the sender receives them and keeps the receipts.
    await sendLifecycleMessage(at.ctx, { userId: await adminIdOf(at) }, referral.id, 'referral.accept', { note: 'We can see her on Monday.' });
    await sendLifecycleMessage(at.ctx, { userId: await adminIdOf(at) }, referral.id, 'referral.update', { status: 'first-contact-made', note: 'First meeting held.' });
    expect(inTransaction).toEqual([]);
    await net.settle();
    expect(inTransaction).toEqual([]);
    const events = await gr.ctx.database.db.selectFrom('referral_events').select(['action', 'payload_id']).where('referral_id', '=', referral.id).execute();
    expect(events.filter((e) => e.action !== 'referral.offer' && e.action !== 'receipt' && e.payload_id !== null).map((e) => e.action)).toEqual(['referral.accept', 'referral.update']);

    // The control: the spies see crypto outside transactions (sealing, signing, verifying happened).
    open += 1;
    await createReferral(gr.ctx, { userId: await adminIdOf(gr) }, referralRequest(at.id));
    open -= 1;
    expect(inTransaction).toEqual(expect.arrayContaining(['crypto_box_seal', 'crypto_aead_xchacha20poly1305_ietf_encrypt']));
    // And the referral went through: offered, accepted, in progress.
    const state = await gr.ctx.database.db.selectFrom('referrals').select('state').where('id', '=', referral.id).executeTakeFirstOrThrow();
    expect(state.state).toBe('in-progress');
  });
});
