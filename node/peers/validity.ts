// How long an invitation and a signed trust list are valid, and the form of a key id: apart from
// the services that use them, so that the command line can state them in its options without
// loading those.

/** An invitation's validity, in hours. */
export const DEFAULT_VALID_HOURS = 72;
export const MAX_VALID_HOURS = 720;

/** A trust list's validity, in days. */
export const DEFAULT_VALID_DAYS = 30;
export const MAX_VALID_DAYS = 366;

/** An RFC 7638 thumbprint (SHA-256, base64url), as every kid of the protocol. */
export const KID_PATTERN = /^[A-Za-z0-9_-]{43}$/;
