// Fault tests for the outbox: real node processes on loopback, a backlog of lifecycle messages
// queued on the receiver (B) while the sender of the offers (A) is down, and then the restart of
// A, or the death of B (SIGKILL) halfway through delivering the backlog. Nothing may be lost,
// applied twice, or applied out of order within a referral.
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, pollUntil, type RunningNode } from '../_util/processes.js';
import {
  PLAN,
  appliedOnA,
  diagnose,
  envelopesOf,
  expectBacklogDelivered,
  queuePlan,
  sendOffers,
  startPair,
  waitForState,
  type EnvelopeRow,
} from './_backlog.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a backlog of lifecycle messages for a peer that is down', () => {
  afterAll(async () => {
    await cleanup.run();
  }, 60_000);

  it('a peer stopped while 200 messages are queued gets all of them when it starts again, in order per referral, none twice', async () => {
    const { a, b } = await startPair();
    const ids = await sendOffers(a, b, 40);

    expect(await a.stop('SIGTERM'), a.logs()).toBe(0);
    await queuePlan(b, ids);

    const queued = await envelopesOf(b, 'outgoing', ids);
    expect(queued).toHaveLength(200);
    expect(queued.filter((r) => r.delivery_state !== 'queued')).toEqual([]);

    // B's worker has tried A and failed: connection refused, backoff growing.
    const tried = await pollUntil(
      async () => {
        const rows = await envelopesOf(b, 'outgoing', ids);
        return rows.some((r) => r.attempts > 0) ? rows : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 250, what: `${b.name}'s worker to try A` },
    );
    await sleep(3_000);
    const failed = tried.filter((r) => r.attempts > 0);
    expect(failed.length).toBeGreaterThan(0);
    for (const row of failed) {
      expect(row.delivery_state).toBe('queued');
      expect(row.last_error).toMatch(/^network/);
      // Only the first message of a referral is ever tried: the others wait behind it.
      expect(row.seq).toBe(1);
    }
    expect((await envelopesOf(b, 'outgoing', ids)).filter((r) => r.delivery_state !== 'queued')).toEqual([]);

    await a.restart();
    // Backoff may have grown to tens of seconds while A was down.
    await waitForState(a, b, ids, 'completed', 150_000);
    await expectBacklogDelivered(a, b, ids);
  }, 200_000);

  it('the sender killed with SIGKILL in the middle of a backlog loses nothing and duplicates nothing after a restart', async () => {
    const { a, b } = await startPair();
    const all: string[] = [];
    let atKill: EnvelopeRow[] | undefined;

    // Normally the first setup hits the window (delivery takes at least one worker round per
    // message of a referral, a second apart); should it be missed, set up a larger backlog.
    for (let setup = 1; setup <= 3 && !atKill; setup++) {
      const ids = await sendOffers(a, b, 30 * setup);
      all.push(...ids);
      expect(await a.stop('SIGTERM'), a.logs()).toBe(0);
      await queuePlan(b, ids);
      const total = ids.length * PLAN.length;
      expect((await envelopesOf(b, 'outgoing', ids)).filter((r) => r.delivery_state === 'queued')).toHaveLength(total);

      await a.restart();
      // Watch B's outbox every 50 ms; the moment part, but not all, of the backlog is
      // delivered, B dies without any chance to finish what it is doing.
      const deadline = Date.now() + 120_000;
      while (Date.now() < deadline) {
        const delivered = (await envelopesOf(b, 'outgoing', ids)).filter((r) => r.delivery_state === 'delivered').length;
        if (delivered > 0 && delivered < total) {
          await b.stop('SIGKILL');
          atKill = await envelopesOf(b, 'outgoing', all);
          break;
        }
        if (delivered === total) break;
        await sleep(50);
      }
      if (!atKill && Date.now() >= deadline) throw new Error(`Delivery never started.\n${await diagnose(a, b, ids)}`);
    }
    expect(atKill, 'the kill window (0 < delivered < all) was missed three times').toBeDefined();
    expect(b.running()).toBe(false);

    const total = all.length * PLAN.length;
    const deliveredAtKill = atKill!.filter((r) => r.delivery_state === 'delivered');
    expect(deliveredAtKill.length).toBeGreaterThan(0);
    expect(deliveredAtKill.length).toBeLessThan(total);
    expect(atKill!.filter((r) => r.delivery_state !== 'delivered' && r.delivery_state !== 'queued')).toEqual([]);

    // Messages A applied (and answered) whose receipt B had not yet recorded when it died.
    const onA = new Set((await envelopesOf(a, 'incoming', all)).map((r) => r.id));
    const inDoubt = atKill!.filter((r) => r.delivery_state === 'queued' && onA.has(r.id));
    const leased = atKill!.filter((r) => r.delivery_state === 'queued' && r.lease_until !== null);
    console.info(
      `[backlog] B killed with ${deliveredAtKill.length}/${total} delivered; in flight (leased): ${leased.map((r) => r.id).join(', ') || 'none'};` +
        ` applied on A but not marked delivered on B: ${inDoubt.map((r) => r.id).join(', ') || 'none'}`,
    );

    // Why a message that A applied, but that B never marked delivered, is harmless: after the
    // restart B's worker (which first releases the lease the dead process held) posts the same
    // envelope again; the payload P is byte-identical on every attempt (only the outer JWS is signed
    // afresh), so A finds the envelope id already processed with the same SHA-256(P) (step 8 of
    // the receiver's checks in federation.yaml) and answers 200 with the receipt it stored in the
    // same transaction that applied the message, without applying it again. B verifies that
    // receipt (same envelope id, same digest) and marks the envelope delivered. Hence below: the
    // receipt B holds equals the one A stored, and A logged "envelope received" once per id.
    await b.restart();
    // The serving node releases leases left by the process that died, rather than waiting them out.
    await pollUntil(
      async () => {
        const now = await envelopesOf(b, 'outgoing', all);
        return leased.every((row) => now.find((r) => r.id === row.id)!.lease_until !== row.lease_until) || undefined;
      },
      { timeoutMs: 20_000, what: 'the dead process\'s leases to be released' },
    );
    await waitForState(a, b, all, 'completed', 150_000);
    await expectBacklogDelivered(a, b, all);

    const after = new Map((await envelopesOf(b, 'outgoing', all)).map((r) => [r.id, r]));
    const applied = await appliedOnA(a);
    for (const row of inDoubt) {
      expect(after.get(row.id)!.attempts, `${row.id} was posted again after the restart`).toBeGreaterThan(row.attempts);
      expect(applied.get(row.id), `${row.id} was applied once`).toBe(1);
    }
    // Deliveries B recorded before it died stay as they were: not sent again.
    for (const row of deliveredAtKill) {
      const now = after.get(row.id)!;
      expect([now.attempts, now.delivered_at, now.receipt]).toEqual([row.attempts, row.delivered_at, row.receipt]);
    }
  }, 200_000);

  it('the receiver killed with SIGKILL while messages arrive side by side (sharing commits) keeps every message it gave a receipt for', async () => {
    const { a, b } = await startPair();
    const all: string[] = [];
    let receiptedAtKill: EnvelopeRow[] | undefined;
    let commitsAtKill = '';

    for (let setup = 1; setup <= 3 && !receiptedAtKill; setup++) {
      const ids = await sendOffers(a, b, 40 * setup);
      all.push(...ids);
      expect(await a.stop('SIGTERM'), a.logs()).toBe(0);
      await queuePlan(b, ids);
      const total = ids.length * PLAN.length;
      await a.restart();
      // A (the receiver now) takes B's backlog, up to eight posts at a time; the moment part of it
      // is receipted (a quarter: by then posts arrive side by side), A dies with whatever
      // transactions it was committing.
      const deadline = Date.now() + 120_000;
      while (Date.now() < deadline) {
        const delivered = (await envelopesOf(b, 'outgoing', ids)).filter((r) => r.delivery_state === 'delivered').length;
        if (delivered >= total / 4 && delivered < total) {
          const metrics = await (await a.api('/metrics')).text();
          commitsAtKill = metrics.split('\n').filter((l) => /^referral_node_db_(transactions|commits)_total /.test(l)).join(', ');
          await a.stop('SIGKILL');
          break;
        }
        if (delivered === total) break;
        await sleep(50);
      }
      if (a.running()) throw new Error(`Delivery never started.\n${await diagnose(a, b, ids)}`);
      if (commitsAtKill === '') {
        // Missed the window: everything went through before a look. Try a larger backlog.
        await a.restart();
        continue;
      }
      // B may still be recording the last receipts A gave before it died: wait until its outbox
      // is still (nothing leased, no attempt under way), then take what B holds receipts for.
      receiptedAtKill = await pollUntil(
        async () => {
          const rows = await envelopesOf(b, 'outgoing', all);
          const settled = rows.every((r) => r.delivery_state !== 'queued' || r.lease_until === null || r.lease_until < new Date().toISOString());
          return settled && rows.some((r) => r.attempts > 0 && r.delivery_state === 'queued') ? rows.filter((r) => r.delivery_state === 'delivered') : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 100, what: `${b.name} to notice that A is gone` },
      );
    }
    expect(receiptedAtKill, 'the kill window (0 < receipted < all) was missed three times').toBeDefined();
    console.info(`[backlog] A killed with ${receiptedAtKill!.length} messages receipted; ${commitsAtKill}`);

    // Every message B holds a receipt for is in A's database as A left it when it died, with that receipt.
    const onA = new Map((await envelopesOf(a, 'incoming', all)).map((r) => [r.id, r]));
    for (const row of receiptedAtKill!) {
      expect(onA.get(row.id)?.receipt, `${row.id}: receipted by A but not in its database after SIGKILL`).toBe(row.receipt);
    }

    await a.restart();
    await waitForState(a, b, all, 'completed', 150_000);
    await expectBacklogDelivered(a, b, all);
  }, 300_000);
});
