// What a directory says about a service, as rows of a list of facts: what it offers, in which
// languages, how and where it is given, who it is for, its places and its contact. The same rows
// for this organisation's own services and for a partner's, each page adding its own first rows
// (publishing state, availability) before them.
import type { DirectoryService } from '../../../node/directory/services.js';
import { format } from '../../i18n/catalogue.js';
import type { PageContext } from '../layout.js';
import { categoryLabel, countryName, DirectoryText, languageName, legalStatusName, modeName, placesText, When } from './parts.js';

export function ServiceFactRows(props: { page: PageContext; service: DirectoryService }) {
  const { t, language } = props.page;
  const s = props.service;
  const { eligibility, capacity, contact, location } = s;
  // A city that gives its name to its region (Wien, Wien) is said once.
  const place = [...new Set([location.city, location.region, countryName(location.country, language)].filter(Boolean))].join(', ');
  const ages =
    eligibility?.minimum_age !== undefined && eligibility.maximum_age !== undefined
      ? format(t.svcAgesFromTo, { minimum: eligibility.minimum_age, maximum: eligibility.maximum_age })
      : eligibility?.minimum_age !== undefined
        ? format(t.svcAgesFrom, { minimum: eligibility.minimum_age })
        : eligibility?.maximum_age !== undefined
          ? format(t.svcAgesUpTo, { maximum: eligibility.maximum_age })
          : t.svcAnyAge;
  const children = eligibility?.children_accepted === undefined ? t.svcNotSaid : eligibility.children_accepted ? t.yes : t.no;
  return (
    <>
      <dt>{t.svcFieldDescription}</dt>
      <dd class="svc-text">
        <DirectoryText text={s.description} language={language} />
      </dd>
      <dt>{t.svcFieldCategories}</dt>
      <dd>{s.categories.map((c) => categoryLabel(c, language)).join(', ')}</dd>
      <dt>{t.svcFieldLanguages}</dt>
      <dd>{s.languages.map((l) => languageName(l, language)).join(', ')}</dd>
      <dt>{t.svcFieldModes}</dt>
      <dd>{s.modes.map((m) => modeName(t, m)).join(', ')}</dd>
      <dt>{t.svcFieldPlace}</dt>
      <dd>{place}</dd>
      <dt>{t.svcFieldAreas}</dt>
      <dd>{s.service_areas?.length ? s.service_areas.map((a) => [a.region, countryName(a.country, language)].filter(Boolean).join(', ')).join('; ') : t.none}</dd>
      <dt>{t.svcFieldWomenOnly}</dt>
      <dd>{eligibility?.women_only ? t.yes : t.no}</dd>
      <dt>{t.svcAges}</dt>
      <dd>{ages}</dd>
      <dt>{t.svcFieldLegalStatuses}</dt>
      <dd>{eligibility?.legal_statuses?.length ? eligibility.legal_statuses.map((l) => legalStatusName(t, l)).join(', ') : t.svcAnyStatus}</dd>
      <dt>{t.svcFieldChildren}</dt>
      <dd>{children}</dd>
      {eligibility?.eligibility_description ? (
        <>
          <dt>{t.svcFieldEligibilityText}</dt>
          <dd class="svc-text">
            <DirectoryText text={eligibility.eligibility_description} language={language} />
          </dd>
        </>
      ) : null}
      <dt>{t.svcFieldCapacity}</dt>
      <dd>{placesText(t, language, capacity) ?? t.svcNoCapacity}</dd>
      <dt>{t.svcFieldContact}</dt>
      <dd>{[contact?.email, contact?.phone, contact?.url].filter(Boolean).join(' · ') || t.none}</dd>
      <dt>{t.svcColChanged}</dt>
      <dd>
        <When at={s.updated_at} language={language} t={t} />
      </dd>
    </>
  );
}
