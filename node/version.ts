// What this program is: its version (package.json's, which a test keeps in step) and the protocol
// versions it speaks, for `referral-node --version` and the identity document. A module of its
// own, with no imports, so that printing the version loads nothing else.

/** This software's version, as in package.json. */
export const SOFTWARE_VERSION = '0.1.0';

/** The versions of the federation protocol this node speaks (spec/federation.yaml), in its identity document. */
export const PROTOCOL_VERSIONS = ['1'];
