// Configuration with defaults and validation: command-line options win over the environment,
// the environment over defaults. Every setting is listed in the README.
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { NodeLimits } from '../context.js';
import type { Env } from './env.js';
import type { TrustListFollowing } from '../peers/trust-list-follower.js';
import { DEFAULT_REQUEST_LIMITS, type RequestLimits } from '../net/rate-limits.js';
import { trustedProxiesFrom } from '../net/client-address.js';
import { DEFAULT_SIGN_IN_POLICY, type SignInPolicy } from '../users/sign-in-guard.js';
import { DEFAULT_PEER_QUOTAS } from '../referrals/quotas.js';
import type { MailSettings } from '../notifications/mail-settings.js';
import { isAddress } from '../notifications/address.js';

export class ConfigError extends Error {}

export interface NodeConfig {
  dataDir: string;
  /** The SQLite file, used unless the node's data is in PostgreSQL. */
  databasePath: string;
  /** A postgres:// URL when the node's data is in PostgreSQL (--database-url, DATABASE_URL). */
  databaseUrl?: string | undefined;
  /** kek.key in the data folder: where the KEK is when no other place is given (kek-source.ts). */
  kekFile: string;
  /** The KEK from the environment, when given (base64url). */
  kekFromEnv?: string | undefined;
  /** REFERRAL_NODE_KEK_FILE: a file outside the data folder that holds the KEK. */
  kekFromFile?: string | undefined;
  /** The systemd credential that may hold the KEK ($CREDENTIALS_DIRECTORY/referral-node-kek): used when it exists. */
  kekCredential?: string | undefined;
  /** The keyring: the keys that wrap the data keys, outside the database (REFERRAL_NODE_KEYRING, or `keyring` in the data folder). */
  keyringFile: string;
  port: number;
  host: string;
  logLevel: string;
  limits: NodeLimits;
  /** How often a serving node signs a checkpoint of its audit log (when it has grown) and seeks cosignatures. */
  checkpointSeconds: number;
  /** How often a serving node moves referrals whose reply-by date passed to `expired`. */
  expirySeconds: number;
  /** Days after a referral closed before its personal data is erased here. */
  retentionDays: number;
  /** Days an encryption key is current before it is rotated, and days a retired one is kept. */
  keyRotationDays: number;
  retiredKeyDays: number;
  /** Envelopes in flight to one peer at once (REFERRAL_NODE_DELIVERY_CONCURRENCY). */
  deliveryConcurrency: number;
  /**
   * Peers may be on loopback, private and link-local addresses and reached over http://
   * (REFERRAL_NODE_PRIVATE_NETWORK): the demo, tests, a closed test network. Off, every request to
   * another server is https:// to a public address (net/outbound.ts).
   */
  privateNetwork: boolean;
  /** The proxies whose X-Forwarded-For is believed: addresses and CIDR ranges (REFERRAL_NODE_TRUSTED_PROXIES). */
  trustedProxies: string[];
  /** Requests per token, peer and address (REFERRAL_NODE_LIMIT_*). */
  requestLimits: RequestLimits;
  /** Failed sign-ins before waits and locks (REFERRAL_NODE_SIGN_IN_*). */
  signIn: SignInPolicy;
  /**
   * Administrators must have a TOTP second factor (REFERRAL_NODE_REQUIRE_TOTP_FOR_ADMINS): one
   * without is sent to set it up at sign-in and reaches nothing else until it is. Off by default,
   * so that existing nodes and the demo go on as they were (docs/decisions.md).
   */
  requireTotpForAdmins: boolean;
  /** The network trust list this node follows, if any (REFERRAL_NODE_TRUST_LIST_URL, REFERRAL_NODE_TRUST_ANCHOR_KID). */
  trustList?: TrustListFollowing | undefined;
  /** The mail server for notification e-mails (REFERRAL_NODE_SMTP_URL, _MAIL_FROM, _PUBLIC_URL); none: notifications in the interface only. */
  mail?: MailSettings | undefined;
}

function trustListFrom(env: Env): TrustListFollowing | undefined {
  if (!env.trustListUrl && !env.trustAnchorKid) return undefined;
  if (!env.trustListUrl || !env.trustAnchorKid) {
    throw new ConfigError('To follow a trust list, set both REFERRAL_NODE_TRUST_LIST_URL and REFERRAL_NODE_TRUST_ANCHOR_KID (the anchor key\'s thumbprint).');
  }
  let url: URL;
  try {
    url = new URL(env.trustListUrl);
  } catch {
    throw new ConfigError('REFERRAL_NODE_TRUST_LIST_URL must be a URL, e.g. https://network.example.org/trust-list.jwt.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError('REFERRAL_NODE_TRUST_LIST_URL must start with https:// (or http:// on a test network).');
  if (!/^[A-Za-z0-9_-]{43}$/.test(env.trustAnchorKid)) {
    throw new ConfigError('REFERRAL_NODE_TRUST_ANCHOR_KID must be the anchor key\'s RFC 7638 thumbprint: 43 characters of base64url, as `trustlist create` printed it.');
  }
  return { url: url.href, anchorKid: env.trustAnchorKid };
}

/**
 * Notification e-mails: a mail server (smtp:// or smtps://, with a host), the address they come
 * from, and optionally the web interface's base address for their link. A URL's password is
 * never repeated in an error.
 */
function mailSettingsFrom(env: Env): MailSettings | undefined {
  const given = (value: string | undefined) => (value === undefined || value.trim() === '' ? undefined : value.trim());
  const smtpUrl = given(env.smtpUrl);
  const from = given(env.mailFrom);
  const publicUrl = given(env.publicUrl);
  if (publicUrl !== undefined) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(publicUrl);
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || parsed.search || parsed.hash || parsed.username || parsed.password) {
      throw new ConfigError('REFERRAL_NODE_PUBLIC_URL must be the web interface\'s base address, e.g. https://referrals.example.org (without /ui, a query or a fragment).');
    }
  }
  if (from !== undefined && !isAddress(from)) {
    throw new ConfigError('REFERRAL_NODE_MAIL_FROM must be an e-mail address, e.g. referrals@example.org (the address notification e-mails come from).');
  }
  if (smtpUrl === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(smtpUrl);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') || url.hostname === '') {
    throw new ConfigError('REFERRAL_NODE_SMTP_URL must be an smtp:// or smtps:// URL with the mail server\'s host, e.g. smtps://user:password@mail.example.org:465 (leave it out to send no e-mail: notifications are then shown in the web interface only).');
  }
  if (from === undefined) {
    throw new ConfigError('REFERRAL_NODE_SMTP_URL is set: set REFERRAL_NODE_MAIL_FROM too, the address notification e-mails come from (one your mail server may send from).');
  }
  const everySeconds = integer(env.mailSeconds, 'REFERRAL_NODE_MAIL_SECONDS', 1, 3_600) ?? DEFAULTS.mailSeconds;
  return { smtpUrl, from, ...(publicUrl !== undefined ? { publicUrl } : {}), everySeconds };
}

export const DEFAULTS = {
  port: 7100,
  host: '127.0.0.1',
  logLevel: 'info',
  clockSkewSeconds: 300,
  maxEnvelopeBytes: 1024 * 1024,
  checkpointSeconds: 60,
  expirySeconds: 60,
  mailSeconds: 60,
  retentionDays: 365,
  keyRotationDays: 30,
  retiredKeyDays: 7,
  /**
   * Envelopes in flight to one peer at once (delivery/worker.ts). The receiver commits those that
   * arrive together in one fsync (group commit), so more in flight costs both sides less per
   * message; 32 is where the two-process bench stopped gaining (docs/performance.md).
   */
  deliveryConcurrency: 32,
  /** Days an API token lasts (users/service.ts): long enough for an integration, short enough that a forgotten one ends. */
  apiTokenDays: 90,
} as const;

/** The longest an API token may be made to last: two years. */
export const MAX_API_TOKEN_DAYS = 730;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function integer(value: string | number | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = typeof value === 'number' ? value : /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be a whole number from ${min} to ${max}.`);
  return n;
}

function yesOrNo(value: string | undefined, name: string): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  if (/^(true|1|yes)$/i.test(value)) return true;
  if (/^(false|0|no)$/i.test(value)) return false;
  throw new ConfigError(`${name} must be true or false.`);
}

/** REFERRAL_NODE_PRIVATE_NETWORK, for what makes requests without a node's configuration (the trust list anchor's CLI). */
export const privateNetworkFrom = (env: Env): boolean => yesOrNo(env.privateNetwork, 'REFERRAL_NODE_PRIVATE_NETWORK') ?? false;

/** The name of the systemd credential that holds the KEK (`LoadCredential=referral-node-kek:PATH`). */
export const KEK_CREDENTIAL = 'referral-node-kek';

/** REFERRAL_NODE_KEK_FILE as an absolute path; refused beside REFERRAL_NODE_KEK, or inside the data folder, where it would travel with its backups. */
function kekFileFrom(env: Env, dataDir: string): string | undefined {
  if (!env.kekFile) return undefined;
  if (env.kek) {
    throw new ConfigError('Both REFERRAL_NODE_KEK and REFERRAL_NODE_KEK_FILE are set: give the key-encryption key in one place only, so that it is clear which key the node uses.');
  }
  const path = resolve(env.kekFile);
  const fromData = relative(dataDir, path);
  const outside = fromData === '..' || fromData.startsWith(`..${sep}`) || isAbsolute(fromData);
  if (!outside) {
    throw new ConfigError(`REFERRAL_NODE_KEK_FILE (${path}) is inside the data folder: put it outside (e.g. /etc/referral-node/kek), so that a backup of the data folder alone decrypts nothing.`);
  }
  return path;
}

/** The proxies trusted by default: one on the node's own machine (loopback). */
export const DEFAULT_TRUSTED_PROXIES = ['127.0.0.1', '::1'];

function trustedProxiesOf(value: string | undefined): string[] {
  if (value === undefined) return DEFAULT_TRUSTED_PROXIES;
  const entries = value.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  if (!trustedProxiesFrom(entries)) {
    throw new ConfigError('REFERRAL_NODE_TRUSTED_PROXIES must be addresses or CIDR ranges separated by commas, e.g. 127.0.0.1,10.0.0.0/8 (empty: no proxy is trusted).');
  }
  return entries;
}

function signInPolicyFrom(env: Env): SignInPolicy {
  const lockAfter = integer(env.signInLockAfter, 'REFERRAL_NODE_SIGN_IN_LOCK_AFTER', 2, 1000) ?? DEFAULT_SIGN_IN_POLICY.accountLockAfter;
  const lockMinutes = integer(env.signInLockMinutes, 'REFERRAL_NODE_SIGN_IN_LOCK_MINUTES', 1, 24 * 60) ?? DEFAULT_SIGN_IN_POLICY.lockMinutes;
  // Waits begin halfway to the lock; one address may fail five times as often as one account.
  return {
    accountFreeFailures: Math.floor(lockAfter / 2),
    accountLockAfter: lockAfter,
    addressFreeFailures: Math.floor(lockAfter / 2) * 5,
    addressLockAfter: lockAfter * 5,
    lockMinutes,
  };
}

function databaseUrlFrom(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^postgres(ql)?:\/\/./i.test(value)) {
    throw new ConfigError('--database-url / DATABASE_URL must be a PostgreSQL URL, e.g. postgres://referral-node@localhost/referrals (leave it out to use SQLite in the data folder).');
  }
  return value;
}

export function resolveConfig(
  options: { data?: string | undefined; port?: string | undefined; host?: string | undefined; databaseUrl?: string | undefined },
  env: Env,
): NodeConfig {
  const data = options.data ?? env.data;
  if (!data) throw new ConfigError('Say where the node keeps its data: --data DIR or REFERRAL_NODE_DATA.');
  const dataDir = resolve(data);
  const logLevel = env.logLevel ?? DEFAULTS.logLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`REFERRAL_NODE_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}.`);
  return {
    dataDir,
    databasePath: join(dataDir, 'node.sqlite'),
    databaseUrl: databaseUrlFrom(options.databaseUrl ?? env.databaseUrl),
    kekFile: join(dataDir, 'kek.key'),
    kekFromEnv: env.kek,
    kekFromFile: kekFileFrom(env, dataDir),
    kekCredential: env.credentialsDirectory ? join(resolve(env.credentialsDirectory), KEK_CREDENTIAL) : undefined,
    keyringFile: env.keyring ? resolve(env.keyring) : join(dataDir, 'keyring'),
    port: integer(options.port ?? env.port, '--port / REFERRAL_NODE_PORT', 1, 65535) ?? DEFAULTS.port,
    host: options.host ?? env.host ?? DEFAULTS.host,
    logLevel,
    limits: {
      clockSkewSeconds: integer(env.clockSkewSeconds, 'REFERRAL_NODE_CLOCK_SKEW_SECONDS', 1, 3600) ?? DEFAULTS.clockSkewSeconds,
      maxEnvelopeBytes: integer(env.maxEnvelopeBytes, 'REFERRAL_NODE_MAX_ENVELOPE_BYTES', 4096, 64 * 1024 * 1024) ?? DEFAULTS.maxEnvelopeBytes,
      peerQuotas: {
        openReferrals: integer(env.quotaOpenReferrals, 'REFERRAL_NODE_QUOTA_OPEN_REFERRALS', 1, 10_000_000) ?? DEFAULT_PEER_QUOTAS.openReferrals,
        referralsPerHour: integer(env.quotaReferralsPerHour, 'REFERRAL_NODE_QUOTA_REFERRALS_PER_HOUR', 1, 10_000_000) ?? DEFAULT_PEER_QUOTAS.referralsPerHour,
        storedMegabytes: integer(env.quotaStoredMegabytes, 'REFERRAL_NODE_QUOTA_STORED_MB', 1, 10_000_000) ?? DEFAULT_PEER_QUOTAS.storedMegabytes,
      },
      apiTokenDays: integer(env.apiTokenDays, 'REFERRAL_NODE_API_TOKEN_DAYS', 1, MAX_API_TOKEN_DAYS) ?? DEFAULTS.apiTokenDays,
    },
    checkpointSeconds: integer(env.checkpointSeconds, 'REFERRAL_NODE_CHECKPOINT_SECONDS', 1, 86_400) ?? DEFAULTS.checkpointSeconds,
    expirySeconds: integer(env.expirySeconds, 'REFERRAL_NODE_EXPIRY_SECONDS', 1, 3_600) ?? DEFAULTS.expirySeconds,
    retentionDays: integer(env.retentionDays, 'REFERRAL_NODE_RETENTION_DAYS', 1, 36_500) ?? DEFAULTS.retentionDays,
    keyRotationDays: integer(env.keyRotationDays, 'REFERRAL_NODE_KEY_ROTATION_DAYS', 1, 3650) ?? DEFAULTS.keyRotationDays,
    retiredKeyDays: integer(env.retiredKeyDays, 'REFERRAL_NODE_RETIRED_KEY_DAYS', 1, 3650) ?? DEFAULTS.retiredKeyDays,
    deliveryConcurrency: integer(env.deliveryConcurrency, 'REFERRAL_NODE_DELIVERY_CONCURRENCY', 1, 64) ?? DEFAULTS.deliveryConcurrency,
    privateNetwork: privateNetworkFrom(env),
    trustedProxies: trustedProxiesOf(env.trustedProxies),
    requestLimits: {
      tokenPerMinute: integer(env.limitTokenPerMinute, 'REFERRAL_NODE_LIMIT_TOKEN_PER_MINUTE', 1, 10_000_000) ?? DEFAULT_REQUEST_LIMITS.tokenPerMinute,
      peerPerMinute: integer(env.limitPeerPerMinute, 'REFERRAL_NODE_LIMIT_PEER_PER_MINUTE', 1, 10_000_000) ?? DEFAULT_REQUEST_LIMITS.peerPerMinute,
      addressPerMinute: integer(env.limitAddressPerMinute, 'REFERRAL_NODE_LIMIT_ADDRESS_PER_MINUTE', 10, 10_000_000) ?? DEFAULT_REQUEST_LIMITS.addressPerMinute,
    },
    signIn: signInPolicyFrom(env),
    requireTotpForAdmins: yesOrNo(env.requireTotpForAdmins, 'REFERRAL_NODE_REQUIRE_TOTP_FOR_ADMINS') ?? false,
    trustList: trustListFrom(env),
    mail: mailSettingsFrom(env),
  };
}
