// The small, read-only context every part of a running node is built from. Clock and fetch are
// injectable so tests can move time and route the network.
import type { OutboxHandover } from './delivery/handover.js';
import type { Logger } from 'pino';
import type { Database } from './db/database.js';
import type { Kek } from './crypto/kek.js';
import type { DataKeys } from './data-keys/data-keys.js';
import type { SelfIdentity } from './identity/store.js';
import type { NodeMetrics } from './metrics/node-metrics.js';
import type { BlockList } from 'node:net';
import type { RequestLimiters } from './net/rate-limits.js';
import type { SignInGuard } from './users/sign-in-guard.js';
import type { PeerQuotas } from './referrals/quotas.js';
import type { MailSettings } from './notifications/mail-settings.js';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface NodeLimits {
  /** Largest envelope accepted, in bytes. */
  maxEnvelopeBytes: number;
  /** Allowed difference between a signature's iat and our clock, in seconds. */
  clockSkewSeconds: number;
  /** What one trusted peer may leave here (referrals/quotas.ts). */
  peerQuotas: PeerQuotas;
  /** Days a new API token lasts unless its maker chooses otherwise (REFERRAL_NODE_API_TOKEN_DAYS). */
  apiTokenDays: number;
}

export interface NodeContext {
  database: Database;
  /** This process among those serving the node's data: a random id for its leases and jobs (processes/registry.ts). */
  instanceId: string;
  kek: Kek;
  /** The data keys of stored personal data, wrapped by the keyring (data-keys/). */
  dataKeys: DataKeys;
  /** Envelopes queued here, handed to this process's delivery worker once committed (delivery/handover.ts). */
  outbox: OutboxHandover;
  self: SelfIdentity;
  limits: NodeLimits;
  clock: Clock;
  fetch: Fetch;
  logger: Logger;
  /** The trust anchor this node follows (REFERRAL_NODE_TRUST_ANCHOR_KID), whose key revocations it acts on. */
  trustAnchorKid?: string | undefined;
  /** This node's metrics for /metrics: counts and durations, never personal data. */
  metrics: NodeMetrics;
  /** Limits against abuse: requests per token, peer and address (this process), sign-in attempts (shared). */
  throttles: Throttles;
  /** Administrators must have a second factor to use the web interface (REFERRAL_NODE_REQUIRE_TOTP_FOR_ADMINS). */
  requireTotpForAdmins: boolean;
  /** The mail server of notification e-mails (REFERRAL_NODE_SMTP_URL ...); undefined: notifications in the interface only. */
  mail?: MailSettings | undefined;
}

export interface Throttles {
  requests: RequestLimiters;
  signIn: SignInGuard;
  /** The proxies whose X-Forwarded-For is believed (net/client-address.ts). */
  trustedProxies: BlockList;
}

export const nowSeconds = (clock: Clock): number => Math.floor(clock.now().getTime() / 1000);
