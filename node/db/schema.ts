// The database schema as kysely sees it, one interface per table, owned by the concern that
// writes it.
import type { Generated } from 'kysely';

export interface NodeSettingsTable {
  id: number;
  node_id: string;
  name: string;
  country: string;
  /** JSON array of BCP 47 codes. */
  languages: string;
  contact: string | null;
  created_at: string;
}

export interface NodeKeysTable {
  kid: string;
  use: 'sig' | 'enc';
  public_jwk: string;
  /** The private key sealed under its data key 'node-key:<kid>' (identity/store.ts); '' once destroyed. */
  private_wrapped: string;
  /**
   * active: current; retired: still held to open what was sealed to it; destroyed: private half
   * gone; revoked: declared compromised (private half gone too).
   */
  status: 'active' | 'retired' | 'destroyed' | 'revoked';
  created_at: string;
  retired_at: string | null;
  destroyed_at: string | null;
  /** Signing keys after the first: the continuity statement (JSON) that introduced the key. */
  continuity: string | null;
  revoked_at: string | null;
}

/** A trusted peer's directory as held here (directory/sync.ts). */
export interface PeerDirectoriesTable {
  peer_id: string;
  /** The signed directory as received (compact JWS); null until one was. */
  jws: string | null;
  etag: string | null;
  iat: number | null;
  exp: number | null;
  /** Its services (DirectoryService[], JSON), for matching. */
  services: string | null;
  fetched_at: string | null;
  checked_at: string;
  last_error: string | null;
  /** Grows with every directory kept (directory/matching.ts rebuilds its index when it changes). */
  revision: Generated<number>;
}

/** One of the organisation's own services (its directory entry); no personal data. */
export interface ServicesTable {
  id: string;
  /** The service's description as given (spec ServiceFields, without status and accepting_referrals), JSON. */
  description: string;
  status: 'active' | 'paused';
  accepting_referrals: number;
  created_at: string;
  updated_at: string;
}

/** A peer's identity document as it was before one with another signing key replaced it. */
export interface PeerIdentityHistoryTable {
  peer_id: string;
  /** The signing key that document was signed with. */
  signing_kid: string;
  identity_jws: string;
  replaced_at: string;
}

/** Key revocation statements: this node's own, and those of peers (or their trust anchor) received. */
export interface KeyRevocationsTable {
  kid: string;
  node_id: string;
  /** The revocation statement, a compact JWS. */
  statement: string;
  /** Who signed it: the revoked key itself, or the network's trust anchor. */
  signed_by: 'key' | 'trust-anchor';
  reason: string;
  /** When the key stopped being trustworthy, as the statement says. */
  revoked_at: string;
  received_at: string;
}

export interface UsersTable {
  id: string;
  username: string;
  password_hash: string;
  role: 'admin' | 'caseworker' | 'auditor';
  created_at: string;
  disabled_at: string | null;
  /** The web interface's language for this user (en, de, el, it, ro, bg); null: English. */
  language: string | null;
  /** The name people know the user by (pages show it, never the id); null: the user name. */
  display_name: string | null;
  /** A phone number or address at work, sent to partners with her name when she is responsible for a referral received; null: none. */
  work_contact: string | null;
}

/** Written by rate-limiter-flexible alone (users/sign-in-guard.ts): its columns, its meaning. */
export interface SignInLimitsTable {
  key: string;
  points: number;
  /** When the count ends, in ms since the epoch (null: never). */
  expire: number | null;
}

/** A sign-in to the web interface (admin-ui/session.ts). */
export interface UiSessionsTable {
  /** b64url(SHA-256(token)): the token itself is only in the user's cookie. */
  token_digest: string;
  user_id: string;
  csrf: string;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
}

/** A user's TOTP second factor (users/second-factor.ts, migration 024). */
export interface UserSecondFactorsTable {
  user_id: string;
  /** The secret's data key is `second-factor:<key_id>`: a new one at each enrolment. */
  key_id: string;
  /** The TOTP secret sealed under its data key (`nonce.ciphertext`): never in the clear. */
  secret_sealed: string;
  created_at: string;
  /** When the first code confirmed it; null while the enrolment waits for it (not yet in force). */
  confirmed_at: string | null;
  /** The time step (Unix time / 30 s) of the last code accepted: only a later one is accepted. */
  last_step: number | null;
}

/** A recovery code not yet used (users/second-factor.ts): its keyed digest alone. */
export interface UserRecoveryCodesTable {
  /** b64url(HMAC-SHA-256(key derived from the KEK, user id and code)). */
  digest: string;
  user_id: string;
  created_at: string;
}

/** A sign-in halfway: the password was right, the second factor is still to be given (users/sessions.ts). */
export interface UiPendingSignInsTable {
  /** b64url(SHA-256(token)): the token itself is only in the browser's cookie. */
  token_digest: string;
  user_id: string;
  /** The token the code's form carries. */
  csrf: string;
  expires_at: string;
}

/** A new-referral form of the web interface already sent (migration 016). */
export interface ReferralSubmissionsTable {
  /** b64url(SHA-256(submission id)): the id itself is only in the form. */
  digest: string;
  /** The referral it made; null while it is being sent. */
  referral_id: string | null;
  created_at: string;
}

export interface ApiTokensTable {
  id: string;
  user_id: string;
  token_digest: string;
  label: string;
  created_at: string;
  last_used_at: string | null;
  /** When the token stops working (migration 023 gave every older token one: never null). */
  expires_at: string;
}

export interface PeersTable {
  id: string;
  name: string;
  country: string;
  languages: string;
  contact: string | null;
  state: 'pending' | 'trusted' | 'suspended' | 'revoked';
  signing_kid: string;
  signing_jwk: string;
  encryption_kid: string;
  encryption_jwk: string;
  identity_jws: string;
  /** The ETag the peer served with that document, for If-None-Match. */
  identity_etag: string | null;
  identity_checked_at: string | null;
  /** Set when revoked: key-compromise, no-longer-partner or other. */
  revocation_reason: string | null;
  added_at: string;
  trusted_at: string | null;
  updated_at: string;
}

export interface ReferralsTable {
  id: string;
  direction: 'incoming' | 'outgoing';
  peer_id: string;
  state: string;
  urgency: string;
  /** The seq of the last message this node sent in the referral. */
  local_seq: Generated<number>;
  /** The seq of the last message from the peer applied here. */
  peer_seq: Generated<number>;
  /** The bytes of the peer's messages in this referral kept here (their JWS); 0 once erased. A peer's stored-bytes quota sums them. */
  peer_bytes: Generated<number>;
  created_by: string | null;
  /** The consent record (consents.id) the referral's disclosures rest on. */
  consent_id: string | null;
  /** For an onward referral: the received referral it continues. */
  parent_referral_id: string | null;
  /** When the personal data of this referral was erased here, and why. */
  erased_at: string | null;
  erasure_reason: 'consent-withdrawn' | 'retention' | null;
  /** When an answer (accept or decline) is due; past it, an unanswered referral expires. */
  reply_by: string | null;
  /** This node's case reference, e.g. GR-2026-0042 (referrals/case-reference.ts); unique. */
  case_ref: string;
  /** The responsible caseworker here (a user id); null: nobody yet (referrals/assignment.ts). */
  assignee_id: string | null;
  /** The partner organisation's own case reference, as it sent it (referral.accept, referral.handover); null: not sent. */
  partner_case_ref: string | null;
  created_at: string;
  updated_at: string;
}

/** When each user last opened each referral's page (referrals/reads.ts): a later change is new to her. */
export interface ReferralReadsTable {
  user_id: string;
  referral_id: string;
  read_at: string;
}

/**
 * Something that happened which users are told of (node/notifications/): a code, the referral (or
 * consent) it is about, for whom and when; never a text, a name, a need or a note.
 */
export interface NotificationsTable {
  /** UUIDv7 of its time: ids sort as the notifications were made. */
  id: string;
  /** What happened: a code of node/notifications/kinds.ts ('referral-received', 'accepted', ...). */
  kind: string;
  referral_id: string | null;
  consent_id: string | null;
  /** The one user it is for (the referral's responsible caseworker); null: every active administrator and caseworker. */
  user_id: string | null;
  created_at: string;
  /** For a notification a periodic job makes: kind and ids, so that it is made once; null for one an event made. */
  dedupe_key: string | null;
}

/** Which user has read which notification (node/notifications/store.ts). */
export interface NotificationReadsTable {
  user_id: string;
  notification_id: string;
  read_at: string;
}

/** Which notification was mailed to which user: written once her mail server accepted the mail. */
export interface NotificationMailingsTable {
  user_id: string;
  notification_id: string;
  mailed_at: string;
}

/** A user's choice of notification e-mails (node/notifications/preferences.ts) and the state of her mails. */
export interface NotificationPreferencesTable {
  user_id: string;
  /** Her work address for notification e-mails; null: none given. Never logged, never in the audit log. */
  email: string | null;
  mail: 'off' | 'immediate' | 'daily';
  /** When she last turned e-mail on: what happened before is not mailed. */
  mail_since: string;
  /** Her last mail, or for a daily one the last day's round (sent, or nothing to send). */
  last_mail_at: string | null;
  /** Failed attempts in a row, and when the next is due (backoff); 0 and null once a mail is accepted. */
  failures: Generated<number>;
  retry_at: string | null;
  changed_at: string;
}

/** Blind tokens of the searchable data of each referral (referrals/search.ts): truncated keyed hashes, never values. */
export interface SearchTokensTable {
  referral_id: string;
  field: 'name' | 'dob' | 'phone';
  token: string;
}

/** When each referral was last indexed for search (its updated_at then). */
export interface SearchIndexedTable {
  referral_id: string;
  indexed_at: string;
}

/** The last case number given in each year (referrals/case-reference.ts). */
export interface CaseCountersTable {
  year: number;
  last: number;
}

export interface PayloadsTable {
  id: string;
  referral_id: string;
  /** Which message's content this is, e.g. 'referral.offer'. */
  kind: string;
  /** Empty: the payload's data key is in data_keys ('payload:<id>'). Rows written before migration 019 had it here, wrapped by the KEK, until the node first opened after it. */
  wrapped_key: string;
  nonce: string;
  ciphertext: string;
  created_at: string;
}

export interface EnvelopesTable {
  id: string;
  direction: 'incoming' | 'outgoing';
  peer_id: string;
  referral_id: string;
  type: string;
  seq: number;
  /** The envelope payload P (JSON text, identical on every attempt), sealed at rest under the data key 'envelope:<id>' (data-keys/sealed-text.ts); '' once erased. */
  payload: string;
  payload_digest: string;
  /** Incoming: the JWS as received, kept as evidence of what the sender signed; sealed at rest like payload. */
  signed_jws: string | null;
  receipt: string | null;
  created_at: string;
  received_at: string | null;
  delivery_state: 'queued' | 'delivered' | 'failed' | null;
  attempts: Generated<number>;
  last_error: string | null;
  next_attempt_at: string | null;
  lease_until: string | null;
  /** The process (node_processes.id, or a CLI command's) that holds the lease. */
  lease_owner: string | null;
  delivered_at: string | null;
  /** Set when payload and signed_jws were emptied by an erasure. */
  erased_at: string | null;
}

export interface ReferralEventsTable {
  id: string;
  referral_id: string;
  at: string;
  /** The message type that made the change, or 'receipt'. */
  action: string;
  from_state: string | null;
  to_state: string;
  actor_kind: 'user' | 'peer' | 'system';
  /** A user id of this node, a peer's node id, or for the system the rule that acted ('reply-by'). */
  actor_id: string;
  /** Reason, status or outcome code: from a fixed list, never free text. */
  code: string | null;
  envelope_id: string | null;
  /** The encrypted note or answer, if the action carried one. */
  payload_id: string | null;
}

export interface ServiceTokenUsesTable {
  iss: string;
  jti: string;
  /** NumericDate after which the row may be deleted: the token is refused as expired anyway. */
  exp: number;
}

export interface ConsentsTable {
  id: string;
  /** 'self', or the peer's node id for a consent received with an offer. */
  origin: string;
  origin_consent_id: string;
  derived_from: string | null;
  /** JSON arrays. */
  categories: string;
  purposes: string;
  recipients: string;
  /** JSON OnwardPermission, or null. */
  onward: string | null;
  method: 'written' | 'verbal' | 'verbal-with-interpreter';
  language: string;
  obtained_by: string;
  obtained_at: string;
  valid_until: string;
  /** JSON array of the recipients the consent was withdrawn for. */
  withdrawn_for: Generated<string>;
  withdrawn_at: string | null;
  recorded_at: string;
}

export interface ConsentFormsTable {
  consent_id: string;
  media_type: string;
  size: number;
  wrapped_key: string;
  nonce: string;
  ciphertext: Uint8Array;
  created_at: string;
}

export interface ErasuresTable {
  referral_id: string;
  node_id: string;
  node_referral_id: string | null;
  reason: 'consent-withdrawn' | 'retention';
  requested_at: string;
  statement: string | null;
  /** 1: the statement's signature was checked with the eraser's pinned key; 0: the key is not known here. */
  statement_verified: number | null;
  relayed_by: string | null;
  confirmed_at: string | null;
}

export interface AuditLogTable {
  idx: number;
  at: string;
  type: string;
  entry: string;
  leaf_hash: string;
}

/** Something about a peer an administrator must look at (node/peers/refresh.ts). */
export interface PeerAlertsTable {
  id: Generated<number>;
  peer_id: string;
  kind: 'signing-key-changed' | 'invalid-identity-document' | 'quota-exceeded';
  detail: string;
  evidence: string | null;
  evidence_digest: string | null;
  detected_at: string;
  resolved_at: string | null;
}

export interface Schema {
  node_settings: NodeSettingsTable;
  case_counters: CaseCountersTable;
  referral_reads: ReferralReadsTable;
  search_tokens: SearchTokensTable;
  search_indexed: SearchIndexedTable;
  node_keys: NodeKeysTable;
  users: UsersTable;
  api_tokens: ApiTokensTable;
  peers: PeersTable;
  referrals: ReferralsTable;
  payloads: PayloadsTable;
  envelopes: EnvelopesTable;
  referral_events: ReferralEventsTable;
  service_token_uses: ServiceTokenUsesTable;
  consents: ConsentsTable;
  consent_forms: ConsentFormsTable;
  erasures: ErasuresTable;
  audit_log: AuditLogTable;
  peer_alerts: PeerAlertsTable;
  key_revocations: KeyRevocationsTable;
  peer_identity_history: PeerIdentityHistoryTable;
  services: ServicesTable;
  peer_directories: PeerDirectoriesTable;
  ui_sessions: UiSessionsTable;
  ui_pending_sign_ins: UiPendingSignInsTable;
  user_second_factors: UserSecondFactorsTable;
  user_recovery_codes: UserRecoveryCodesTable;
  sign_in_limits: SignInLimitsTable;
  referral_submissions: ReferralSubmissionsTable;
  audit_tree_nodes: AuditTreeNodesTable;
  audit_leaf_hashes: AuditLeafHashesTable;
  checkpoints: CheckpointsTable;
  cosignatures: CosignaturesTable;
  witnessed_checkpoints: WitnessedCheckpointsTable;
  witness_inconsistencies: WitnessInconsistenciesTable;
  invitations: InvitationsTable;
  trust_list_peers: TrustListPeersTable;
  trust_list_status: TrustListStatusTable;
  node_processes: NodeProcessesTable;
  job_leases: JobLeasesTable;
  data_keys: DataKeysTable;
  keyring_retirements: KeyringRetirementsTable;
  keyring_binding: KeyringBindingTable;
  notifications: NotificationsTable;
  notification_reads: NotificationReadsTable;
  notification_mailings: NotificationMailingsTable;
  notification_preferences: NotificationPreferencesTable;
}

/** A process serving this node's data that delivers or runs periodic jobs (processes/registry.ts). */
export interface NodeProcessesTable {
  id: string;
  role: 'web' | 'worker' | 'all';
  started_at: string;
  /** The last time the process said it was alive (wall clock); long silent, it is taken for dead. */
  seen_at: string;
}

/** The process that runs a periodic job for now: one at a time across the processes. */
export interface JobLeasesTable {
  name: string;
  owner: string;
  claimed_at: string;
}

/** The data key of one stored item (a payload, an envelope copy, a consent form), wrapped by a keyring key (node/data-keys/). */
export interface DataKeysTable {
  /** What it opens, e.g. 'payload:<id>', 'envelope:<id>', 'consent-form:<consent id>'. */
  id: string;
  keyring_key_id: string;
  wrapped: string;
  created_at: string;
}

/** Keyring keys that wrapped a data key since destroyed: each is replaced and destroyed by the next shredding run. */
export interface KeyringRetirementsTable {
  keyring_key_id: string;
  since: string;
}

/** The one keyring this database's data keys are wrapped by (a process with another keyring refuses to start). */
export interface KeyringBindingTable {
  keyring_id: string;
  bound_at: string;
}

/** The root of the perfect subtree over leaves [idx·2^level, (idx+1)·2^level), level ≥ 1. */
export interface AuditTreeNodesTable {
  level: number;
  idx: number;
  hash: Uint8Array;
}

/** The entries of the audit log up to the last tree sync, by leaf hash (a proof asked for by hash). */
export interface AuditLeafHashesTable {
  idx: number;
  leaf_hash: string;
}

/** A checkpoint of this node's log: the C2SP signed note, as signed. */
export interface CheckpointsTable {
  size: number;
  /** b64url of the root hash. */
  root_hash: string;
  note: string;
  created_at: string;
}

/** A witness's cosignature on one of this node's checkpoints. */
export interface CosignaturesTable {
  checkpoint_size: number;
  witness_id: string;
  /** The note signature line, without its newline. */
  line: string;
  /** POSIX seconds, as signed by the witness. */
  timestamp: number;
  received_at: string;
}

/** As a witness: the latest checkpoint of a peer's log that this node cosigned. */
export interface WitnessedCheckpointsTable {
  peer_id: string;
  size: number;
  root_hash: string;
  note: string;
  cosigned_at: string;
}

/** Evidence that a peer signed two checkpoints that cannot both be true. */
export interface WitnessInconsistenciesTable {
  id: Generated<number>;
  peer_id: string;
  kind: 'same-size-different-root' | 'consistency-proof-failed';
  held_size: number;
  held_root_hash: string;
  held_note: string;
  submitted_size: number;
  submitted_root_hash: string;
  submitted_note: string;
  proof: string;
  detected_at: string;
}

/** An invitation this node created (peers/invitations.ts): one use, until it expires or is revoked. */
export interface InvitationsTable {
  id: string;
  /** base64url(SHA-256(secret bytes)); the secret is only in the code handed out once. */
  secret_digest: string;
  /** The user who created it; null when made with the CLI. */
  created_by: string | null;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
  used_at: string | null;
  /** The node id that redeemed it, and the signing kid pinned for that node. */
  used_by: string | null;
  used_kid: string | null;
}

/** A peer this node trusts because a trust list named it (peers/trust-list-follower.ts). */
export interface TrustListPeersTable {
  peer_id: string;
  signing_kid: string;
  /** listed: trusted because of the list; removed: revoked because the list dropped it. */
  state: 'listed' | 'removed';
  added_at: string;
  removed_at: string | null;
}

/** The one row about the trust list followed: the last attempt, and the last list applied. */
export interface TrustListStatusTable {
  id: number;
  url: string;
  checked_at: string;
  outcome: 'applied' | 'unreachable' | 'refused';
  detail: string | null;
  network: string | null;
  list_iat: number | null;
  list_exp: number | null;
  list_digest: string | null;
  applied_at: string | null;
  /** JSON arrays: the members listed, what was changed, what could not be. */
  members: string | null;
  applied: string | null;
  problems: string | null;
}
