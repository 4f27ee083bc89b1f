// The overview: what waits for this user's action (referrals in a state that asks something of
// this organisation). Auditors are told they see the audit log and consents, never a referral.
import type { ReferralSummary } from '../../node/referrals/service.js';
import { formatDate } from '../i18n/catalogue.js';
import { Layout, type PageContext } from './layout.js';

export function OverviewPage(props: { page: PageContext; waiting: ReferralSummary[] | undefined }) {
  const { t, language } = props.page;
  return (
    <Layout page={props.page} title={t.overviewTitle}>
      <h2>{t.waitingForYou}</h2>
      {props.waiting === undefined ? (
        <p>{t.referralsNotForAuditors}</p>
      ) : props.waiting.length === 0 ? (
        <p>{t.nothingWaiting}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t.organisation}</th>
              <th scope="col">{t.direction}</th>
              <th scope="col">{t.state}</th>
              <th scope="col">{t.lastChange}</th>
            </tr>
          </thead>
          <tbody>
            {props.waiting.map((r) => (
              <tr>
                <td>{r.peer.name}</td>
                <td>{r.direction === 'incoming' ? t.incoming : t.outgoing}</td>
                <td>{r.state}</td>
                <td>
                  <time datetime={r.updated_at}>{formatDate(r.updated_at, language)}</time>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
}
