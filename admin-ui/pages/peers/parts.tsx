// Small pieces the peers pages share: a peer's state in words, a fingerprint to read out, the
// CSRF field, an alert's kind in words, and the form that resolves an alert.
import type { Messages } from '../../i18n/catalogue.js';
import { formatDate, type Language } from '../../i18n/catalogue.js';
import type { PeerAlert } from '../../../node/peers/alerts.js';
import type { PeerState } from '../../../node/peers/records.js';

export const peerStateName = (t: Messages, state: PeerState): string =>
  ({ pending: t.peerStatePending, trusted: t.peerStateTrusted, suspended: t.peerStateSuspended, revoked: t.peerStateRevoked })[state];

/** The state as words in a badge (the words carry the meaning, the colour only repeats it). */
export function PeerStateBadge(props: { t: Messages; state: PeerState }) {
  const tone = props.state === 'trusted' ? 'badge good' : props.state === 'pending' ? 'badge' : 'badge bad';
  return <span class={tone}>{peerStateName(props.t, props.state)}</span>;
}

/** A fingerprint in groups of four, easy to read out on the phone. */
export function Fingerprint(props: { value: string; large?: boolean; id?: string }) {
  return (
    <span class={props.large ? 'fingerprint fingerprint-large' : 'fingerprint'} id={props.id} lang="en">
      {props.value}
    </span>
  );
}

export function Csrf(props: { token: string }) {
  return <input type="hidden" name="_csrf" value={props.token} />;
}

export const alertKindName = (t: Messages, kind: PeerAlert['kind']): string =>
  kind === 'signing-key-changed' ? t.peerAlertKeyChanged : t.peerAlertInvalidDocument;

export function When(props: { at: string | undefined; language: Language; t: Messages }) {
  return props.at ? <time datetime={props.at}>{formatDate(props.at, props.language)}</time> : <span class="muted">{props.t.peerNever}</span>;
}

/** The open alerts, each with what the node saw and a button to mark it resolved. */
export function AlertTable(props: { t: Messages; language: Language; csrf: string; alerts: PeerAlert[]; showPeer: boolean; back: 'list' | 'peer' }) {
  const { t, language } = props;
  return (
    <table>
      <thead>
        <tr>
          {props.showPeer ? <th scope="col">{t.peerOrganisation}</th> : null}
          <th scope="col">{t.peerAlertKind}</th>
          <th scope="col">{t.peerAlertDetail}</th>
          <th scope="col">{t.peerAlertDetected}</th>
          <th scope="col">{t.peerAlertStatus}</th>
        </tr>
      </thead>
      <tbody>
        {props.alerts.map((a) => (
          <tr>
            {props.showPeer ? (
              <td>
                <a href={`/ui/peers/peer?id=${encodeURIComponent(a.peerId)}`}>{a.peerName}</a>
              </td>
            ) : null}
            <td>{alertKindName(t, a.kind)}</td>
            <td>
              <span lang="en">{a.detail}</span>
            </td>
            <td>
              <When at={a.detectedAt} language={language} t={t} />
            </td>
            <td>
              {a.resolvedAt ? (
                <span>
                  {t.peerAlertResolvedAt} <When at={a.resolvedAt} language={language} t={t} />
                </span>
              ) : (
                <form method="post" action="/ui/peers/alerts/resolve">
                  <Csrf token={props.csrf} />
                  <input type="hidden" name="id" value={String(a.id)} />
                  <input type="hidden" name="back" value={props.back} />
                  <button type="submit" class="secondary">
                    {t.peerAlertResolve}
                  </button>
                </form>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
