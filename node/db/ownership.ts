// Which module owns each table. The owner alone writes the table (insert, update, delete); reads
// stay inside the owner's concern folder; every other module calls the owner's functions.
// tests/architecture/ownership.test.ts holds the code to this map, and docs/architecture.md
// shows it. A table added to the schema without an owner here does not type-check.
import type { Schema } from './schema.js';

export interface TableOwner {
  /** The one module (path from the repository root) that writes the table. */
  owner: string;
  /** What the table holds, in a few words (docs/architecture.md). */
  holds: string;
}

export const tableOwners: Readonly<Record<keyof Schema, TableOwner>> = {
  node_settings: { owner: 'node/identity/store.ts', holds: "this node's id, name, country, languages" },
  node_keys: { owner: 'node/identity/store.ts', holds: "this node's signing and encryption keys, private halves under data keys" },
  key_revocations: { owner: 'node/identity/revocations.ts', holds: "key revocation statements, this node's and peers'" },
  users: { owner: 'node/users/service.ts', holds: 'staff accounts, roles, display names, work contacts, interface language' },
  api_tokens: { owner: 'node/users/service.ts', holds: 'local API tokens (digests only)' },
  ui_sessions: { owner: 'node/users/sessions.ts', holds: 'web interface sign-ins (token digests, CSRF tokens)' },
  ui_pending_sign_ins: { owner: 'node/users/sessions.ts', holds: 'sign-ins waiting for their second factor, five minutes at most (token digests)' },
  user_second_factors: { owner: 'node/users/second-factor.ts', holds: "users' TOTP secrets, sealed under data keys, and the last step used" },
  user_recovery_codes: { owner: 'node/users/second-factor.ts', holds: 'recovery codes not yet used (keyed digests only)' },
  sign_in_limits: { owner: 'node/users/sign-in-guard.ts', holds: 'failed sign-ins per account and address, waits and locks (keyed digests only)' },
  peers: { owner: 'node/peers/store.ts', holds: 'peer nodes, their pinned keys and trust state' },
  peer_alerts: { owner: 'node/peers/alerts.ts', holds: "alerts about peers for this node's administrators" },
  peer_identity_history: { owner: 'node/peers/peer-keys.ts', holds: "peers' identity documents replaced by a signing-key rotation" },
  service_token_uses: { owner: 'node/peers/service-token.ts', holds: 'service token ids seen, against replay' },
  invitations: { owner: 'node/peers/invitations.ts', holds: 'invitations this node created (secret digests only)' },
  trust_list_peers: { owner: 'node/peers/trust-list-follower.ts', holds: 'peers trusted because a trust list named them' },
  trust_list_status: { owner: 'node/peers/trust-list-follower.ts', holds: 'the trust list followed and its last application' },
  referrals: { owner: 'node/referrals/state.ts', holds: 'referrals: direction, peer, state, sequence numbers, case references (ours and the partner\'s), responsible caseworker (no personal data)' },
  case_counters: { owner: 'node/referrals/case-reference.ts', holds: 'the last case number given in each year' },
  referral_reads: { owner: 'node/referrals/reads.ts', holds: 'when each user last opened each referral (unread marks)' },
  search_tokens: { owner: 'node/referrals/search-tokens.ts', holds: 'blind tokens of names, dates of birth and phone numbers (truncated keyed hashes, never values)' },
  search_indexed: { owner: 'node/referrals/search-tokens.ts', holds: 'when each referral was last indexed for search' },
  referral_events: { owner: 'node/referrals/timeline.ts', holds: "each referral's timeline (codes only)" },
  payloads: { owner: 'node/referrals/payload-store.ts', holds: 'encrypted personal data of referrals and messages' },
  referral_submissions: { owner: 'node/referrals/submissions.ts', holds: 'web forms already sent, against a second referral' },
  envelopes: { owner: 'node/delivery/outbox.ts', holds: 'envelopes sent and received, the outbox and its leases' },
  consents: { owner: 'node/consents/service.ts', holds: 'consent records (scope in the clear, person encrypted)' },
  consent_forms: { owner: 'node/consents/form.ts', holds: 'signed consent forms, encrypted' },
  erasures: { owner: 'node/consents/erasures.ts', holds: 'erasures requested of peers and their signed statements' },
  audit_log: { owner: 'node/audit-log/append.ts', holds: 'the verifiable audit log (no personal data)' },
  audit_tree_nodes: { owner: 'node/audit-log/tree-store.ts', holds: "the Merkle tree over the audit log" },
  audit_leaf_hashes: { owner: 'node/audit-log/tree-store.ts', holds: 'the audit log\'s entries by leaf hash, up to the last tree sync' },
  checkpoints: { owner: 'node/audit-log/checkpoints.ts', holds: "signed checkpoints of this node's log" },
  cosignatures: { owner: 'node/audit-log/witness-client.ts', holds: "witnesses' cosignatures on this node's checkpoints" },
  witnessed_checkpoints: { owner: 'node/audit-log/witness.ts', holds: "as a witness: peers' latest checkpoints cosigned" },
  witness_inconsistencies: { owner: 'node/audit-log/witness.ts', holds: 'as a witness: evidence of a peer rewriting its log' },
  services: { owner: 'node/directory/services.ts', holds: "this organisation's own services (its directory entry)" },
  peer_directories: { owner: 'node/directory/sync.ts', holds: "peers' signed directories as fetched" },
  node_processes: { owner: 'node/processes/registry.ts', holds: 'the processes serving this data that deliver or run jobs, and when each was last alive' },
  job_leases: { owner: 'node/processes/registry.ts', holds: 'which process runs each periodic job for now' },
  data_keys: { owner: 'node/data-keys/data-keys.ts', holds: 'the data key of each stored payload, envelope copy and consent form, wrapped by a keyring key' },
  keyring_retirements: { owner: 'node/data-keys/data-keys.ts', holds: 'keyring keys to replace and destroy after an erasure' },
  keyring_binding: { owner: 'node/data-keys/data-keys.ts', holds: 'which keyring file the data keys are wrapped by' },
  notifications: { owner: 'node/notifications/store.ts', holds: 'what users are told of: a kind, the referral or consent, for whom, when (codes and ids only)' },
  notification_reads: { owner: 'node/notifications/store.ts', holds: 'which user has read which notification' },
  notification_mailings: { owner: 'node/notifications/store.ts', holds: 'which notification was mailed to which user (once her mail server accepted it)' },
  notification_preferences: { owner: 'node/notifications/preferences.ts', holds: "each user's address and choice of notification e-mails (off, immediate, daily), and the state of her mails" },
};

/** The concern folder of a module: where reads of the tables it owns may happen. */
export const concernOf = (module: string): string => module.slice(0, module.lastIndexOf('/') + 1);
