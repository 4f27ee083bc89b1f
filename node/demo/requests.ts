// Turns a sample referral from fixtures.ts (camelCase, relative days) into the local API's
// CreateReferralRequest (snake_case, absolute dates), as a caseworker's script would send it.
import type { components as Fed } from '../../spec/generated/federation.js';
import type { CreateReferralRequest } from '../referrals/service.js';
import type { DemoReferral } from './fixtures.js';

type ClientData = Fed['schemas']['ClientData'];

const DAY_MS = 24 * 60 * 60 * 1000;

const daysAfter = (now: Date, days: number) => new Date(now.getTime() + days * DAY_MS).toISOString();

/** Leaves out keys whose value is undefined: the schema forbids nulls and the fixtures omit freely. */
function defined<T extends Record<string, unknown>>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T;
}

export function toClientData(client: DemoReferral['client']): ClientData {
  const { identity, contact, situation, legalStatus, health, children, documents } = client;
  return defined<ClientData>({
    identity: identity && defined({
      given_name: identity.givenName,
      family_name: identity.familyName,
      date_of_birth: identity.dateOfBirth,
      nationality: identity.nationality,
    }),
    contact: contact && defined({
      phone: contact.phone,
      email: contact.email,
      preferred_language: contact.preferredLanguage,
      safe_to_contact: contact.safeToContact,
    }),
    situation: situation && defined({
      summary: situation.summary,
      languages_spoken: situation.languagesSpoken,
      household_note: situation.householdNote,
    }),
    legal_status: legalStatus && defined({ status: legalStatus.status, note: legalStatus.note }),
    health: health && { note: health.note },
    children: children && defined({ count: children.count, ages: children.ages, note: children.note }),
    documents: documents && defined({ held: documents.held, missing: documents.missing }),
  });
}

/** `to` is the receiving node's id; `now` anchors the reply-by date and the consent's validity. */
export function toCreateReferralRequest(referral: DemoReferral, to: string, now: Date): CreateReferralRequest {
  return defined<CreateReferralRequest>({
    to,
    needs: referral.needs,
    urgency: referral.urgency,
    reply_by: referral.replyInDays === undefined ? undefined : daysAfter(now, referral.replyInDays),
    reason: referral.reason,
    client: toClientData(referral.client),
    consent: {
      categories: referral.consent.categories,
      purposes: referral.consent.purposes,
      method: referral.consent.method,
      language: referral.consent.language,
      valid_until: daysAfter(now, referral.consent.validForDays),
    },
  });
}
