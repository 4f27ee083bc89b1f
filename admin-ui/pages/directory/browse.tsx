// The partners' services: every service of the trusted peers whose directory is current, as a
// list a caseworker can scan (its name in her language, the organisation and where it is, the
// needs it serves, its languages, whether it takes referrals and its places, when it last
// changed), with filters in a GET form (no script) and, for each that takes referrals now, the
// way to refer her to it.
import { format, formatNumber, type Language, type Messages } from '../../i18n/catalogue.js';
import { categoryGroups } from '../category-choices.js';
import { FieldError } from '../field-error.js';
import { Layout, type PageContext } from '../layout.js';
import { availabilityText, categoryLabel, countryName, DirectoryText, languageName, LEGAL_STATUSES, legalStatusName, When } from '../services/parts.js';
import { byName, referHref } from '../new-referral/flow.js';
import { anyFilter, browseHref, PAGE_SIZE, servicePath, takesReferralsNow, type BrowseFilters, type FilterChoices, type PeerService } from './filters.js';

const AGE_ID = 'dir-age';

/** Whether it takes referrals and its places; a paused one says so instead. */
export function PeerAvailability(props: { t: Messages; language: Language; service: PeerService['service'] }) {
  const { t, language, service } = props;
  if (service.status === 'paused') {
    return (
      <>
        <span class="badge bad">{t.svcStatePaused}</span> {t.dirPausedByOrganisation}
      </>
    );
  }
  return <>{availabilityText(t, language, service)}</>;
}

/** The place of a service: its city, region and country (a city named like its region said once). */
export const placeOf = (service: PeerService['service'], language: Language): string =>
  [...new Set([service.location.city, service.location.region, countryName(service.location.country, language)].filter(Boolean))].join(', ');

function Filters(props: { page: PageContext; filters: BrowseFilters; choices: FilterChoices; ageEntered: string; ageInvalid: boolean }) {
  const { t, language } = props.page;
  const { filters, choices } = props;
  const ageMistake = props.ageInvalid ? { field: AGE_ID, sentence: t.svcHintAge } : undefined;
  const select = (id: string, name: string, label: string, options: Array<{ code: string; name: string }>, chosen: string | undefined) => (
    <label for={id}>
      {label}
      <select id={id} name={name}>
        <option value="">{t.any}</option>
        {options.map((o) => (
          <option value={o.code} selected={chosen === o.code}>
            {o.name}
          </option>
        ))}
      </select>
    </label>
  );
  const check = (id: string, name: string, label: string, checked: boolean) => (
    <label for={id}>
      <input type="checkbox" id={id} name={name} value="yes" checked={checked} />
      {label}
    </label>
  );
  const needOption = (code: string, name = categoryLabel(code, language)) => (
    <option value={code} selected={filters.need === code}>
      {name}
    </option>
  );
  return (
    <section aria-labelledby="dir-filters">
      <h2 id="dir-filters">{t.dirFiltersTitle}</h2>
      <form method="get" action="/ui/directory/services" class="filters dir-filters">
        <label for="dir-q">
          {t.dirFilterText}
          <input type="search" id="dir-q" name="q" value={filters.text} maxlength={200} />
        </label>
        <label for="dir-need">
          {t.dirFilterNeed}
          <select id="dir-need" name="need" aria-describedby="dir-need-hint">
            <option value="">{t.any}</option>
            {/* In the taxonomy's order: a broader category with its narrower kinds in a group of its own. */}
            {categoryGroups().map((g) =>
              g.children.length === 0 ? (
                needOption(g.code)
              ) : (
                <optgroup label={categoryLabel(g.code, language)}>
                  {needOption(g.code, format(t.dirNeedAllKinds, { category: categoryLabel(g.code, language) }))}
                  {g.children.map((code) => needOption(code))}
                </optgroup>
              ),
            )}
          </select>
          <span class="muted" id="dir-need-hint">
            {t.dirFilterNeedHint}
          </span>
        </label>
        {select('dir-country', 'country', t.dirFilterCountry, byName(choices.countries, (c) => countryName(c, language), language), filters.country)}
        {select('dir-language', 'language', t.dirFilterLanguage, byName(choices.languages, (l) => languageName(l, language), language), filters.language)}
        {select('dir-peer', 'peer', t.organisation, [...choices.peers].sort((x, y) => x.name.localeCompare(y.name, language)).map((p) => ({ code: p.id, name: p.name })), filters.peer)}
        <fieldset>
          <legend>{t.dirFilterOpenTo}</legend>
          {select('dir-status', 'status', t.dirFilterStatus, LEGAL_STATUSES.map((s) => ({ code: s, name: legalStatusName(t, s) })), filters.status)}
          <label for={AGE_ID}>
            {t.dirFilterAge}
            <input
              type="number"
              id={AGE_ID}
              name="age"
              inputmode="numeric"
              min={0}
              max={120}
              value={props.ageEntered}
              {...(ageMistake ? { 'aria-invalid': 'true', 'aria-describedby': `${AGE_ID}-error` } : {})}
            />
          </label>
          <FieldError mistake={ageMistake} id={AGE_ID} />
          <div class="choices">
            {check('dir-children', 'children', t.dirFilterChildren, filters.children)}
            {check('dir-women-only', 'women_only', t.dirFilterWomenOnly, filters.womenOnly)}
          </div>
        </fieldset>
        <div class="choices">{check('dir-taking', 'taking', t.dirFilterTaking, filters.taking)}</div>
        <div class="actions">
          <button type="submit">{t.filter}</button>
          {anyFilter(filters) || props.ageInvalid ? <a href="/ui/directory/services">{t.dirFilterShowAll}</a> : null}
        </div>
      </form>
    </section>
  );
}

export interface BrowseData {
  filters: BrowseFilters;
  choices: FilterChoices;
  /** The age as typed (kept when it is not one). */
  ageEntered: string;
  ageInvalid: boolean;
  /** How many services the directories held list in all. */
  held: number;
  total: number;
  page: number;
  shown: PeerService[];
}

export function BrowsePage(props: { page: PageContext; data: BrowseData }) {
  const { t, language } = props.page;
  const { filters, total, page, shown } = props.data;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  return (
    <Layout page={props.page} title={t.dirBrowseTitle} nav="/ui/services">
      <p>{t.dirBrowseIntro}</p>
      <p class="actions">
        <a href="/ui/directory">{t.dirLink}</a>
        <a href="/ui/services">{t.svcBackToList}</a>
      </p>
      {props.data.held === 0 ? (
        <p class="notice">{t.dirBrowseEmpty}</p>
      ) : (
        <>
          <Filters page={props.page} filters={filters} choices={props.data.choices} ageEntered={props.data.ageEntered} ageInvalid={props.data.ageInvalid} />
          <section aria-labelledby="dir-found">
            <h2 id="dir-found">{format(t.dirFound, { count: formatNumber(total, language) })}</h2>
            {total === 0 ? (
              <p>{t.dirNoneFound}</p>
            ) : (
              <table class="dir-services">
                <thead>
                  <tr>
                    <th scope="col">{t.svcColService}</th>
                    <th scope="col">{t.dirColOrganisation}</th>
                    <th scope="col">{t.dirColNeeds}</th>
                    <th scope="col">{t.svcFieldLanguages}</th>
                    <th scope="col">{t.svcColAvailability}</th>
                    <th scope="col">{t.svcColChanged}</th>
                  </tr>
                </thead>
                <tbody>
                  {shown.map(({ peer, service }) => (
                    <tr>
                      <th scope="row">
                        <a href={servicePath(peer.id, service.id)}>
                          <DirectoryText text={service.name} language={language} />
                        </a>
                        <br />
                        <span class="muted">{placeOf(service, language)}</span>
                      </th>
                      <td>
                        {peer.name} <span class="muted">({countryName(peer.country, language)})</span>
                      </td>
                      <td>{service.categories.map((c) => categoryLabel(c, language)).join(', ')}</td>
                      <td>{service.languages.map((l) => languageName(l, language)).join(', ')}</td>
                      <td>
                        <PeerAvailability t={t} language={language} service={service} />
                        {takesReferralsNow(service) ? (
                          <>
                            <br />
                            <a href={referHref(peer.id, service.id)}>{t.dirReferLink}</a>
                          </>
                        ) : null}
                      </td>
                      <td>
                        <When at={service.updated_at} language={language} t={t} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {pages > 1 ? (
              <p class="actions">
                <span>{format(t.dirPageOf, { page: formatNumber(page, language), pages: formatNumber(pages, language) })}</span>
                {page > 1 ? <a href={browseHref(filters, page - 1)}>{t.dirPreviousPage}</a> : null}
                {page < pages ? <a href={browseHref(filters, page + 1)}>{t.refNextPage}</a> : null}
              </p>
            ) : null}
          </section>
        </>
      )}
    </Layout>
  );
}
