// The per-peer rules of the concurrent outbox (node/delivery/peer-lanes.ts), without a network.
import { describe, expect, it } from 'vitest';
import { PeerLanes } from '../../node/delivery/peer-lanes.js';

const A = 'https://a.example';
const B = 'https://b.example';

describe('peer lanes', () => {
  it('sends one probe to a peer not heard from yet, then up to the limit once it answered', () => {
    const lanes = new PeerLanes(4);
    expect(lanes.room(A, 0)).toBe(1);
    lanes.take(A);
    expect(lanes.room(A, 0)).toBe(0);
    lanes.release(A, 'answered', 0);
    expect(lanes.room(A, 0)).toBe(4);
    for (let i = 0; i < 4; i++) lanes.take(A);
    expect(lanes.room(A, 0)).toBe(0);
    expect(lanes.inFlight(A)).toBe(4);
    lanes.release(A, 'answered', 0);
    expect(lanes.room(A, 0)).toBe(1);
  });

  it('opens the breaker of a peer that does not answer, for 1 s doubling up to 30 s, then probes once', () => {
    const lanes = new PeerLanes(4);
    lanes.take(A);
    // An answer from a peer that never failed is not a recovery.
    expect(lanes.release(A, 'answered', 0)).toBe(false);
    const openFor: number[] = [];
    let now = 0;
    for (let failure = 0; failure < 8; failure++) {
      lanes.take(A);
      expect(lanes.release(A, 'unavailable', now)).toBe(false);
      expect(lanes.room(A, now)).toBe(0);
      let until = now;
      while (lanes.room(A, until) === 0) until += 250;
      openFor.push(until - now);
      // Half open: one probe at a time.
      expect(lanes.room(A, until)).toBe(1);
      now = until;
    }
    expect(openFor).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
    lanes.take(A);
    // The probe is answered: the peer is back (what backed off meanwhile may go), and the breaker closed.
    expect(lanes.release(A, 'answered', now)).toBe(true);
    expect(lanes.room(A, now)).toBe(4);
    lanes.take(A);
    expect(lanes.release(A, 'answered', now)).toBe(false);
  });

  it('keeps each peer\'s state its own: a dead peer leaves another\'s room alone', () => {
    const lanes = new PeerLanes(2);
    for (const peer of [A, B]) {
      lanes.take(peer);
      lanes.release(peer, 'answered', 0);
    }
    lanes.take(A);
    lanes.release(A, 'unavailable', 0);
    expect(lanes.room(A, 0)).toBe(0);
    expect(lanes.room(B, 0)).toBe(2);
  });

  it('lets one probe through an open breaker when a person asks for delivery now', () => {
    const lanes = new PeerLanes(4);
    lanes.take(A);
    lanes.release(A, 'unavailable', 0);
    expect(lanes.room(A, 10)).toBe(0);
    expect(lanes.room(A, 10, true)).toBe(1);
    lanes.take(A);
    expect(lanes.room(A, 10, true)).toBe(0);
  });

  it('counts an attempt that was never posted as neither an answer nor a failure', () => {
    const lanes = new PeerLanes(3);
    lanes.take(A);
    lanes.release(A, undefined, 0);
    expect(lanes.room(A, 0)).toBe(1);
    expect(() => new PeerLanes(0)).toThrow(RangeError);
  });
});
