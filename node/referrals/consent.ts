// The consent rules a referral must satisfy before any personal data leaves (sender) or is
// kept (receiver): consent in force, the recipient named, and only consented data categories.
import type { components } from '../../spec/generated/federation.js';

type ClientData = components['schemas']['ClientData'];
type DataCategory = components['schemas']['DataCategory'];
type ConsentRecord = components['schemas']['ConsentRecord'];

const categoryOfGroup: Record<keyof ClientData, DataCategory> = {
  identity: 'identity',
  contact: 'contact',
  situation: 'situation',
  legal_status: 'legal-status',
  health: 'health',
  children: 'children',
  documents: 'documents',
};

export function categoriesPresent(client: ClientData): DataCategory[] {
  return (Object.keys(client) as Array<keyof ClientData>)
    .filter((group) => client[group] !== undefined)
    .map((group) => categoryOfGroup[group]);
}

/** Why this disclosure is not covered by the consent, or undefined when it is. */
export function consentViolation(client: ClientData, consent: ConsentRecord, recipient: string, now: Date): string | undefined {
  if (Date.parse(consent.valid_until) <= now.getTime()) return 'The consent is no longer in force (valid_until has passed).';
  if (Date.parse(consent.obtained_at) > now.getTime() + 5 * 60_000) return 'The consent is dated in the future.';
  if (!consent.recipients.includes(recipient)) return 'The consent does not name this recipient.';
  const outside = categoriesPresent(client).filter((c) => !consent.categories.includes(c));
  if (outside.length > 0) return `The client data includes categories the consent does not cover: ${outside.join(', ')}.`;
  return undefined;
}
