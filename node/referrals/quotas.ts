// What one trusted peer may leave on this node (issue 17 item 3): trusted does not mean unlimited.
// Counted at every new referral a peer starts (an offer or an inquiry), in the transaction that
// would store it: the referrals it has open here, those it started in the last hour, and the bytes
// of its messages kept here, on referrals in both directions (referrals.peer_bytes). The bytes are
// also counted at each message a peer may send again and again on a referral under way (an
// update, an onward note, an information request or answer): beyond them those are refused too,
// while the messages that move a referral once (accept, decline, complete, withdraw, erasure)
// always go through. Beyond any quota the message is refused with
// `quota-exceeded` (403, retryable: the sender keeps it and tries again, and a quota frees as
// referrals close and are erased), naming the quota; the federation route raises an alert for this
// node's administrators, once a day per peer and quota (peers/alerts.ts).
import type { Tx } from '../db/database.js';
import { catalogued, type DomainError } from '../errors.js';
import { envelopeProblems } from '../envelope/problems.js';
import { incomingFromPeer, storedBytesFromPeer } from './state.js';

export interface PeerQuotas {
  /** Referrals from one peer open here at once. */
  openReferrals: number;
  /** Referrals one peer starts here in an hour. */
  referralsPerHour: number;
  /** Megabytes of one peer's messages kept here (what it sent, on referrals in both directions). */
  storedMegabytes: number;
}

export const DEFAULT_PEER_QUOTAS: PeerQuotas = { openReferrals: 1_000, referralsPerHour: 200, storedMegabytes: 1_024 };

export type QuotaName = 'open-referrals' | 'referrals-per-hour' | 'stored-bytes';

/** The refusal of a message beyond a quota; `quota` says which. */
function quotaExceeded(quota: QuotaName, limit: number): DomainError {
  const what = { 'open-referrals': 'open referrals', 'referrals-per-hour': 'new referrals in an hour', 'stored-bytes': 'megabytes of stored messages' }[quota];
  return catalogued(envelopeProblems, 'quota-exceeded', {
    detail: `This node accepts at most ${limit} ${what} from one node; try again later, or ask its administrator.`,
    extra: { quota },
  });
}

/** The quota `error` names, when it is a refusal beyond a quota. */
export const exceededQuota = (error: unknown): QuotaName | undefined => {
  const quota = (error as DomainError | undefined)?.problem === 'quota-exceeded' ? (error as DomainError).extra.quota : undefined;
  return quota === 'open-referrals' || quota === 'referrals-per-hour' || quota === 'stored-bytes' ? quota : undefined;
};

/**
 * How often a peer's usage is read from the database again. Reading it costs as much as the peer
 * has sent (its referrals, and the bytes of their payloads), too much for every new referral of a
 * busy peer; in between, the referrals this process accepted are added to what was read. A count
 * is therefore at most this old for what other processes accepted, or what closed meanwhile, and
 * counts a referral whose transaction was later rolled back until the next reading: a quota is a
 * guard against floods, and errs on the side of refusing a little early.
 */
export const USAGE_REFRESH_MS = 30_000;

interface Usage {
  readAt: number;
  open: number;
  recent: number;
  bytes: number;
}

/** Per node (its context), per peer: the usage last read, with what was accepted since. */
const usageByNode = new WeakMap<object, Map<string, Usage>>();

async function usageOf(tx: Tx, node: object, peerId: string, now: Date): Promise<Usage> {
  const byPeer = usageByNode.get(node) ?? new Map<string, Usage>();
  usageByNode.set(node, byPeer);
  const held = byPeer.get(peerId);
  const at = now.getTime();
  if (held && at - held.readAt < USAGE_REFRESH_MS && at >= held.readAt) return held;
  const { open, recent } = await incomingFromPeer(tx, peerId, new Date(at - 3_600_000));
  const usage = { readAt: at, open, recent, bytes: await storedBytesFromPeer(tx, peerId) };
  byPeer.set(peerId, usage);
  return usage;
}

/**
 * Refuses (throws `quota-exceeded`) a new referral from `peerId` that one of its quotas does not
 * allow; otherwise counts it (`bytes`: about what it stores). `node` is the node's context: each
 * node its own counts.
 */
export async function checkPeerQuotas(tx: Tx, node: object, peerId: string, quotas: PeerQuotas, now: Date, bytes: number): Promise<void> {
  const usage = await usageOf(tx, node, peerId, now);
  if (usage.open >= quotas.openReferrals) throw quotaExceeded('open-referrals', quotas.openReferrals);
  if (usage.recent >= quotas.referralsPerHour) throw quotaExceeded('referrals-per-hour', quotas.referralsPerHour);
  holdToStoredBytes(usage, quotas, bytes);
  usage.open += 1;
  usage.recent += 1;
}

/** Refuses once the peer's stored bytes are at its quota; otherwise counts `bytes`. */
function holdToStoredBytes(usage: Usage, quotas: PeerQuotas, bytes: number): void {
  if (usage.bytes >= quotas.storedMegabytes * 1024 * 1024) throw quotaExceeded('stored-bytes', quotas.storedMegabytes);
  usage.bytes += bytes;
}

/**
 * Refuses (throws `quota-exceeded`) a message on a referral under way that the peer may repeat
 * (see the top of this file) once the peer's stored bytes are beyond its quota; otherwise counts
 * `bytes` (what the message keeps here).
 */
export async function checkStoredBytes(tx: Tx, node: object, peerId: string, quotas: PeerQuotas, now: Date, bytes: number): Promise<void> {
  holdToStoredBytes(await usageOf(tx, node, peerId, now), quotas, bytes);
}
