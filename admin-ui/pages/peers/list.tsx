// The peers page: this node's own fingerprint (to read out to a partner), the alerts no one has
// resolved, every peer with its state, key, last contact and delivery problems, and the form that
// starts adding a peer by its URL.
import { FieldError, fieldState, onField } from '../field-error.js';
import { countryName } from '../../i18n/names.js';
import { format, formatNumber } from '../../i18n/catalogue.js';
import { Layout, type PageContext } from '../layout.js';
import type { PeerAlert } from '../../../node/peers/alerts.js';
import type { PeerSummary } from '../../../node/peers/records.js';
import { AlertTable, Csrf, Fingerprint, PeerStateBadge, When } from './parts.js';

export interface PeersListData {
  self: { name: string; nodeId: string; fingerprint: string };
  peers: PeerSummary[];
  openAlerts: PeerAlert[];
}

export function AddPeerForm(props: { page: PageContext; url?: string | undefined; error?: { sentence: string; detail?: string } | undefined }) {
  const { t, session } = props.page;
  // Whatever went wrong, it was with the address: said beside it.
  const mistake = onField('peer-url', props.error);
  return (
    <section aria-labelledby="add-peer">
      <h2 id="add-peer">{t.peerAddTitle}</h2>
      <p>{t.peerAddIntro}</p>
      <form method="post" action="/ui/peers/add" class="stack">
        <Csrf token={session!.csrf} />
        <label for="peer-url">{t.peerUrl}</label>
        <input id="peer-url" name="url" type="url" inputmode="url" autocomplete="off" value={props.url ?? ''} required {...fieldState(mistake, 'peer-url')} />
        <FieldError mistake={mistake} id="peer-url" nodeSaid={t.nodeSaid} />
        <button type="submit">{t.peerFetchIdentity}</button>
      </form>
    </section>
  );
}

export function PeersListPage(props: { page: PageContext; data: PeersListData; url?: string | undefined; error?: { sentence: string; detail?: string } | undefined }) {
  const { t, language, session } = props.page;
  const { self, peers, openAlerts } = props.data;
  return (
    <Layout page={props.page} title={t.peersTitle} nav="/ui/peers">
      <section aria-labelledby="this-node">
        <h2 id="this-node">{t.peerThisNode}</h2>
        <dl class="facts">
          <dt>{t.peerName}</dt>
          <dd>{self.name}</dd>
          <dt>{t.peerUrl}</dt>
          <dd>
            <span lang="en">{self.nodeId}</span>
          </dd>
          <dt>{t.peerOwnFingerprint}</dt>
          <dd>
            <Fingerprint value={self.fingerprint} large />
          </dd>
        </dl>
        <p>{t.peerOwnFingerprintHelp}</p>
        <p class="actions">
          <a href="/ui/peers/keys">{t.nodeKeysTitle}</a>
          <a href="/ui/peers/invitations">{t.invitationsTitle}</a>
        </p>
      </section>
      <section aria-labelledby="open-alerts">
        <h2 id="open-alerts">{t.peerAlertsTitle}</h2>
        {openAlerts.length === 0 ? (
          <p>{t.peerNoOpenAlerts}</p>
        ) : (
          <>
            <p class="error-box">{t.peerAlertsHelp}</p>
            <AlertTable t={t} language={language} csrf={session!.csrf} alerts={openAlerts} showPeer back="list" />
          </>
        )}
      </section>
      <section aria-labelledby="peer-list">
        <h2 id="peer-list">{t.peerListTitle}</h2>
        {peers.length === 0 ? (
          <p>{t.peerNone}</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">{t.peerOrganisation}</th>
                <th scope="col">{t.peerCountry}</th>
                <th scope="col">{t.peerState}</th>
                <th scope="col">{t.peerFingerprint}</th>
                <th scope="col">{t.peerLastContact}</th>
                <th scope="col">{t.peerProblems}</th>
              </tr>
            </thead>
            <tbody>
              {peers.map((p) => (
                <tr>
                  <td>
                    <a href={`/ui/peers/peer?id=${encodeURIComponent(p.id)}`}>{p.name}</a>
                    <br />
                    <span class="muted" lang="en">
                      {p.id}
                    </span>
                  </td>
                  <td>{countryName(p.country, language)}</td>
                  <td>
                    <PeerStateBadge t={t} state={p.state} />
                  </td>
                  <td>
                    <Fingerprint value={p.fingerprint} />
                  </td>
                  <td>
                    <When at={p.lastContact} language={language} t={t} />
                  </td>
                  <td>
                    <ProblemSummary page={props.page} peer={p} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <AddPeerForm page={props.page} url={props.url} error={props.error} />
    </Layout>
  );
}

export function ProblemSummary(props: { page: PageContext; peer: Pick<PeerSummary, 'failed' | 'retrying' | 'openAlerts'> }) {
  const { t, language } = props.page;
  const { failed, retrying, openAlerts } = props.peer;
  const parts = [
    failed ? format(t.peerFailedCount, { count: formatNumber(failed, language) }) : undefined,
    retrying ? format(t.peerRetryingCount, { count: formatNumber(retrying, language) }) : undefined,
    openAlerts ? format(t.peerAlertCount, { count: formatNumber(openAlerts, language) }) : undefined,
  ].filter((p): p is string => !!p);
  return parts.length === 0 ? <span class="muted">{t.peerNoProblems}</span> : <span class="error">{parts.join(' · ')}</span>;
}
