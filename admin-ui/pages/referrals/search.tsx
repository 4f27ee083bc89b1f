// Finding her referral (issue 18 item 2): by her name (any order, accents and case ignored), her
// date of birth, a phone number or a case reference. The form is posted, never sent in an
// address (what is typed is about her and must not end up in logs or the browser's history);
// the results are the referrals whose data matches, opened to check, with their consents.
import type { ReferralSummary } from '../../../node/referrals/service.js';
import { formatNumber, format, type Messages } from '../../i18n/catalogue.js';
import { countryName } from '../../i18n/names.js';
import { FieldError, fieldState, type FieldMistake } from '../field-error.js';
import { Layout, type PageContext } from '../layout.js';
import { stateLabel } from './labels.js';

export interface SearchHit {
  summary: ReferralSummary;
  who?: string | undefined;
  country?: string | undefined;
  consentId?: string | undefined;
}

export interface SearchData {
  /** What was typed (shown again in the form only). */
  query: string;
  /** Undefined before a search. */
  hits?: SearchHit[] | undefined;
  mistake?: FieldMistake | undefined;
}

/** The search form, on its page and above the list of referrals. */
export function SearchForm(props: { t: Messages; csrf: string; query?: string; mistake?: FieldMistake | undefined }) {
  const { t } = props;
  return (
    <form method="post" action="/ui/search" class="filters" role="search">
      <input type="hidden" name="_csrf" value={props.csrf} />
      <label for="search-query">
        {t.searchLabel}
        <input id="search-query" name="query" type="search" value={props.query ?? ''} maxlength={200} autocomplete="off" {...fieldState(props.mistake, 'search-query', 'search-hint')} />
      </label>
      <FieldError mistake={props.mistake} id="search-query" />
      <button type="submit">{t.searchButton}</button>
      <p id="search-hint" class="muted">
        {t.searchHint}
      </p>
    </form>
  );
}

export function SearchPage(props: { page: PageContext; data: SearchData }) {
  const { t, language, session } = props.page;
  const { data } = props;
  return (
    <Layout page={props.page} title={t.searchTitle} nav="/ui/referrals">
      <SearchForm t={t} csrf={session?.csrf ?? ''} query={data.query} mistake={data.mistake} />
      {data.hits === undefined ? null : data.hits.length === 0 ? (
        <p>{t.refEmptyBoth}</p>
      ) : (
        <>
          <p>{format(t.refFound, { count: formatNumber(data.hits.length, language) })}</p>
          <table class="referral-list">
            <thead>
              <tr>
                <th scope="col">{t.refCaseReference}</th>
                <th scope="col">{t.organisation}</th>
                <th scope="col">{t.state}</th>
                <th scope="col">{t.searchConsent}</th>
              </tr>
            </thead>
            <tbody>
              {data.hits.map((hit) => (
                <tr>
                  <th scope="row">
                    <a href={`/ui/referrals/${hit.summary.id}`} class="case-ref">
                      {hit.summary.case_reference}
                    </a>
                    {hit.who ? <span class="case-who">{hit.who}</span> : null}
                  </th>
                  <td>
                    {hit.summary.direction === 'incoming' ? t.refFrom : t.refTo} {hit.summary.peer.name}
                    {hit.country ? ` (${countryName(hit.country, language)})` : null}
                  </td>
                  <td>{stateLabel(t, hit.summary.state)}</td>
                  <td>{hit.consentId ? <a href={`/ui/consents/${hit.consentId}`}>{t.searchOpenConsent}</a> : <span class="muted">{t.none}</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Layout>
  );
}
