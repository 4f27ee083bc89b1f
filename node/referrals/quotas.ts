// What one trusted peer may leave on this node (issue 17 item 3): trusted does not mean unlimited.
// Counted at every new referral a peer starts (an offer or an inquiry), in the transaction that
// would store it: the referrals it has open here, those it started in the last hour, and the bytes
// of encrypted content stored for its referrals. Beyond any of them the message is refused with
// `quota-exceeded` (403, retryable: the sender keeps it and tries again, and a quota frees as
// referrals close and are erased), naming the quota; the federation route raises an alert for this
// node's administrators, once a day per peer and quota (peers/alerts.ts).
import type { Tx } from '../db/database.js';
import { catalogued, type DomainError } from '../errors.js';
import { envelopeProblems } from '../envelope/problems.js';
import { incomingFromPeer } from './state.js';
import { storedBytesFromPeer } from './payload-store.js';

export interface PeerQuotas {
  /** Referrals from one peer open here at once. */
  openReferrals: number;
  /** Referrals one peer starts here in an hour. */
  referralsPerHour: number;
  /** Megabytes of encrypted content stored for one peer's referrals. */
  storedMegabytes: number;
}

export const DEFAULT_PEER_QUOTAS: PeerQuotas = { openReferrals: 1_000, referralsPerHour: 200, storedMegabytes: 1_024 };

export type QuotaName = 'open-referrals' | 'referrals-per-hour' | 'stored-bytes';

/** The refusal of a message beyond a quota; `quota` says which. */
export function quotaExceeded(quota: QuotaName, limit: number): DomainError {
  const what = { 'open-referrals': 'open referrals', 'referrals-per-hour': 'new referrals in an hour', 'stored-bytes': 'megabytes of stored content' }[quota];
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

/** Refuses (throws `quota-exceeded`) a new referral from `peerId` that one of its quotas does not allow. */
export async function checkPeerQuotas(tx: Tx, peerId: string, quotas: PeerQuotas, now: Date): Promise<void> {
  const { open, recent } = await incomingFromPeer(tx, peerId, new Date(now.getTime() - 3_600_000));
  if (open >= quotas.openReferrals) throw quotaExceeded('open-referrals', quotas.openReferrals);
  if (recent >= quotas.referralsPerHour) throw quotaExceeded('referrals-per-hour', quotas.referralsPerHour);
  if ((await storedBytesFromPeer(tx, peerId)) >= quotas.storedMegabytes * 1024 * 1024) throw quotaExceeded('stored-bytes', quotas.storedMegabytes);
}
