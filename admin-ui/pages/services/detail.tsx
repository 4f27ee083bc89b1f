// One of this organisation's services: everything the directory tells peers about it, the form
// that says whether it takes referrals now and how many places are free (caseworkers too, who
// know it first), and for administrators pausing or publishing it again, changing its
// description and deleting it (asked on a page of its own, saying what it means for the network).
import type { Service } from '../../../node/directory/services.js';
import { format } from '../../i18n/catalogue.js';
import { ErrorNote } from '../../router.js';
import { Layout, type PageContext } from '../layout.js';
import { availabilityText, Csrf, directoryText, ServiceStateBadge } from './parts.js';
import { ServiceFactRows } from './facts.js';

type Failure = { sentence: string; detail?: string };

export interface AvailabilityEntered {
  accepting: string;
  available: string;
}

function Facts(props: { page: PageContext; service: Service }) {
  const { t, language } = props.page;
  const s = props.service;
  return (
    <dl class="facts">
      <dt>{t.svcColState}</dt>
      <dd>
        <ServiceStateBadge t={t} status={s.status} /> {s.status === 'paused' ? t.svcPausedMeans : t.svcPublishedMeans}
      </dd>
      <dt>{t.svcColAvailability}</dt>
      <dd>{availabilityText(t, language, s)}</dd>
      <ServiceFactRows page={props.page} service={s} />
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
