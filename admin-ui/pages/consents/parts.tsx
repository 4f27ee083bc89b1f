// What the consent pages share: the words for a consent's state, data categories, purposes and
// method, and an organisation's name for its node id.
import type { Consent, ConsentStatus } from '../../../node/consents/service.js';
import type { Messages } from '../../i18n/catalogue.js';

export const CONSENT_STATES: readonly ConsentStatus[] = ['in-force', 'partly-withdrawn', 'withdrawn', 'expired'];

/** Names of the organisations this node knows (its peers, and itself), by node id. */
export type OrganisationNames = ReadonlyMap<string, string>;

export const stateLabel = (t: Messages, state: ConsentStatus): string => t[`consentState.${state}`];

export function StateBadge(props: { t: Messages; state: ConsentStatus }) {
  const kind = props.state === 'in-force' ? 'badge good' : props.state === 'partly-withdrawn' ? 'badge' : 'badge bad';
  return <span class={kind}>{stateLabel(props.t, props.state)}</span>;
}

const CATEGORIES = ['identity', 'contact', 'situation', 'legal-status', 'health', 'children', 'documents'] as const;
const PURPOSES = ['referral', 'service-provision', 'follow-up'] as const;
const isOneOf = <T extends string>(list: readonly T[], value: string): value is T => (list as readonly string[]).includes(value);

export const categoriesText = (t: Messages, consent: Pick<Consent, 'categories'>): string =>
  consent.categories.map((c) => (isOneOf(CATEGORIES, c) ? t[`consentCategory.${c}`] : c)).join(', ');

export const purposesText = (t: Messages, consent: Pick<Consent, 'purposes'>): string =>
  consent.purposes.map((p) => (isOneOf(PURPOSES, p) ? t[`consentPurpose.${p}`] : p)).join(', ');

export const methodText = (t: Messages, method: Consent['method']): string => t[`consentMethod.${method}`];

/** An organisation by name when this node knows it, else by its node id (an address, in English). */
export function Organisation(props: { names: OrganisationNames; id: string }) {
  const name = props.names.get(props.id);
  return name ? <span title={props.id}>{name}</span> : <span lang="en" class="audit-id">{props.id}</span>;
}
