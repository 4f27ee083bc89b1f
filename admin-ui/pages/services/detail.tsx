// One of this organisation's services: everything the directory tells peers about it, the form
// that says whether it takes referrals now and how many places are free (caseworkers too, who
// know it first), and for administrators pausing or publishing it again, changing its
// description and deleting it (asked on a page of its own, saying what it means for the network).
import type { Service } from '../../../node/directory/services.js';
import { format } from '../../i18n/catalogue.js';
import { ErrorNote } from '../../router.js';
import { Layout, type PageContext } from '../layout.js';
import {
  availabilityText, categoryLabel, countryName, Csrf, DirectoryText, languageName, legalStatusName, modeName, placesText, ServiceStateBadge, directoryText, When,
} from './parts.js';

type Failure = { sentence: string; detail?: string };

export interface AvailabilityEntered {
  accepting: string;
  available: string;
}

function Facts(props: { page: PageContext; service: Service }) {
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
    <dl class="facts">
      <dt>{t.svcColState}</dt>
      <dd>
        <ServiceStateBadge t={t} status={s.status} /> {s.status === 'paused' ? t.svcPausedMeans : t.svcPublishedMeans}
      </dd>
      <dt>{t.svcColAvailability}</dt>
      <dd>{availabilityText(t, language, s)}</dd>
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
    </dl>
  );
}

function AvailabilityForm(props: { page: PageContext; service: Service; entered?: AvailabilityEntered | undefined; error?: Failure | undefined }) {
  const { t, session } = props.page;
  const s = props.service;
  const accepting = props.entered?.accepting ?? (s.accepting_referrals ? 'yes' : 'no');
  const available = props.entered?.available ?? (s.capacity ? String(s.capacity.available) : '');
  return (
    <section aria-labelledby="svc-availability" class="svc-action">
      <h2 id="svc-availability">{t.svcAvailabilityTitle}</h2>
      <p>{t.svcAvailabilityIntro}</p>
      <ErrorNote t={t} error={props.error} />
      <form method="post" action={`/ui/services/${s.id}/availability`}>
        <Csrf token={session!.csrf} />
        <fieldset>
          <legend>{t.svcFieldAccepting}</legend>
          <div class="choices">
            <label for="svc-accepting-yes">
              <input type="radio" id="svc-accepting-yes" name="accepting" value="yes" checked={accepting === 'yes'} />
              {t.svcTakingReferrals}
            </label>
            <label for="svc-accepting-no">
              <input type="radio" id="svc-accepting-no" name="accepting" value="no" checked={accepting === 'no'} />
              {t.svcNotTakingReferrals}
            </label>
          </div>
        </fieldset>
        <label for="svc-available-now">{s.capacity?.maximum !== undefined ? format(t.svcAvailableOfMaximum, { maximum: s.capacity.maximum }) : t.svcFieldAvailable}</label>
        <input id="svc-available-now" name="available" type="number" inputmode="numeric" min={0} max={s.capacity?.maximum ?? 100000} value={available} aria-invalid={props.error ? 'true' : undefined} />
        <button type="submit">{t.svcSaveAvailability}</button>
      </form>
    </section>
  );
}

export function ServicePage(props: { page: PageContext; service: Service; availability?: { entered: AvailabilityEntered; error: Failure } | undefined; error?: Failure | undefined }) {
  const { t, language, session } = props.page;
  const s = props.service;
  const admin = session?.user.role === 'admin';
  return (
    <Layout page={props.page} title={directoryText(s.name, language).text} nav="/ui/services">
      <p>
        <a href="/ui/services">{t.svcBackToList}</a>
      </p>
      <ErrorNote t={t} error={props.error} />
      <Facts page={props.page} service={s} />
      <div class="svc-actions">
        <AvailabilityForm page={props.page} service={s} entered={props.availability?.entered} error={props.availability?.error} />
        {admin ? (
          <section aria-labelledby="svc-publishing" class="svc-action">
            <h2 id="svc-publishing">{t.svcPublishingTitle}</h2>
            <p>{s.status === 'paused' ? t.svcResumeIntro : t.svcPauseIntro}</p>
            <form method="post" action={`/ui/services/${s.id}/${s.status === 'paused' ? 'resume' : 'pause'}`}>
              <Csrf token={session!.csrf} />
              <button type="submit" class="secondary">
                {s.status === 'paused' ? t.svcResume : t.svcPause}
              </button>
            </form>
          </section>
        ) : null}
        {admin ? (
          <section aria-labelledby="svc-change" class="svc-action">
            <h2 id="svc-change">{t.svcChangeTitle}</h2>
            <p>
              <a href={`/ui/services/${s.id}/edit`}>{t.svcEditLink}</a>
            </p>
            <p>
              <a href={`/ui/services/${s.id}/delete`}>{t.svcDeleteLink}</a>
            </p>
          </section>
        ) : null}
      </div>
    </Layout>
  );
}

export function DeleteServicePage(props: { page: PageContext; service: Service }) {
  const { t, language, session } = props.page;
  const s = props.service;
  const name = directoryText(s.name, language);
  return (
    <Layout page={props.page} title={t.svcDeleteTitle} nav="/ui/services">
      <p>
        {t.svcDeleteQuestion}{' '}
        <strong lang={name.lang}>{name.text}</strong>
      </p>
      <p class="error-box">{t.svcDeleteMeans}</p>
      <p>{t.svcDeleteInstead}</p>
      <form method="post" action={`/ui/services/${s.id}/delete`} class="actions">
        <Csrf token={session!.csrf} />
        <input type="hidden" name="confirm" value="yes" />
        <button type="submit" class="danger">
          {t.svcDeleteConfirm}
        </button>
        <a href={`/ui/services/${s.id}`}>{t.cancel}</a>
      </form>
    </Layout>
  );
}
