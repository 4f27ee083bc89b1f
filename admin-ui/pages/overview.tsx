// The overview (the dashboard): what waits for this user's action, the referrals received
// lately, messages that could not be delivered, erasures other organisations have not yet
// confirmed, and for administrators the peer alerts still open. Auditors are told they see the
// audit log and consents, never a referral; pending erasures they see (ids and organisations only).
import type { ReferralSummary } from '../../node/referrals/service.js';
import type { DeliveryProblem, PendingErasure } from '../dashboard.js';
import { format, formatDate, formatDay, formatNumber } from '../i18n/catalogue.js';
import { NewMark, Owed } from './referrals/list.js';
import { stateLabel } from './referrals/labels.js';
import { Layout, type PageContext } from './layout.js';

export interface OverviewData {
  /** Undefined for auditors, who never see referrals. */
  waiting: ReferralSummary[] | undefined;
  /** Owed and past the day an answer was wanted, the earliest first. */
  overdue: ReferralSummary[] | undefined;
  /** Changed since this user last opened them, the latest first. */
  changed: ReferralSummary[] | undefined;
  deliveryProblems: DeliveryProblem[] | undefined;
  pendingErasures: PendingErasure[];
  /** Administrators only. */
  openAlerts: number | undefined;
  /** Her pseudonym or initials, for the referrals shown, opened for this page only. */
  who: ReadonlyMap<string, string>;
}

function ReferralTable(props: { page: PageContext; items: ReferralSummary[]; caption: string; who: ReadonlyMap<string, string>; unread?: boolean }) {
  const { t, language } = props.page;
  return (
    <table class="referral-list">
      <caption class="visually-hidden">{props.caption}</caption>
      <thead>
        <tr>
          <th scope="col">{t.refCaseReference}</th>
          <th scope="col">{t.organisation}</th>
          <th scope="col">{t.refOwed}</th>
          <th scope="col">{t.refReplyBy}</th>
          <th scope="col">{t.state}</th>
          <th scope="col">{t.lastChange}</th>
        </tr>
      </thead>
      <tbody>
        {props.items.map((r) => (
          <tr>
            <th scope="row">
              <a href={`/ui/referrals/${r.id}`} class="case-ref">{r.case_reference}</a>
              {props.unread ? <NewMark t={t} /> : null}
              {props.who.has(r.id) ? <span class="case-who">{props.who.get(r.id)}</span> : null}
            </th>
            <td>
              {r.direction === 'incoming' ? t.refFrom : t.refTo} {r.peer.name}
            </td>
            <td>
              <Owed t={t} attention={r.attention} />
            </td>
            <td>{r.reply_by ? <time datetime={r.reply_by}>{formatDay(r.reply_by, language)}</time> : <span class="muted">{t.none}</span>}</td>
            <td>{stateLabel(t, r.state)}</td>
            <td>
              <time datetime={r.updated_at}>{formatDate(r.updated_at, language)}</time>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function OverviewPage(props: { page: PageContext; data: OverviewData }) {
  const { t, language } = props.page;
  const { waiting, changed, deliveryProblems, pendingErasures, openAlerts } = props.data;
  const linkToReferrals = waiting !== undefined;
  const overdue = props.data.overdue ?? [];
  return (
    <Layout page={props.page} title={t.overviewTitle} nav="/ui/overview">
      {openAlerts ? (
        <p class="error-box">
          <a href="/ui/peers">{format(t.openPeerAlerts, { count: formatNumber(openAlerts, language) })}</a>
        </p>
      ) : null}
      <section aria-labelledby="waiting">
        <h2 id="waiting">{t.waitingForYou}</h2>
        {waiting === undefined ? (
          <p>{t.referralsNotForAuditors}</p>
        ) : waiting.length === 0 ? (
          <p>{t.nothingWaiting}</p>
        ) : (
          <>
            <ReferralTable page={props.page} items={waiting} caption={t.waitingForYou} who={props.data.who} />
            <p>
              <a href="/ui/referrals?needs_action=true">{t.overviewAllWaiting}</a>
            </p>
          </>
        )}
      </section>
      {waiting !== undefined ? (
        <section aria-labelledby="overdue">
          <h2 id="overdue">{t.overviewOverdue}</h2>
          {overdue.length === 0 ? <p>{t.overviewNothingOverdue}</p> : <ReferralTable page={props.page} items={overdue} caption={t.overviewOverdue} who={props.data.who} />}
        </section>
      ) : null}
      {changed ? (
        <section aria-labelledby="changed">
          <h2 id="changed">{t.overviewChanged}</h2>
          {changed.length === 0 ? <p>{t.overviewNothingChanged}</p> : <ReferralTable page={props.page} items={changed} caption={t.overviewChanged} who={props.data.who} unread />}
        </section>
      ) : null}
      {deliveryProblems ? (
        <section aria-labelledby="delivery">
          <h2 id="delivery">{t.deliveryProblems}</h2>
          {deliveryProblems.length === 0 ? (
            <p>{t.noDeliveryProblems}</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">{t.organisation}</th>
                  <th scope="col">{t.deliveryState}</th>
                  <th scope="col">{t.attempts}</th>
                  <th scope="col">{t.since}</th>
                </tr>
              </thead>
              <tbody>
                {deliveryProblems.map((p) => (
                  <tr>
                    <td>
                      <a href={`/ui/referrals/${p.referralId}`}>{p.peerName}</a>
                    </td>
                    <td>{p.state === 'failed' ? t.deliveryFailed : t.deliveryRetrying}</td>
                    <td>{formatNumber(p.attempts, language)}</td>
                    <td>
                      <time datetime={p.since}>{formatDate(p.since, language)}</time>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      ) : null}
      <section aria-labelledby="erasures">
        <h2 id="erasures">{t.pendingErasures}</h2>
        {pendingErasures.length === 0 ? (
          <p>{t.noPendingErasures}</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">{t.organisation}</th>
                <th scope="col">{t.erasureReason}</th>
                <th scope="col">{t.requestedAt}</th>
              </tr>
            </thead>
            <tbody>
              {pendingErasures.map((e) => (
                <tr>
                  <td>{linkToReferrals ? <a href={`/ui/referrals/${e.referralId}`}>{e.organisation}</a> : e.organisation}</td>
                  <td>{e.reason === 'consent-withdrawn' ? t.erasureConsentWithdrawn : t.erasureRetention}</td>
                  <td>
                    <time datetime={e.requestedAt}>{formatDate(e.requestedAt, language)}</time>
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
