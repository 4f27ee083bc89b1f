// How many envelopes may be in flight to each peer, and a circuit breaker per peer. Pure state, no
// I/O, so that the rules are tested without a network.
//
// - A peer this process has not yet heard from gets one envelope at a time (a probe); once it has
//   answered, up to `concurrency` at once.
// - A peer that does not answer (a network error, a timeout) or says it is overloaded (429, 503,
//   a 5xx) opens its breaker: nothing more goes to it until the breaker's time is up (1 s after
//   the first failure, doubling up to 30 s), then one probe; an answer closes the breaker again.
//   Its envelopes keep their own retry schedule in the outbox besides.
// - A refusal of one envelope (a 4xx problem) is an answer: the peer is up, the breaker stays
//   closed, and the envelope is retried or failed on its own.
// One peer's state never touches another's: a dead peer costs the others nothing.

export type PeerOutcome = 'answered' | 'unavailable';

const FIRST_OPEN_MS = 1_000;
const MAX_OPEN_MS = 30_000;

interface Lane {
  inFlight: number;
  /** Consecutive failures; 0 when the last attempt was answered. */
  failures: number;
  /** Whether the peer has answered this process at all (until then, probes only). */
  answered: boolean;
  /** While failures > 0: no attempt before this time (ms since the epoch). */
  openUntil: number;
}

export class PeerLanes {
  private readonly lanes = new Map<string, Lane>();

  constructor(private readonly concurrency: number) {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError('concurrency must be a positive integer');
  }

  private lane(peerId: string): Lane {
    let lane = this.lanes.get(peerId);
    if (!lane) {
      lane = { inFlight: 0, failures: 0, answered: false, openUntil: 0 };
      this.lanes.set(peerId, lane);
    }
    return lane;
  }

  /**
   * How many more envelopes may go to the peer at `now`: 0 while its breaker is open, unless
   * `probeIfOpen` (a person asked for delivery now: one probe goes anyway).
   */
  room(peerId: string, now: number, probeIfOpen = false): number {
    const lane = this.lane(peerId);
    if (lane.failures > 0 && now < lane.openUntil) return probeIfOpen ? Math.max(0, 1 - lane.inFlight) : 0;
    const limit = lane.failures > 0 || !lane.answered ? 1 : this.concurrency;
    return Math.max(0, limit - lane.inFlight);
  }

  /** How many envelopes are in flight to the peer. */
  inFlight(peerId: string): number {
    return this.lane(peerId).inFlight;
  }

  /** An envelope leaves for the peer. */
  take(peerId: string): void {
    this.lane(peerId).inFlight += 1;
  }

  /**
   * Its attempt ended with `outcome` at `now` (undefined when it was never posted, e.g. the lease
   * was taken elsewhere). True when the peer answered after failing: it is back, and what waited
   * for it may go.
   */
  release(peerId: string, outcome: PeerOutcome | undefined, now: number): boolean {
    const lane = this.lane(peerId);
    lane.inFlight = Math.max(0, lane.inFlight - 1);
    if (outcome === 'answered') {
      const recovered = lane.failures > 0;
      lane.answered = true;
      lane.failures = 0;
      lane.openUntil = 0;
      return recovered;
    }
    if (outcome === 'unavailable') {
      lane.failures += 1;
      lane.openUntil = now + Math.min(MAX_OPEN_MS, FIRST_OPEN_MS * 2 ** Math.min(lane.failures - 1, 16));
    }
    return false;
  }
}
