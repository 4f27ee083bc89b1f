// The events of the audit log (DESIGN.md, "The log"), one type per kind of event. An entry holds
// ids, codes, categories and dates, never personal data: no names, notes or client fields. The
// same catalogue is documented in spec/federation.yaml (LogEntry) and docs/audit-log.md.

/** Who made the event happen: a user of this node, a peer node, or the node itself (a rule). */
export interface AuditActor {
  kind: 'user' | 'peer' | 'system';
  /** A user id, a peer's node id, or for the system the rule that acted ('reply-by', 'retention'). */
  id: string;
}

export type DataCategory = 'identity' | 'contact' | 'situation' | 'legal-status' | 'health' | 'children' | 'documents';

export interface ConsentMetadata {
  consent_id: string;
  /** 'self' for a consent recorded here, else the node id it came from. */
  origin: string;
  origin_consent_id: string;
  derived_from?: string;
  categories: DataCategory[];
  purposes: string[];
  recipients: string[];
  onward_allowed: boolean;
  method: 'written' | 'verbal' | 'verbal-with-interpreter';
  language: string;
  obtained_by: string;
  obtained_at: string;
  valid_until: string;
}

export type AuditEvent =
  | { type: 'node.initialised'; node_id: string; signing_kid: string; encryption_kid: string }
  | { type: 'user.created'; user_id: string; role: string }
  | { type: 'user.token-created'; user_id: string; token_id: string }
  /** An API token was revoked (by the actor): it works no more. */
  | { type: 'user.token-revoked'; user_id: string; token_id: string }
  /** A token used again after a pause of LOGIN_GAP or more: the start of a working session. */
  | { type: 'user.login'; user_id: string; token_id: string }
  /** A user signed in to, or out of, the web interface (never the password, never the session token). */
  | { type: 'user.signed-in'; user_id: string }
  | { type: 'user.signed-out'; user_id: string }
  /** The user changed their own password (never the password itself). */
  | { type: 'user.password-changed'; user_id: string }
  /** An administrator (the actor) gave the user a new password. */
  | { type: 'user.password-reset'; user_id: string }
  | { type: 'user.role-changed'; user_id: string; role: string }
  /** The name itself is not written: pages look it up (users.display_name). */
  | { type: 'user.display-name-changed'; user_id: string }
  | { type: 'user.work-contact-changed'; user_id: string }
  /** The user's choice of notification e-mails (off, immediate, daily) changed, and whether her address did: never the address. */
  | { type: 'user.notifications-changed'; user_id: string; mail: 'off' | 'immediate' | 'daily'; address_changed: boolean }
  | { type: 'user.disabled'; user_id: string }
  | { type: 'user.enabled'; user_id: string }
  /**
   * Sign-in to an account was locked after too many failed attempts (the actor is the system's
   * `sign-in-throttle`); user_id is absent when no account has the name tried. Never the name
   * tried, never the client's address.
   */
  | { type: 'user.sign-in-locked'; user_id?: string; minutes: number }
  /** An administrator (the actor) lifted the sign-in lock and waits of an account. */
  | { type: 'user.sign-in-unlocked'; user_id: string }
  /**
   * Sign-in from one client address was locked after too many failed attempts, on any accounts
   * (the actor is the system's `sign-in-throttle`). Never the address.
   */
  | { type: 'sign-in.address-locked'; minutes: number }
  /** An administrator (the actor) lifted the lock and waits of a client address (never the address). */
  | { type: 'sign-in.address-unlocked' }
  /** The user confirmed a TOTP second factor with a first code (never the secret, never a code). */
  | { type: 'user.second-factor-enabled'; user_id: string }
  /** The user's second factor was removed: by the user (the actor), or by an administrator or the command line. */
  | { type: 'user.second-factor-removed'; user_id: string }
  /** The user signed in with a recovery code (never the code); `left`: how many unused codes remain. */
  | { type: 'user.recovery-code-used'; user_id: string; left: number }
  /** The user made new recovery codes; the old ones no longer work. */
  | { type: 'user.recovery-codes-renewed'; user_id: string }
  | { type: 'peer.added'; peer_id: string; signing_kid: string }
  | { type: 'peer.trusted'; peer_id: string; signing_kid: string }
  | { type: 'peer.suspended'; peer_id: string }
  | { type: 'peer.restored'; peer_id: string }
  | { type: 'peer.revoked'; peer_id: string; reason: 'key-compromise' | 'no-longer-partner' | 'other' }
  /** A peer's refreshed identity document, signed with its pinned key, brought a new encryption key. */
  | { type: 'peer.identity-updated'; peer_id: string; signing_kid: string; encryption_kid: string }
  /** One of the organisation's own services was described, changed, paused, resumed, its availability set, or removed. */
  | { type: 'service.changed'; service_id: string; action: 'created' | 'updated' | 'paused' | 'resumed' | 'availability' | 'deleted' }
  /** A peer's signing key was replaced, and its continuity chain from the pinned key followed. */
  | { type: 'peer.key-rotated'; peer_id: string; signing_kid: string; previous_kid: string }
  /** A key of this node was replaced by a new one (the old one is retired, still held for a while). */
  | { type: 'key.rotated'; use: 'enc' | 'sig'; kid: string; previous_kid: string }
  /** The private half of a retired key was destroyed. */
  | { type: 'key.destroyed'; use: 'enc' | 'sig'; kid: string }
  /** This node declared its signing key compromised (`referral-node keys revoke`) and made a new one. */
  | { type: 'key.revoked'; use: 'sig'; kid: string; reason: 'key-compromise'; signing_kid: string }
  /** A peer's identity document was not accepted and the administrator alerted. */
  | { type: 'peer.alert'; peer_id: string; kind: 'signing-key-changed' | 'invalid-identity-document' | 'quota-exceeded' }
  /** An administrator (the actor) marked a peer's alert as resolved, after looking into it. */
  | { type: 'peer.alert-resolved'; peer_id: string; kind: 'signing-key-changed' | 'invalid-identity-document' | 'quota-exceeded' }
  | ({ type: 'consent.recorded' } & ConsentMetadata)
  | { type: 'consent.form-attached'; consent_id: string; media_type: string; size: number }
  /** The scanned form was erased: the consent ended longer ago than the retention period. */
  | { type: 'consent.form-erased'; consent_id: string; reason: 'retention' }
  /** recipients: those the consent was withdrawn for in this step; whole: none is left. */
  | { type: 'consent.withdrawn'; consent_id: string; recipients: string[]; whole: boolean }
  /**
   * Personal data left this node: an offer, or further client data in an information response.
   * The consent must be in force for `peer_id` and cover every category listed.
   */
  | {
      type: 'data.disclosed';
      referral_id: string;
      peer_id: string;
      envelope_id: string;
      message: string;
      consent_id: string;
      categories: DataCategory[];
    }
  /** A message that would have disclosed data was cancelled before any attempt to send it: the data never left. */
  | { type: 'disclosure.cancelled'; referral_id: string; envelope_id: string }
  /** A message of a referral: made here, received from the peer, or a rule (expiry). */
  | {
      type: 'referral.event';
      referral_id: string;
      peer_id: string;
      direction: 'incoming' | 'outgoing';
      action: string;
      from_state: string | null;
      to_state: string;
      code?: string;
      envelope_id?: string;
    }
  /** An incoming referral's content was read by a user. */
  | { type: 'referral.opened'; referral_id: string; user_id: string }
  /** An erasure this node asked of `node_id` (the receiver, or an onward recipient it heard of). */
  | { type: 'erasure.requested'; referral_id: string; node_id: string; reason: 'consent-withdrawn' | 'retention'; envelope_id?: string }
  /** This node erased the personal data of a referral. */
  | { type: 'erasure.performed'; referral_id: string; reason: 'consent-withdrawn' | 'retention'; payloads: number; envelopes: number }
  /** A signed erasure statement came in: `node_id` erased its copy. */
  | {
      type: 'erasure.confirmed';
      referral_id: string;
      node_id: string;
      reason: 'consent-withdrawn' | 'retention';
      statement_digest: string;
      relayed_by?: string;
    }
  /** A peer's witness submission contradicted a checkpoint it signed before (evidence kept). */
  | { type: 'witness.inconsistency'; peer_id: string; old_size: number; new_size: number }
  /** An invitation made here (its secret is never logged). */
  | { type: 'invitation.created'; invitation_id: string; expires_at: string }
  /**
   * An invitation was redeemed: on the inviting node, by `peer_id` (the actor is that peer); on
   * the redeeming node, the inviter's invitation was redeemed here. `signing_kid` is the key pinned.
   */
  | { type: 'invitation.redeemed'; invitation_id: string; peer_id: string; signing_kid: string }
  | { type: 'invitation.revoked'; invitation_id: string }
  /** A network trust list was applied: its network name, how many members it lists, how many peers it trusted and revoked here. */
  | { type: 'trust-list.applied'; network: string; members: number; added: number; removed: number };

export type AuditEventType = AuditEvent['type'];

/** Every event type, for checks against the spec (LogEntry in spec/federation.yaml). */
export const AUDIT_EVENT_TYPES = [
  'node.initialised', 'user.created', 'user.token-created', 'user.token-revoked', 'user.login', 'user.signed-in', 'user.signed-out',
  'user.password-changed', 'user.password-reset', 'user.role-changed', 'user.display-name-changed', 'user.work-contact-changed', 'user.disabled', 'user.enabled', 'user.sign-in-locked', 'user.sign-in-unlocked',
  'user.notifications-changed',
  'sign-in.address-locked', 'sign-in.address-unlocked',
  'user.second-factor-enabled', 'user.second-factor-removed', 'user.recovery-code-used', 'user.recovery-codes-renewed', 'peer.added', 'peer.trusted', 'peer.suspended', 'peer.restored', 'peer.revoked', 'peer.identity-updated', 'peer.key-rotated', 'peer.alert', 'peer.alert-resolved', 'key.rotated', 'key.destroyed', 'key.revoked',
  'consent.recorded', 'consent.form-attached', 'consent.form-erased', 'consent.withdrawn', 'data.disclosed', 'disclosure.cancelled',
  'referral.event', 'referral.opened', 'erasure.requested', 'erasure.performed', 'erasure.confirmed', 'witness.inconsistency',
  'invitation.created', 'invitation.redeemed', 'invitation.revoked', 'trust-list.applied', 'service.changed',
] as const satisfies readonly AuditEventType[];

// A type added to AuditEvent but not to the list above fails to compile here.
const everyTypeListed: Exclude<AuditEventType, (typeof AUDIT_EVENT_TYPES)[number]> extends never ? true : never = true;
void everyTypeListed;
