// What the commands that need no node run: the trust-list anchor's (its key, the list, the
// statements it signs) and the audit log's verification of a bundle (an auditor's, from a file or
// another node), in one module loaded when such a command runs. One module rather than an
// `import()` each, for the reason node-functions.ts gives.
export { anchorKeyFrom, generateAnchorJwk, signTrustList, TrustListError } from '../peers/trust-list.js';
export { readableFingerprint } from '../identity/keys.js';
export { signAnchorKeyRevocation } from '../identity/revocation.js';
export { pushTo } from '../peers/key-revocation.js';
export { describeVerification, verifyAuditBundle } from '../audit-log/verify.js';
