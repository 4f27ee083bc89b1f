// The referral made after an answered inquiry: the flow is given the inquiry's id (in a hidden
// field), and each step reads again from this node what the inquiry asked (its needs and urgency)
// and to whom, so nothing of it is taken from the form. It goes on only while the inquiry is this
// node's, answered and not yet made into a referral.
import type { components as Fed } from '../spec/generated/federation.js';
import type { NodeContext } from '../node/context.js';
import { INQUIRY, type ReferralInquiryBody } from '../node/referrals/inquiry.js';
import { OFFER_AFTER_INQUIRY } from '../node/referrals/lifecycle.js';
import { readPayload } from '../node/referrals/payload-store.js';
import { getReferralSummary } from '../node/referrals/service.js';
import { peerNames } from '../node/peers/store.js';
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
  const referral = await getReferralSummary(ctx, id);
  if (!referral || referral.direction !== 'outgoing' || referral.state !== OFFER_AFTER_INQUIRY) return undefined;
  const peer = (await peerNames(db, [referral.peer.id])).get(referral.peer.id);
  const inquiry = await readPayload<ReferralInquiryBody>(db, ctx.dataKeys, id, INQUIRY);
  if (!peer || !inquiry) return undefined;
  return { id, organisation: { id: referral.peer.id, name: peer.name, country: peer.country }, needs: inquiry.needs, urgency: inquiry.urgency };
}
