// The network's directory as this node holds it: for each trusted peer how fresh its directory
// is (held and current, expired, never received), how many services it lists, when it was
// signed, received and last asked for, and why the last attempt failed; a button that asks every
// peer now; the export in Open Referral HSDS form; and the way to the partners' services themselves.
import type { PeerDirectoryStatus } from '../../../node/directory/sync.js';
import { formatNumber, type Messages } from '../../i18n/catalogue.js';
import { Layout, type PageContext } from '../layout.js';
import { countryName, Csrf, When } from './parts.js';

function Freshness(props: { t: Messages; freshness: PeerDirectoryStatus['freshness'] }) {
  const { t, freshness } = props;
  if (freshness === 'current') return <span class="badge good">{t.dirFreshCurrent}</span>;
  return <span class="badge bad">{freshness === 'expired' ? t.dirFreshExpired : t.dirFreshNone}</span>;
}

export function DirectoryPage(props: { page: PageContext; peers: PeerDirectoryStatus[]; ownServices: number }) {
  const { t, language, session } = props.page;
  const admin = session?.user.role === 'admin';
  return (
    <Layout page={props.page} title={t.dirTitle} nav="/ui/services">
      <p>{t.dirIntro}</p>
      <p class="actions">
        <a class="button-link" href="/ui/directory/services">
          {t.dirBrowseLink}
        </a>
        <a href="/ui/services">{t.svcBackToList}</a>
      </p>
      <section aria-labelledby="dir-peers">
        <h2 id="dir-peers">{t.dirPeersTitle}</h2>
        {props.peers.length === 0 ? (
          <p>{t.dirNoPeers}</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">{t.dirColOrganisation}</th>
                <th scope="col">{t.dirColFreshness}</th>
                <th scope="col">{t.dirColServices}</th>
                <th scope="col">{t.dirColSigned}</th>
                <th scope="col">{t.dirColReceived}</th>
                <th scope="col">{t.dirColAsked}</th>
                <th scope="col">{t.dirColProblem}</th>
              </tr>
            </thead>
            <tbody>
              {props.peers.map((p) => (
                <tr>
                  <td>
                    {p.name} <span class="muted">({countryName(p.country, language)})</span>
                  </td>
                  <td>
                    <Freshness t={t} freshness={p.freshness} />
                  </td>
                  <td>{formatNumber(p.services, language)}</td>
                  <td>
                    <When at={p.signed_at} language={language} t={t} />
                  </td>
                  <td>
                    <When at={p.fetched_at} language={language} t={t} />
                  </td>
                  <td>
                    <When at={p.checked_at} language={language} t={t} />
                  </td>
                  <td>{p.last_error ? <span lang="en">{p.last_error}</span> : <span class="muted">{t.none}</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p>{t.dirSyncIntro}</p>
        <form method="post" action="/ui/directory/sync">
          <Csrf token={session!.csrf} />
          <button type="submit">{t.dirSyncNow}</button>
        </form>
      </section>
      <section aria-labelledby="dir-export">
        <h2 id="dir-export">{t.dirExportTitle}</h2>
        <p>{t.dirExportIntro}</p>
        <ul>
          <li>
            <a href="/ui/directory/hsds" download="hsds-own.json">
              {t.dirExportOwn}
            </a>{' '}
            <span class="muted">({formatNumber(props.ownServices, language)})</span>
          </li>
          {admin ? (
            <li>
              <a href="/ui/directory/hsds/network" download="hsds-network.json">
                {t.dirExportNetwork}
              </a>
            </li>
          ) : null}
        </ul>
      </section>
    </Layout>
  );
}
