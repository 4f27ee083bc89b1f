// What the commands that work on a node run, in one module that a command loads when it runs (so
// building the program and `--help` load none of it). One module rather than one `import()` per
// function's module: the node's modules are loaded together anyway once a command opens the node,
// and each separate `import()` is a place where the bundle (scripts/bundle.js) must cut the node
// into another file, which every start, `serve`'s included, then loads apart. Commands that need
// no node (`taxonomy`, the trust-list anchor's, `audit verify --file`) import what they run
// themselves.
export { databaseTarget, hasNode, initNode } from '../node.js';
export { describeKekSource, kekSourceOf } from '../config/kek-source.js';
export { normaliseNodeUrl } from '../peers/node-url.js';
export { addPeer, changePeerState, COMMAND_LINE, fetchPeerIdentity, listPeers, trustPeer } from '../peers/service.js';
export { requireFingerprint } from '../peers/fingerprint.js';
export { createInvitation, listInvitations, revokeInvitation } from '../peers/invitations.js';
export { redeemInvitationCode } from '../peers/redeem-invitation.js';
export { pushKeyRevocation } from '../peers/key-revocation.js';
export { trustListStatus } from '../peers/trust-list-follower.js';
export { createApiToken, createUser, displayNameOf, findUserByName, listApiTokens, listUsers, resetPassword, revokeApiToken, setDisplayName, setUserDisabled, setWorkContact, UserError } from '../users/service.js';
export { removeSecondFactor } from '../users/second-factor.js';
export { readableFingerprint } from '../identity/keys.js';
export { listNodeKeys } from '../identity/store.js';
export { KeyError, revokeSigningKey, rotateEncryptionKey, rotateSigningKey } from '../identity/rotation.js';
export { KekError } from '../crypto/kek.js';
export { KeyringError } from '../data-keys/keyring.js';
export { completeErasures } from '../data-keys/shredding.js';
export { copyKeyringAround, KeyringBackupError, keyringKeysNeededByCopyText, keyringKeysNeededBySqlite } from '../data-keys/keyring-backup.js';
export { BackupError, backupPostgres, backupSqlite, dumpedTable, findPostgresTool, pgDumpCommand, withoutPassword } from '../db/backup.js';
export { directoryStatus, dropRevokedPeersDirectories, syncPeerDirectories } from '../directory/sync.js';
export { exportHsds } from '../directory/hsds.js';
export { matchServices } from '../directory/matching.js';
export { createService, deleteService, getService, listServices, pauseService, replaceService, resumeService, setAvailability } from '../directory/services.js';
export { consentView, getConsent, listConsents, recordConsent } from '../consents/service.js';
export { withdrawConsent } from '../consents/withdrawal.js';
export { attachConsentForm, MAX_FORM_BYTES } from '../consents/form.js';
export { exportAuditBundle } from '../audit-log/bundle.js';
export { createReferral, getReferralDetail, getReferralSummary, listReferrals, sendDraft } from '../referrals/service.js';
export { sendLifecycleMessage } from '../referrals/messages.js';
export { createInquiry, offerAfterInquiry } from '../referrals/inquiry.js';
export { referOnward } from '../referrals/onward.js';
export { requeueFailedMessage } from '../delivery/requeue.js';
export { allowedActions, partyOf } from '../referrals/lifecycle.js';
