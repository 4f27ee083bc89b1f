// A referral's history: the timeline (every state change, when, by whom, with the code and note
// it carried) and the delivery of each message sent to the peer; a refused one can be tried again.
import type { ReferralDetail } from '../../../node/referrals/service.js';
import { format, formatDate, type Language, type Messages } from '../../i18n/catalogue.js';
import { caseworkerText, Code, CODE_PREFIX, stateLabel, When } from './labels.js';
import { ASSIGNED } from '../../../node/referrals/assignment.js';
import { HANDOVER } from '../../../node/referrals/lifecycle.js';

export function Timeline(props: {
  t: Messages;
  referral: ReferralDetail;
  language: Language;
  you: string;
  peerNames: ReadonlyMap<string, string>;
  userNames: ReadonlyMap<string, string>;
}) {
  const { t, language } = props;
  const who = (by: ReferralDetail['timeline'][number]['by']) => {
    if (by.kind === 'system') return t.refBySystem;
    if (by.kind === 'peer') return props.peerNames.get(by.id) ?? by.id;
    if (by.id === props.you) return t.refByYou;
    return props.userNames.get(by.id) ?? t.refByColleague;
  };
  return (
    <section aria-labelledby="timeline">
      <h2 id="timeline">{t.refTimelineHeading}</h2>
      <table class="referral-timeline">
        <thead>
          <tr>
            <th scope="col">{t.refWhen}</th>
            <th scope="col">{t.refWho}</th>
            <th scope="col">{t.refWhat}</th>
            <th scope="col">{t.state}</th>
          </tr>
        </thead>
        <tbody>
          {props.referral.timeline.map((entry) => {
            const prefix = CODE_PREFIX[entry.action];
            return (
              <tr>
                <td>
                  <When iso={entry.at} language={language} />
                </td>
                <td>{who(entry.by)}</td>
                <td>
                  {entry.action === ASSIGNED ? (
                    entry.code ? format(t.refAssignedTo, { name: entry.code === props.you ? t.refByYou : (props.userNames.get(entry.code) ?? t.refByColleague) }) : t.refUnassigned
                  ) : (
                    <Code t={t} prefix="ref.action." code={entry.action} />
                  )}
                  {entry.code && entry.action !== ASSIGNED ? (
                    <>
                      {': '}
                      {prefix ? <Code t={t} prefix={prefix} code={entry.code} /> : <span lang="en">{entry.code}</span>}
                    </>
                  ) : null}
                  {entry.onward ? <p>{format(t.refOnwardTo, { org: props.peerNames.get(entry.onward.to) ?? entry.onward.to })}</p> : null}
                  {entry.caseworker ? (
                    <p>{format(t.refPartnerNamed, { name: caseworkerText(entry.caseworker) })}</p>
                  ) : entry.action === HANDOVER && entry.by.kind === 'peer' ? (
                    <p>{t.refPartnerNamedNobody}</p>
                  ) : null}
                  {entry.note ? <p class="referral-note">{entry.note}</p> : null}
                </td>
                <td>{stateLabel(t, entry.to_state)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

export function Delivery(props: { t: Messages; referral: ReferralDetail; language: Language; csrf: string }) {
  const { t, language, referral } = props;
  const outgoing = referral.messages.filter((m) => m.direction === 'outgoing');
  return (
    <section aria-labelledby="delivery">
      <h2 id="delivery">{t.refDeliveryHeading}</h2>
      {outgoing.length === 0 ? (
        <p>{t.refNoMessages}</p>
      ) : (
        <table class="referral-delivery">
          <thead>
            <tr>
              <th scope="col">{t.refWhen}</th>
              <th scope="col">{t.refMessage}</th>
              <th scope="col">{t.refDelivery}</th>
            </tr>
          </thead>
          <tbody>
            {outgoing.map((message) => {
              const d = message.delivery;
              return (
                <tr>
                  <td>
                    <When iso={message.created_at} language={language} />
                  </td>
                  <td>
                    <Code t={t} prefix="ref.action." code={message.type} />
                  </td>
                  <td>
                    {!d ? null : d.state === 'delivered' ? (
                      <>
                        <span class="badge good">{t.refDelivered}</span> {d.delivered_at ? <When iso={d.delivered_at} language={language} /> : null}
                      </>
                    ) : d.state === 'queued' ? (
                      <>
                        <span class="badge">{format(t.refQueued, { count: d.attempts })}</span>
                        {d.next_attempt_at ? <p>{format(t.refNextTry, { date: formatDate(d.next_attempt_at, language) })}</p> : null}
                        {d.last_error ? (
                          <p class="muted">
                            {t.nodeSaid} <span lang="en">{d.last_error}</span>
                          </p>
                        ) : null}
                      </>
                    ) : (
                      <>
                        <span class="badge bad">{t.refFailed}</span>
                        {d.last_error ? (
                          <p>
                            {t.nodeSaid} <span lang="en">{d.last_error}</span>
                          </p>
                        ) : null}
                        <form method="post" action={`/ui/referrals/${referral.id}/messages/${message.envelope_id}/retry`}>
                          <input type="hidden" name="_csrf" value={props.csrf} />
                          <button type="submit">{t.refTryAgain}</button>
                        </form>
                      </>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
