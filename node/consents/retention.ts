// The retention policy: the personal data of a referral closed for longer than the retention
// period is erased, on each node by its own clock and policy. A receiver then tells the sender
// with a signed erasure.receipt (reason: retention), as after a withdrawal.
import type { NodeContext } from '../context.js';
import { startPeriodic, type Periodic } from '../periodic.js';
import type { AuditActor } from '../audit-log/events.js';
import { queuedMessageReferralIds } from '../delivery/outbox.js';
import { closedUnerasedBefore, consentsWithUnerasedReferrals, findReferral } from '../referrals/state.js';
import { eraseConsentForm, formsWithConsents } from './form.js';
import { eraseReferralData } from './erasure.js';
import { completeErasures } from '../data-keys/shredding.js';
import { queueErasureReceipt } from './withdrawal.js';

const RETENTION: AuditActor = { kind: 'system', id: 'retention' };
const BATCH = 100;
const DAY_MS = 24 * 60 * 60_000;

/** Erases every referral closed (last changed) more than `retentionDays` ago. Returns how many. */
export async function eraseAfterRetention(ctx: NodeContext, retentionDays: number, afterCommit: () => void = () => {}): Promise<number> {
  let erased = 0;
  for (;;) {
    const now = ctx.clock.now();
    const cutoff = new Date(now.getTime() - retentionDays * DAY_MS).toISOString();
    // A message of ours still waiting (a withdrawal, a last update) goes first: erasing would cancel it.
    const waiting = await queuedMessageReferralIds(ctx.database.db);
    const due = await closedUnerasedBefore(ctx.database.db, cutoff, waiting, BATCH);
    for (const id of due) {
      await ctx.database.transaction(async (tx, onCommit) => {
        const referral = await findReferral(tx, id);
        if (!referral || referral.erased_at) return;
        await eraseReferralData(tx, id, 'retention', RETENTION, now);
        if (referral.direction === 'incoming') {
          const erasedRow = (await findReferral(tx, id))!;
          await queueErasureReceipt(tx, ctx, erasedRow, RETENTION, now, {});
          onCommit(afterCommit);
        }
      });
      erased += 1;
    }
    if (due.length < BATCH) break;
  }
  const forms = await eraseConsentForms(ctx, retentionDays);
  // Every run, not only after an erasure: an earlier run may have been kept from finishing.
  await completeErasures(ctx);
  if (erased + forms > 0) {
    ctx.logger.info({ referrals: erased, consentForms: forms, retentionDays }, 'personal data erased after the retention period');
  }
  return erased;
}

/**
 * A scanned consent form is the evidence that the consent was given, kept while any referral
 * made under it still holds data; once the consent ended (expired or withdrawn for all) more than
 * the retention period ago and no referral under it is left unerased, the form is erased too.
 * The consent record itself holds no personal data and stays, for the audit log.
 */
async function eraseConsentForms(ctx: NodeContext, retentionDays: number): Promise<number> {
  const now = ctx.clock.now();
  const cutoff = new Date(now.getTime() - retentionDays * DAY_MS).toISOString();
  const forms = await formsWithConsents(ctx.database.db);
  const holding = await consentsWithUnerasedReferrals(ctx.database.db, forms.map((f) => f.id));
  const due = forms.filter((f) => !holding.has(f.id));
  let erased = 0;
  for (const consent of due) {
    const recipients = JSON.parse(consent.recipients) as string[];
    const withdrawnFor = JSON.parse(consent.withdrawn_for) as string[];
    const endedAt = recipients.every((r) => withdrawnFor.includes(r)) && consent.withdrawn_at && consent.withdrawn_at < consent.valid_until ? consent.withdrawn_at : consent.valid_until;
    if (endedAt >= cutoff) continue;
    await ctx.database.transaction((tx) => eraseConsentForm(tx, consent.id, now, RETENTION));
    erased += 1;
  }
  return erased;
}

export function startRetentionTimer(ctx: NodeContext, retentionDays: number, afterCommit: () => void, everyMs = 60 * 60_000): Periodic {
  return startPeriodic(ctx, 'retention run', everyMs, () => eraseAfterRetention(ctx, retentionDays, afterCommit));
}
