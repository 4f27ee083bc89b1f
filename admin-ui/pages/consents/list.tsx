// The consent records, newest first, with filters by state and by organisation: what each covers,
// with whom, how it was given, until when, and how many referrals used it. Metadata only.
import type { Consent, ConsentStatus } from '../../../node/consents/service.js';
import { format, formatDate, formatDay, formatNumber } from '../../i18n/catalogue.js';
import { Layout, type PageContext } from '../layout.js';
import { categoriesText, CONSENT_STATES, methodText, Organisation, purposesText, stateLabel, StateBadge, type OrganisationNames } from './parts.js';

export interface ConsentFilters {
  state: ConsentStatus | '';
  recipient: string;
}

export interface ConsentListData {
  filters: ConsentFilters;
  consents: Consent[];
  names: OrganisationNames;
  /** The organisations offered in the filter: this node's peers. */
  peers: ReadonlyArray<{ id: string; name: string }>;
  nextCursor?: string | undefined;
  /** Whose consent each is (her pseudonym or initials, from the referrals under it), for caseworkers and administrators only. */
  who?: ReadonlyMap<string, string> | undefined;
}

const olderLink = (filters: ConsentFilters, cursor: string): string => {
  const params = new URLSearchParams();
  if (filters.state) params.set('state', filters.state);
  if (filters.recipient) params.set('recipient', filters.recipient);
  params.set('cursor', cursor);
  return `/ui/consents?${params.toString()}`;
};

export function ConsentListPage(props: { page: PageContext; data: ConsentListData }) {
  const { t, language, session } = props.page;
  const { filters, consents, names } = props.data;
  return (
    <Layout page={props.page} title={t.consentsTitle} nav="/ui/consents">
      <p>{t.consentsIntro}</p>
      {session?.user.role === 'auditor' ? <p class="muted">{t.consentsAuditorNote}</p> : null}
      <form method="get" action="/ui/consents" class="filters">
        <label for="consent-state">
          {t.consentsFilterState}
          <select id="consent-state" name="state">
            <option value="">{t.any}</option>
            {CONSENT_STATES.map((state) => (
              <option value={state} selected={filters.state === state}>
                {stateLabel(t, state)}
              </option>
            ))}
          </select>
        </label>
        <label for="consent-recipient">
          {t.consentsFilterRecipient}
          <select id="consent-recipient" name="recipient">
            <option value="">{t.any}</option>
            {props.data.peers.map((peer) => (
              <option value={peer.id} selected={filters.recipient === peer.id}>
                {peer.name}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">{t.filter}</button>
        <a href="/ui/consents">{t.consentsShowAll}</a>
      </form>
      {consents.length === 0 ? (
        <p>{t.consentsNone}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t.consentsRecorded}</th>
              {props.data.who ? <th scope="col">{t.refPerson}</th> : null}
              <th scope="col">{t.consentsFilterState}</th>
              <th scope="col">{t.consentsRecipients}</th>
              <th scope="col">{t.consentsCategories}</th>
              <th scope="col">{t.consentsPurposes}</th>
              <th scope="col">{t.consentsMethod}</th>
              <th scope="col">{t.consentsValidUntil}</th>
              <th scope="col">{t.consentsUsedBy}</th>
            </tr>
          </thead>
          <tbody>
            {consents.map((consent) => (
              <tr>
                <td>
                  <a href={`/ui/consents/${consent.id}`}>{format(t.consentsOpen, { date: formatDate(consent.recorded_at, language) })}</a>
                </td>
                {props.data.who ? <td>{props.data.who.get(consent.id) ?? <span class="muted">{t.none}</span>}</td> : null}
                <td>
                  <StateBadge t={t} state={consent.status} />
                </td>
                <td>
                  {consent.recipients.map((id, i) => (
                    <>
                      {i > 0 ? ', ' : ''}
                      <Organisation names={names} id={id} />
                    </>
                  ))}
                </td>
                <td>{categoriesText(t, consent)}</td>
                <td>{purposesText(t, consent)}</td>
                <td>{methodText(t, consent.method)}</td>
                <td>{formatDay(consent.valid_until, language)}</td>
                <td>{formatNumber(consent.referrals.length, language)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {props.data.nextCursor ? (
        <p>
          <a href={olderLink(filters, props.data.nextCursor)}>{t.consentsOlder}</a>
        </p>
      ) : null}
    </Layout>
  );
}
