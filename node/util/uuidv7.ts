// UUIDv7 (RFC 9562 §5.7): time-ordered ids, for envelopes (the protocol asks for them) and for
// the node's own rows that are written often (referrals, consents, payloads, timeline events):
// a new row's key then lands at the end of each index instead of on a random page, so a commit
// writes a few pages rather than one per index and row (docs/decisions.md, "Time-ordered ids").
// node:crypto has no v7 generator on Node 20.
import { randomUUID } from 'node:crypto';

/**
 * The 48-bit Unix time in milliseconds, then version 7, then the random bits of a version 4 UUID
 * from node:crypto (its rand_a and rand_b: 74 random bits, variant included). randomUUID draws
 * its randomness from a cache filled 128 UUIDs at a time, not from the system at each call.
 */
export function uuidv7(now: number = Date.now()): string {
  const random = randomUUID(); // xxxxxxxx-xxxx-4aaa-vbbb-bbbbbbbbbbbb
  const time = now.toString(16).padStart(12, '0');
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${random.slice(15, 18)}-${random.slice(19)}`;
}

/** Whether `id` is a UUID of version 7 and the RFC 9562 variant, in its lower- or upper-case text form. */
export const isUuidV7 = (id: string): boolean => /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i.test(id);
