// The referral lifecycle from the sender's side (spec: MessageType, its two tables and "Order"):
// the kit brings a referral of its own into each state the target can reach (the receiver's part
// through the target's local API, with --admin-token), then sends every sender message type: the
// ones the table allows must be receipted, the others refused with illegal-transition. A consent
// withdrawal must bring the target's erasure.receipt back, and the erased referral is then
// answered like one never held.
import { randomUUID } from 'node:crypto';
import { validatorFor } from '../../schema/validators.js';
import { decodeCompact, jsonPayloadOf, verifyCompact } from '../crypto.js';
import type { ReceiverAction } from '../admin.js';
import type { Delivery } from '../peer-server.js';
import { SPEC } from '../report.js';
import {
  acceptBody, consentWithdrawBody, inquiryBody, infoResponseBody, offerBody, receiptProblems, send, targetTakes, withdrawBody, type RunContext,
} from '../run-context.js';
import { describe, problemMismatch } from '../target.js';

export type ReceiverState = 'inquiry' | 'inquiry-answered' | 'delivered' | 'info-requested' | 'accepted' | 'in-progress' | 'completed' | 'declined' | 'withdrawn' | 'expired';
type SenderMessage = 'referral.inquiry' | 'referral.offer' | 'referral.info-response' | 'referral.withdraw' | 'consent.withdraw';

/**
 * The sender's messages tried in every state. `referral.inquiry` is allowed from (new) only: it is
 * tried once on a referral under way (lifecycle.inquiry-again), since its refusal does not depend
 * on the state.
 */
const SENDER_MESSAGES: readonly SenderMessage[] = ['referral.offer', 'referral.info-response', 'referral.withdraw', 'consent.withdraw'];

/** The states, as the receiver holds them, from which the sender may send each message (both tables). */
const ALLOWED_FROM: Record<SenderMessage, readonly ReceiverState[]> = {
  'referral.inquiry': [],
  'referral.offer': ['inquiry-answered'],
  'referral.info-response': ['info-requested'],
  'referral.withdraw': ['inquiry', 'inquiry-answered', 'delivered', 'info-requested', 'accepted', 'in-progress'],
  'consent.withdraw': ['inquiry', 'inquiry-answered', 'delivered', 'info-requested', 'accepted', 'in-progress', 'completed', 'declined', 'withdrawn', 'expired'],
};

/** What the receiver does to reach a state, and the message the kit then receives from it. */
const RECEIVER_STEPS: Partial<Record<ReceiverState, { from: ReceiverState; action: ReceiverAction; message: string }>> = {
  'inquiry-answered': { from: 'inquiry', action: 'inquiry-answer', message: 'referral.inquiry-answer' },
  'info-requested': { from: 'delivered', action: 'info-request', message: 'referral.info-request' },
  accepted: { from: 'delivered', action: 'accept', message: 'referral.accept' },
  'in-progress': { from: 'accepted', action: 'update', message: 'referral.update' },
  completed: { from: 'accepted', action: 'complete', message: 'referral.complete' },
  declined: { from: 'delivered', action: 'decline', message: 'referral.decline' },
};

interface KitReferral {
  id: string;
  /** The kit's last sequence number the target applied. */
  seq: number;
  consentId?: string;
}

const ORDERED_STATES: readonly ReceiverState[] = ['inquiry', 'inquiry-answered', 'delivered', 'info-requested', 'accepted', 'in-progress', 'completed', 'declined', 'withdrawn', 'expired'];

export async function checkLifecycle(ctx: RunContext): Promise<void> {
  const walk = new LifecycleWalk(ctx);
  const expiring = walk.startExpiry();
  for (const state of ORDERED_STATES) {
    if (state === 'expired') continue;
    await walk.checkState(state);
  }
  await walk.finishExpiry(await expiring);
  walk.reportErasures();
  walk.reportReceiverMessages();
}

class LifecycleWalk {
  private readonly erasures: string[] = [];
  private erasureCount = 0;
  private erasedChecked = false;
  private readonly received: Delivery[] = [];

  constructor(private readonly ctx: RunContext) {}

  private get findings() {
    return this.ctx.findings;
  }

  /** Why a state cannot be reached with what the kit has, or undefined. */
  private unreachable(state: ReceiverState): string | undefined {
    if ((state === 'inquiry' || state === 'inquiry-answered') && !targetTakes(this.ctx, 'referral.inquiry')) return 'the target does not list referral.inquiry in its message_types';
    if (!this.ctx.admin && (RECEIVER_STEPS[state] || state === 'expired')) return 'the receiver\'s part needs the target\'s local API: give --admin-token';
    if (state === 'in-progress' || state === 'completed') return this.unreachable('accepted');
    return undefined;
  }

  /** Sends one kit message on `referral` with its next seq (or the seq given); the receipt advances it. */
  private async sendMessage(referral: KitReferral, type: SenderMessage | 'referral.accept', options: { seq?: number; replyBy?: string } = {}) {
    const seq = options.seq ?? referral.seq + 1;
    let body: Record<string, unknown>;
    switch (type) {
      case 'referral.inquiry':
        body = inquiryBody(referral.id);
        break;
      case 'referral.offer': {
        body = offerBody(this.ctx, referral.id, options.replyBy ? { replyBy: options.replyBy } : {});
        if (referral.consentId === undefined) referral.consentId = (body.consent as { id: string }).id;
        else (body.consent as { id: string }).id = referral.consentId;
        break;
      }
      case 'referral.info-response':
        body = infoResponseBody(referral.id);
        break;
      case 'referral.withdraw':
        body = withdrawBody(referral.id);
        break;
      case 'consent.withdraw':
        // A referral begun by an inquiry and not yet offered has no consent: any id is taken (spec: ConsentWithdrawBody).
        body = consentWithdrawBody(referral.id, referral.consentId ?? randomUUID());
        break;
      default:
        body = acceptBody(referral.id);
    }
    const sent = await send(this.ctx, { type, referralId: referral.id, seq, body });
    if (sent.answer.status === 200) referral.seq = seq;
    return sent;
  }

  /** A new referral of the kit's in `state` at the target; or why it could not be brought there. */
  private async reach(state: ReceiverState, replyBy?: string): Promise<KitReferral | string> {
    if (state === 'inquiry' || state === 'delivered') {
      const referral: KitReferral = { id: randomUUID(), seq: 0 };
      this.ctx.server.expectReferral(referral.id);
      const sent = await this.sendMessage(referral, state === 'inquiry' ? 'referral.inquiry' : 'referral.offer', replyBy ? { replyBy } : {});
      const problems = await receiptProblems(this.ctx, sent.answer, sent.sealed);
      return problems.length === 0 ? referral : `the ${state === 'inquiry' ? 'inquiry' : 'offer'} was not receipted: ${problems.join('; ')}`;
    }
    if (state === 'withdrawn') {
      const referral = await this.reach('delivered');
      if (typeof referral === 'string') return referral;
      const sent = await this.sendMessage(referral, 'referral.withdraw');
      return sent.answer.status === 200 ? referral : `the withdrawal was not receipted: ${describe(sent.answer)}`;
    }
    const step = RECEIVER_STEPS[state]!;
    const referral = await this.reach(step.from);
    if (typeof referral === 'string') return referral;
    const refused = await this.ctx.admin!.act(referral.id, step.action);
    if (refused) return refused;
    const arrived = await this.ctx.server.waitFor((d) => d.referralId === referral.id && d.type === step.message, this.ctx.deliveryWaitMs);
    if (!arrived) return `the target did not deliver ${step.message} to the kit within ${this.ctx.deliveryWaitMs / 1000} s`;
    this.received.push(arrived);
    return referral;
  }

  private messagesIn(state: ReceiverState) {
    // The kit sends no type the target does not list (spec: Envelope construction (sender)).
    const taken = SENDER_MESSAGES.filter((m) => targetTakes(this.ctx, m));
    return {
      allowed: taken.filter((m) => ALLOWED_FROM[m].includes(state)),
      refused: taken.filter((m) => !ALLOWED_FROM[m].includes(state)),
      notTaken: SENDER_MESSAGES.filter((m) => !targetTakes(this.ctx, m)),
    };
  }

  private idOf = (state: ReceiverState, message: string) => `lifecycle.${state}.${message.replace(/^referral\./, '')}`;
  private whatOf = (state: ReceiverState, message: string, ok: boolean) => (ok ? `${message} from ${state} is receipted` : `${message} from ${state} → 409 illegal-transition`);
  private specOf = (message: string) => (message === 'consent.withdraw' ? SPEC.erasure : SPEC.lifecycle);

  private skipState(state: ReceiverState, why: string): void {
    const { allowed, refused } = this.messagesIn(state);
    for (const m of [...refused, ...allowed]) this.findings.skip(this.idOf(state, m), this.whatOf(state, m, allowed.includes(m)), this.specOf(m), why);
  }

  async checkState(state: ReceiverState, prepared?: KitReferral | string): Promise<void> {
    const why = this.unreachable(state);
    if (why) return this.skipState(state, why);
    const { allowed, refused, notTaken } = this.messagesIn(state);
    for (const m of notTaken) this.findings.skip(this.idOf(state, m), this.whatOf(state, m, ALLOWED_FROM[m].includes(state)), this.specOf(m), `the target does not list ${m} in its message_types`);
    const first = prepared ?? (await this.reach(state));
    if (typeof first === 'string') {
      this.findings.fail(`lifecycle.${state}.reach`, `a referral of the kit's reaches ${state} at the target`, SPEC.lifecycle, first);
      return this.skipState(state, `no referral in ${state}`);
    }
    if (state === 'inquiry' || state === 'delivered') {
      const message = state === 'inquiry' ? 'referral.inquiry' : 'referral.offer';
      this.findings.pass(`lifecycle.new.${message.slice('referral.'.length)}`, `${message} starts a referral (from new) and is receipted`, SPEC.lifecycle);
    }
    for (const m of refused) {
      const { answer } = await this.sendMessage(first, m);
      this.findings.expect(this.idOf(state, m), this.whatOf(state, m, false), this.specOf(m), [problemMismatch(answer, 'illegal-transition', 409)]);
    }
    if (state === 'delivered') await this.checkOrder(first);
    for (const [i, m] of allowed.entries()) {
      const referral = i === 0 ? first : await this.reach(state);
      if (typeof referral === 'string') {
        this.findings.fail(this.idOf(state, m), this.whatOf(state, m, true), this.specOf(m), `no second referral in ${state}: ${referral}`);
        continue;
      }
      // consent.withdraw and erasure.receipt take any seq above the last: the kit leaves a gap once.
      const gap = m === 'consent.withdraw' && state === 'withdrawn';
      const sent = await this.sendMessage(referral, m, gap ? { seq: referral.seq + 3 } : {});
      const what = gap ? `${m} from ${state}, its seq two past the next, is receipted` : this.whatOf(state, m, true);
      const ok = this.findings.expect(this.idOf(state, m), what, this.specOf(m), await receiptProblems(this.ctx, sent.answer, sent.sealed));
      if (m === 'consent.withdraw' && ok) await this.expectErasure(referral, state);
    }
  }

  /** Order (spec: MessageType, Order), on a referral the target holds as delivered. */
  private async checkOrder(referral: KitReferral): Promise<void> {
    const inquiry = await this.sendMessage(referral, 'referral.inquiry');
    this.findings.expect('lifecycle.inquiry-again', 'referral.inquiry on a referral under way (its seq the next) → 409 illegal-transition: an inquiry only starts one', SPEC.lifecycle, [
      problemMismatch(inquiry.answer, 'illegal-transition', 409),
    ]);
    const ahead = await this.sendMessage(referral, 'referral.withdraw', { seq: referral.seq + 2 });
    this.findings.expect('lifecycle.out-of-order', 'a message whose seq is two past the next → 409 out-of-order', SPEC.verification(12), [problemMismatch(ahead.answer, 'out-of-order', 409)]);
    const reused = await this.sendMessage(referral, 'referral.withdraw', { seq: referral.seq });
    this.findings.expect('lifecycle.seq-reused', 'a new envelope with a seq already applied → 409 envelope-conflict', SPEC.order, [problemMismatch(reused.answer, 'envelope-conflict', 409)]);
    const wrongParty = await this.sendMessage(referral, 'referral.accept');
    this.findings.expect('lifecycle.wrong-party', 'referral.accept sent by the sender (the receiver\'s message) → 409 illegal-transition', SPEC.lifecycle, [
      problemMismatch(wrongParty.answer, 'illegal-transition', 409),
    ]);
  }

  /** After consent.withdraw: the target's erasure.receipt, and the erased referral answered as unknown. */
  private async expectErasure(referral: KitReferral, state: ReceiverState): Promise<void> {
    this.erasureCount += 1;
    const arrived = await this.ctx.server.waitFor((d) => d.referralId === referral.id && d.type === 'erasure.receipt', this.ctx.deliveryWaitMs);
    if (!arrived) {
      this.erasures.push(`none arrived within ${this.ctx.deliveryWaitMs / 1000} s for the referral withdrawn from ${state}`);
      return;
    }
    this.received.push(arrived);
    const problems = await this.erasureProblems(arrived, referral.id);
    for (const p of problems) this.erasures.push(`from ${state}: ${p}`);
    if (this.erasedChecked) return;
    this.erasedChecked = true;
    const after = await this.sendMessage(referral, 'referral.withdraw');
    this.findings.expect('lifecycle.erased.unknown-referral', 'a message for a referral whose data the receiver erased → 422 unknown-referral', SPEC.verification(12), [
      problemMismatch(after.answer, 'unknown-referral', 422),
    ]);
  }

  private async erasureProblems(delivery: Delivery, referralId: string): Promise<string[]> {
    const problems: string[] = [];
    const body = delivery.body as { reason?: string; statement?: string } | undefined;
    if (body?.reason !== 'consent-withdrawn') problems.push(`its reason is ${String(body?.reason)}, not consent-withdrawn`);
    const statement = body?.statement ?? '';
    const header = decodeCompact(statement)?.header ?? {};
    const { target, kit } = this.ctx;
    if (header.alg !== 'EdDSA' || header.typ !== 'erasure-statement+jws' || header.kid !== target.signingKey.kid) {
      problems.push(`the statement's header is ${JSON.stringify(header)}, not alg EdDSA, typ erasure-statement+jws, kid the target's signing kid`);
    }
    if (!(await verifyCompact(statement, target.signingKey))) problems.push('the statement does not verify with the target\'s signing key');
    const claims = jsonPayloadOf(statement) as Record<string, unknown> | undefined;
    if (!validatorFor('federation', 'ErasureStatementClaims')(claims)) {
      problems.push('the statement\'s claims do not match ErasureStatementClaims');
    } else {
      const expected: Record<string, string> = { iss: target.id, aud: kit.nodeId, referral_id: referralId, reason: 'consent-withdrawn' };
      for (const [name, value] of Object.entries(expected)) if (claims![name] !== value) problems.push(`the statement's ${name} is ${String(claims![name])}, expected ${value}`);
    }
    return problems;
  }

  /** An offer whose reply-by passes at once: the target's own clock expires it. */
  startExpiry(): Promise<KitReferral | string | undefined> {
    if (this.unreachable('expired') || this.ctx.expiryWaitMs <= 0) return Promise.resolve(undefined);
    const replyBy = new Date(Date.now() + 3_000).toISOString();
    return this.reach('delivered', replyBy);
  }

  async finishExpiry(offered: KitReferral | string | undefined): Promise<void> {
    const why = this.unreachable('expired') ?? (this.ctx.expiryWaitMs <= 0 ? 'waiting for the target to expire a referral was turned off (--expiry-wait-seconds 0)' : undefined);
    if (why || offered === undefined) return this.skipState('expired', why ?? 'no offer was made');
    if (typeof offered === 'string') return this.checkState('expired', offered);
    const deadline = Date.now() + this.ctx.expiryWaitMs;
    let state: string | undefined;
    while (Date.now() < deadline) {
      state = await this.ctx.admin!.stateOf(offered.id);
      if (state === 'expired') break;
      await new Promise((done) => setTimeout(done, 2_000));
    }
    if (state !== 'expired') {
      // The spec says when a referral expires, not how soon a node notices: a slow timer is no fault.
      return this.skipState('expired', `the target had not moved the referral to expired ${this.ctx.expiryWaitMs / 1000} s after its reply-by (state ${state ?? 'unknown'})`);
    }
    return this.checkState('expired', offered);
  }

  reportErasures(): void {
    const what = 'every consent.withdraw brings back an erasure.receipt: the statement a JWS (erasure-statement+jws) by the target\'s key, iss the target, aud the kit, the referral, reason consent-withdrawn';
    if (this.erasureCount === 0) this.findings.skip('erasure.receipt', what, SPEC.erasureStatement, 'no consent withdrawal was receipted');
    else this.findings.expect('erasure.receipt', what, SPEC.erasureStatement, this.erasures);
  }

  /** What the receiver sent the kit on the way: its messages without caseworker or case reference (the kit does not list referral.handover). */
  reportReceiverMessages(): void {
    const accepts = this.received.filter((d) => d.type === 'referral.accept');
    const what = 'the target sends a peer that does not list referral.handover no caseworker or case_reference in referral.accept';
    if (accepts.length === 0) {
      this.findings.skip('handover.accept-without-caseworker', what, SPEC.handover, 'no referral.accept was received (needs --admin-token)');
    } else {
      const leaked = accepts.filter((d) => {
        const body = d.body as Record<string, unknown> | undefined;
        return body && ('caseworker' in body || 'case_reference' in body);
      });
      this.findings.expect('handover.accept-without-caseworker', what, SPEC.handover, leaked.map((d) => `the acceptance of ${d.referralId} carries ${Object.keys(d.body as object).join(', ')}`));
    }
  }
}
