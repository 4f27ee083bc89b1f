// The only reader of the process environment. Everything else gets configuration passed in.
export interface Env {
  data?: string | undefined;
  /** A PostgreSQL URL: the node's data is there instead of a SQLite file in the data folder. */
  databaseUrl?: string | undefined;
  kek?: string | undefined;
  /** A file outside the data folder that holds the KEK (REFERRAL_NODE_KEK_FILE). */
  kekFile?: string | undefined;
  /** Where systemd put the service's credentials (LoadCredential=): the KEK may be one of them. */
  credentialsDirectory?: string | undefined;
  /** Where the keyring is, when not in the data folder (a file every process of the node shares). */
  keyring?: string | undefined;
  port?: string | undefined;
  host?: string | undefined;
  logLevel?: string | undefined;
  clockSkewSeconds?: string | undefined;
  maxEnvelopeBytes?: string | undefined;
  checkpointSeconds?: string | undefined;
  expirySeconds?: string | undefined;
  retentionDays?: string | undefined;
  keyRotationDays?: string | undefined;
  retiredKeyDays?: string | undefined;
  deliveryConcurrency?: string | undefined;
  privateNetwork?: string | undefined;
  trustedProxies?: string | undefined;
  limitTokenPerMinute?: string | undefined;
  limitPeerPerMinute?: string | undefined;
  limitAddressPerMinute?: string | undefined;
  signInLockAfter?: string | undefined;
  signInLockMinutes?: string | undefined;
  requireTotpForAdmins?: string | undefined;
  quotaOpenReferrals?: string | undefined;
  quotaReferralsPerHour?: string | undefined;
  quotaStoredMegabytes?: string | undefined;
  apiTokenDays?: string | undefined;
  trustListUrl?: string | undefined;
  trustAnchorKid?: string | undefined;
  /** The mail server notification e-mails go by (smtp:// or smtps://); none: notifications in the interface only. */
  smtpUrl?: string | undefined;
  /** The address notification e-mails come from. */
  mailFrom?: string | undefined;
  /** How often notification e-mails are looked for and sent, in seconds. */
  mailSeconds?: string | undefined;
  /** The web interface's base address, for the link in notification e-mails. */
  publicUrl?: string | undefined;
  /** An API token for CLI commands that call a node's local API (audit verify --url). */
  token?: string | undefined;
  /** `conformance --admin-token` from the environment, so that the token is not on a command line (ps, shell history, CI logs). */
  conformanceAdminToken?: string | undefined;
  demoBasePort?: string | undefined;
}

export function readEnv(env: NodeJS.ProcessEnv = process.env): Env {
  return {
    data: env.REFERRAL_NODE_DATA,
    databaseUrl: env.DATABASE_URL,
    kek: env.REFERRAL_NODE_KEK,
    kekFile: env.REFERRAL_NODE_KEK_FILE,
    credentialsDirectory: env.CREDENTIALS_DIRECTORY,
    keyring: env.REFERRAL_NODE_KEYRING,
    port: env.REFERRAL_NODE_PORT,
    host: env.REFERRAL_NODE_HOST,
    logLevel: env.REFERRAL_NODE_LOG_LEVEL,
    clockSkewSeconds: env.REFERRAL_NODE_CLOCK_SKEW_SECONDS,
    maxEnvelopeBytes: env.REFERRAL_NODE_MAX_ENVELOPE_BYTES,
    checkpointSeconds: env.REFERRAL_NODE_CHECKPOINT_SECONDS,
    expirySeconds: env.REFERRAL_NODE_EXPIRY_SECONDS,
    retentionDays: env.REFERRAL_NODE_RETENTION_DAYS,
    keyRotationDays: env.REFERRAL_NODE_KEY_ROTATION_DAYS,
    retiredKeyDays: env.REFERRAL_NODE_RETIRED_KEY_DAYS,
    deliveryConcurrency: env.REFERRAL_NODE_DELIVERY_CONCURRENCY,
    privateNetwork: env.REFERRAL_NODE_PRIVATE_NETWORK,
    trustedProxies: env.REFERRAL_NODE_TRUSTED_PROXIES,
    limitTokenPerMinute: env.REFERRAL_NODE_LIMIT_TOKEN_PER_MINUTE,
    limitPeerPerMinute: env.REFERRAL_NODE_LIMIT_PEER_PER_MINUTE,
    limitAddressPerMinute: env.REFERRAL_NODE_LIMIT_ADDRESS_PER_MINUTE,
    signInLockAfter: env.REFERRAL_NODE_SIGN_IN_LOCK_AFTER,
    signInLockMinutes: env.REFERRAL_NODE_SIGN_IN_LOCK_MINUTES,
    requireTotpForAdmins: env.REFERRAL_NODE_REQUIRE_TOTP_FOR_ADMINS,
    quotaOpenReferrals: env.REFERRAL_NODE_QUOTA_OPEN_REFERRALS,
    quotaReferralsPerHour: env.REFERRAL_NODE_QUOTA_REFERRALS_PER_HOUR,
    quotaStoredMegabytes: env.REFERRAL_NODE_QUOTA_STORED_MB,
    apiTokenDays: env.REFERRAL_NODE_API_TOKEN_DAYS,
    trustListUrl: env.REFERRAL_NODE_TRUST_LIST_URL,
    trustAnchorKid: env.REFERRAL_NODE_TRUST_ANCHOR_KID,
    smtpUrl: env.REFERRAL_NODE_SMTP_URL,
    mailFrom: env.REFERRAL_NODE_MAIL_FROM,
    mailSeconds: env.REFERRAL_NODE_MAIL_SECONDS,
    publicUrl: env.REFERRAL_NODE_PUBLIC_URL,
    token: env.REFERRAL_NODE_TOKEN,
    conformanceAdminToken: env.REFERRAL_CONFORMANCE_ADMIN_TOKEN,
    demoBasePort: env.DEMO_BASE_PORT,
  };
}
