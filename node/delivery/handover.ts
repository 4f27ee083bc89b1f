// From the outbox to the delivery worker of the same process, without the database in between.
// An envelope committed in a process whose worker runs is written already leased to that worker
// (its lease, as any other, keeps every other process from posting it) and handed to it once the
// commit is durable, with its payload: the worker posts it at once, instead of finding it again
// with a search, leasing it with another write and reading its sealed copy back. When the worker
// has no room for it then (the peer's lane is full, its breaker open), it releases the lease (an
// envelope leased is one on its way, for a cancellation) and its next search for that peer finds
// the envelope. A
// process without a worker (`serve --role web`, the CLI) writes envelopes unleased: the worker
// processes find them within their poll.

/** What the worker needs to post an envelope just queued. */
export interface HandedEnvelope {
  id: string;
  peer_id: string;
  referral_id: string;
  type: string;
  payload: string;
  payload_digest: string;
}

/** The worker's side: who it is (its leases' owner), how long a lease lasts, and what to do with an envelope. */
export interface EnvelopeTaker {
  owner: string;
  leaseMs: number;
  /** An envelope leased to this worker, committed: post it (or leave it to the next search). */
  take(envelope: HandedEnvelope): void;
  /** An envelope queued without a lease (another envelope of its referral is queued before it): look for it. */
  queued(peerId: string): void;
}

export class OutboxHandover {
  private taker: EnvelopeTaker | undefined;

  /** The worker of this process, once started; detached when it stops. */
  attach(taker: EnvelopeTaker): void {
    this.taker = taker;
  }

  detach(taker: EnvelopeTaker): void {
    if (this.taker === taker) this.taker = undefined;
  }

  /** The lease a new envelope is written with, when a worker here will take it after the commit. */
  leaseFor(now: Date): { owner: string; until: string } | undefined {
    return this.taker ? { owner: this.taker.owner, until: new Date(now.getTime() + this.taker.leaseMs).toISOString() } : undefined;
  }

  /** Called after the commit that queued `envelope`: leased (to the worker here) or not. */
  committed(envelope: HandedEnvelope, leased: boolean): void {
    const taker = this.taker;
    if (!taker) return;
    if (leased) taker.take(envelope);
    else taker.queued(envelope.peer_id);
  }
}
