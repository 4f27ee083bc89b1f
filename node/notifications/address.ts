// E-mail addresses as the node takes them: a user's address for notifications, and the address
// the node's mails come from (REFERRAL_NODE_MAIL_FROM). A plain check of the shape, not of
// deliverability: one line, one @, a domain with a dot, no spaces, quotes or angle brackets (so
// that an address can never carry a display name or a second recipient into a header).

/** RFC 5321's limit on a forward path. */
export const MAX_ADDRESS_LENGTH = 254;

const ADDRESS = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:".]+$/u;

export type AddressProblem = 'invalid' | 'too-long';

/** Why `value` (already trimmed) cannot be an address, or undefined when it can. */
export function addressProblem(value: string): AddressProblem | undefined {
  if (value.length > MAX_ADDRESS_LENGTH) return 'too-long';
  // Control characters, and anything beyond the shape above, are refused.
  if (/\p{Cc}/u.test(value) || !ADDRESS.test(value)) return 'invalid';
  const [local] = value.split('@');
  if (local!.length > 64 || local!.startsWith('.') || local!.endsWith('.') || value.includes('..')) return 'invalid';
  return undefined;
}

export const isAddress = (value: string): boolean => addressProblem(value) === undefined;
