// One partner's service: everything its organisation's directory says about it (each text in the
// reader's language where the directory has it, else marked with the language it is in), the
// organisation and its contact, when the directory was signed and received here, and the way to
// refer her to it when it takes referrals now (or why it cannot be chosen).
import type { DirectoryService } from '../../../node/directory/services.js';
import type { HeldDirectory } from '../../../node/directory/sync.js';
import { Layout, type PageContext } from '../layout.js';
import { referHref } from '../new-referral/flow.js';
import { ServiceFactRows } from '../services/facts.js';
import { countryName, directoryText, languageName, When } from '../services/parts.js';
import { PeerAvailability } from './browse.js';
import { takesReferralsNow } from './filters.js';

export function PeerServicePage(props: { page: PageContext; directory: HeldDirectory; service: DirectoryService }) {
  const { t, language } = props.page;
  const { directory, service } = props;
  const organization = directory.organization;
  return (
    <Layout page={props.page} title={directoryText(service.name, language).text} nav="/ui/services">
      <p>
        <a href="/ui/directory/services">{t.dirBackToBrowse}</a>
      </p>
      <dl class="facts">
        <dt>{t.dirColOrganisation}</dt>
        <dd>
          {directory.name} <span class="muted">({countryName(directory.country, language)})</span>
        </dd>
        {organization?.contact ? (
          <>
            <dt>{t.dirOrgContact}</dt>
            <dd>{organization.contact}</dd>
          </>
        ) : null}
        {organization?.languages.length ? (
          <>
            <dt>{t.dirOrgLanguages}</dt>
            <dd>{organization.languages.map((l) => languageName(l, language)).join(', ')}</dd>
          </>
        ) : null}
        <dt>{t.svcColAvailability}</dt>
        <dd>
          <PeerAvailability t={t} language={language} service={service} />
        </dd>
        <ServiceFactRows page={props.page} service={service} />
        <dt>{t.dirDirectorySigned}</dt>
        <dd>
          <When at={directory.signed_at} language={language} t={t} />
        </dd>
        <dt>{t.dirDirectoryReceived}</dt>
        <dd>
          <When at={directory.fetched_at} language={language} t={t} />
        </dd>
      </dl>
      <section aria-labelledby="dir-refer" class="svc-action dir-refer">
        <h2 id="dir-refer">{t.newReferralTitle}</h2>
        {takesReferralsNow(service) ? (
          <>
            <p>{t.dirReferIntro}</p>
            <p>
              <a class="button-link" href={referHref(directory.id, service.id)}>
                {t.dirReferLink}
              </a>
            </p>
          </>
        ) : (
          <p class="notice">{service.status === 'paused' ? t.dirCannotReferPaused : t.dirCannotReferNotTaking}</p>
        )}
      </section>
    </Layout>
  );
}
