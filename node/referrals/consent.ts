// The consent rules a referral must satisfy before any personal data leaves (sender) or is
// kept (receiver): consent in force and not dated ahead, the recipient named, a referral among
// its purposes, and only consented data categories. Each rule has its own problem type at the
// receiver (spec/federation.yaml, ConsentRecord), so that a sender can tell which it broke.
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

/** The consent rules, each a problem type of the federation API, in the order they are checked. */
export const CONSENT_PROBLEMS = ['consent-expired', 'consent-dated-ahead', 'consent-recipient-not-named', 'consent-purpose-not-covered', 'consent-category-not-covered'] as const;
export type ConsentProblem = (typeof CONSENT_PROBLEMS)[number];

/** The purpose a consent must name for a referral to be made under it. */
export const REFERRAL_PURPOSE = 'referral';

/** How far ahead of this node's clock a consent may be dated (the two organisations' clocks differ a little). */
export const CONSENT_CLOCK_SLACK_MS = 5 * 60_000;

/** Which rule this disclosure breaks, and why in a sentence; undefined when the consent covers it. */
export function consentViolation(client: ClientData, consent: ConsentRecord, recipient: string, now: Date): { problem: ConsentProblem; detail: string } | undefined {
  if (Date.parse(consent.valid_until) <= now.getTime()) return { problem: 'consent-expired', detail: 'The consent is no longer in force (valid_until has passed).' };
  if (Date.parse(consent.obtained_at) > now.getTime() + CONSENT_CLOCK_SLACK_MS) return { problem: 'consent-dated-ahead', detail: 'The consent is dated in the future.' };
  if (!consent.recipients.includes(recipient)) return { problem: 'consent-recipient-not-named', detail: 'The consent does not name this recipient.' };
  if (!(consent.purposes as readonly string[]).includes(REFERRAL_PURPOSE)) {
    return { problem: 'consent-purpose-not-covered', detail: 'The consent does not name referral among its purposes: she did not agree to be referred.' };
  }
  const outside = categoriesPresent(client).filter((c) => !consent.categories.includes(c));
  if (outside.length > 0) return { problem: 'consent-category-not-covered', detail: `The client data includes categories the consent does not cover: ${outside.join(', ')}.` };
  return undefined;
}
