// The referral made after an answered inquiry: the flow is given the inquiry's id (in a hidden
// field), and each step reads again from this node what the inquiry asked (its needs and urgency)
// and to whom, so nothing of it is taken from the form. It goes on only while the inquiry is this
// node's, answered and not yet made into a referral.
import type { components as Fed } from '../spec/generated/federation.js';
import type { NodeContext } from '../node/context.js';
import { INQUIRY, type ReferralInquiryBody } from '../node/referrals/inquiry.js';
import { OFFER_AFTER_INQUIRY } from '../node/referrals/lifecycle.js';
import { readPayload } from '../node/referrals/payload-store.js';
import { isUuid } from '../node/http/request.js';

export interface InquiryTarget {
  id: string;
  organisation: { id: string; name: string; country: string };
  needs: Array<Fed['schemas']['TaxonomyCode']>;
  urgency: Fed['schemas']['Urgency'];
}

/** The answered inquiry `id` this node sent, or undefined when there is none (or it is past that). */
export async function answeredInquiry(ctx: NodeContext, id: string): Promise<InquiryTarget | undefined> {
  if (!isUuid(id)) return undefined;
  const { db } = ctx.database;
  const row = await db
    .selectFrom('referrals')
    .innerJoin('peers', 'peers.id', 'referrals.peer_id')
    .select(['referrals.id', 'referrals.direction', 'referrals.state', 'peers.id as peer_id', 'peers.name', 'peers.country'])
    .where('referrals.id', '=', id)
    .executeTakeFirst();
  if (!row || row.direction !== 'outgoing' || row.state !== OFFER_AFTER_INQUIRY) return undefined;
  const inquiry = await readPayload<ReferralInquiryBody>(db, ctx.kek, id, INQUIRY);
  if (!inquiry) return undefined;
  return { id: row.id, organisation: { id: row.peer_id, name: row.name, country: row.country }, needs: inquiry.needs, urgency: inquiry.urgency };
}
