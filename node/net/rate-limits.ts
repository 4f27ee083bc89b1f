// Limits on requests, so that no one caller can take the node for itself (issue 17): per API
// token on the local API, per verified peer on the federation API, and per client address for
// whatever comes without a valid credential (federation requests that need none or do not verify,
// local API requests with a missing or wrong token). rate-limiter-flexible counts, in each
// process's memory: these limits protect the process that answers, and a count lost at a restart
// only gives a flood a fresh minute. (Sign-in's limits are kept in the database: users/sign-in-guard.ts.)
//
// A request that fails to authenticate costs its address FAILURE_COST points instead of one, so
// that guessing tokens or forging signatures runs out ten times sooner than plain traffic; an
// address past its limit is refused for a minute, before its credentials are even looked at. A
// peer's count is only touched once its signature verified: no one can spend a peer's limit by
// claiming to be it.
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { TooManyRequests } from '../errors.js';
import { NO_ADDRESS } from './client-address.js';

export interface RequestLimits {
  /** Local API requests per token and minute. */
  tokenPerMinute: number;
  /** Federation requests per verified peer and minute. */
  peerPerMinute: number;
  /** Points per client address and minute for requests without a valid credential (a failure costs FAILURE_COST). */
  addressPerMinute: number;
}

export const DEFAULT_REQUEST_LIMITS: RequestLimits = { tokenPerMinute: 1_200, peerPerMinute: 20_000, addressPerMinute: 300 };

/** What a failed authentication costs its address, against one for a request that needs no credential. */
export const FAILURE_COST = 10;

export interface RequestLimiters {
  /** Refuses (throws TooManyRequests) when the address is out of its points; costs nothing. */
  checkAddress(address: string): Promise<void>;
  /** Counts a request without a valid credential against its address (`failed`: it tried one and failed). */
  chargeAddress(address: string, failed: boolean): Promise<void>;
  /** Counts a request of a verified API token; refuses when the token is out of its minute's requests. */
  chargeToken(tokenId: string): Promise<void>;
  /** Counts a request of a verified peer; refuses when the peer is out of its minute's requests. */
  chargePeer(peerId: string): Promise<void>;
}

const retryAfter = (res: RateLimiterRes): number => Math.max(1, Math.ceil(res.msBeforeNext / 1000));

export function createRequestLimiters(limits: RequestLimits = DEFAULT_REQUEST_LIMITS): RequestLimiters {
  const token = new RateLimiterMemory({ keyPrefix: 'token', points: limits.tokenPerMinute, duration: 60 });
  const peer = new RateLimiterMemory({ keyPrefix: 'peer', points: limits.peerPerMinute, duration: 60 });
  const address = new RateLimiterMemory({ keyPrefix: 'address', points: limits.addressPerMinute, duration: 60, blockDuration: 60 });
  /** consume, with its refusal as TooManyRequests (anything else the limiter throws is an error of ours). */
  const charge = async (limiter: RateLimiterMemory, key: string, points: number, who: string) => {
    try {
      await limiter.consume(key, points);
    } catch (refused) {
      if (!(refused instanceof RateLimiterRes)) throw refused;
      throw new TooManyRequests(retryAfter(refused), `Too many requests from ${who}; try again in ${retryAfter(refused)} seconds.`);
    }
  };
  return {
    async checkAddress(key) {
      if (key === NO_ADDRESS) return;
      const res = await address.get(key);
      if (res && res.consumedPoints >= limits.addressPerMinute) throw new TooManyRequests(retryAfter(res), `Too many requests from this address; try again in ${retryAfter(res)} seconds.`);
    },
    async chargeAddress(key, failed) {
      if (key === NO_ADDRESS) return;
      await charge(address, key, failed ? FAILURE_COST : 1, 'this address');
    },
    chargeToken: (id) => charge(token, id, 1, 'this API token'),
    chargePeer: (id) => charge(peer, id, 1, 'this node'),
  };
}
