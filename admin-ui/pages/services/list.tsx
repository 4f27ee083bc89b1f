// The list of this organisation's own services: each with its categories in the reader's language,
// whether it is published or paused, whether it takes referrals and its places, its languages and
// when it last changed; for administrators the way to describe a new one.
import { Layout, type PageContext } from '../layout.js';
import type { Service } from '../../../node/directory/services.js';
import { availabilityText, categoryLabel, DirectoryText, languageName, ServiceStateBadge, When } from './parts.js';

export function ServicesListPage(props: { page: PageContext; services: Service[] }) {
  const { t, language, session } = props.page;
  const admin = session?.user.role === 'admin';
  return (
    <Layout page={props.page} title={t.servicesTitle} nav="/ui/services">
      <p>{t.svcListIntro}</p>
      <p class="actions">
        {admin ? <a href="/ui/services/new">{t.svcNewLink}</a> : null}
        <a href="/ui/directory/services">{t.dirBrowseLink}</a>
        <a href="/ui/directory">{t.dirLink}</a>
      </p>
      <section aria-labelledby="svc-list">
        <h2 id="svc-list">{t.svcListTitle}</h2>
        {props.services.length === 0 ? (
          <p>{admin ? t.svcNoneAdmin : t.svcNone}</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">{t.svcColService}</th>
                <th scope="col">{t.svcFieldCategories}</th>
                <th scope="col">{t.svcColState}</th>
                <th scope="col">{t.svcColAvailability}</th>
                <th scope="col">{t.svcFieldLanguages}</th>
                <th scope="col">{t.svcColChanged}</th>
              </tr>
            </thead>
            <tbody>
              {props.services.map((s) => (
                <tr>
                  <td>
                    <a href={`/ui/services/${s.id}`}>
                      <DirectoryText text={s.name} language={language} />
                    </a>
                  </td>
                  <td>{s.categories.map((c) => categoryLabel(c, language)).join(', ')}</td>
                  <td>
                    <ServiceStateBadge t={t} status={s.status} />
                  </td>
                  <td>{availabilityText(t, language, s)}</td>
                  <td>{s.languages.map((l) => languageName(l, language)).join(', ')}</td>
                  <td>
                    <When at={s.updated_at} language={language} t={t} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </Layout>
  );
}
