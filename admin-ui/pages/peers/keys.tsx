// This node's keys, read only: the signing key's fingerprint (what partners compare), the current
// encryption key, how often the signing key was rotated, and every earlier key with when it was
// retired or destroyed. Rotating and revoking keys is done with the command line on the node's
// machine (`referral-node keys`), which the page says.
import { formatNumber, type Messages } from '../../i18n/catalogue.js';
import { Layout, type PageContext } from '../layout.js';
import type { OwnKey, OwnKeys } from '../../../node/identity/own-keys.js';
import { Fingerprint, When } from './parts.js';

const statusName = (t: Messages, status: OwnKey['status']): string =>
  ({ current: t.nodeKeysCurrent, retired: t.nodeKeysRetired, destroyed: t.nodeKeysDestroyed, revoked: t.nodeKeysRevoked })[status];

export function OwnKeysPage(props: { page: PageContext; keys: OwnKeys }) {
  const { t, language } = props.page;
  const { keys } = props;
  return (
    <Layout page={props.page} title={t.nodeKeysTitle} nav="/ui/peers">
      <p>
        <a href="/ui/peers">{t.peerBackToList}</a>
      </p>
      <dl class="facts">
        <dt>{t.peerName}</dt>
        <dd>{keys.name}</dd>
        <dt>{t.peerUrl}</dt>
        <dd>
          <span lang="en">{keys.nodeId}</span>
        </dd>
        <dt>{t.peerOwnFingerprint}</dt>
        <dd>
          <Fingerprint value={keys.signingFingerprint} large />
        </dd>
        <dt>{t.nodeKeysEncryption}</dt>
        <dd>
          <Fingerprint value={keys.encryptionFingerprint} />
        </dd>
        <dt>{t.nodeKeysRotations}</dt>
        <dd>{formatNumber(keys.signingRotations, language)}</dd>
      </dl>
      <p>{t.nodeKeysHelp}</p>
      <h2>{t.nodeKeysAllTitle}</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">{t.nodeKeysUse}</th>
            <th scope="col">{t.peerFingerprint}</th>
            <th scope="col">{t.peerKeyStatus}</th>
            <th scope="col">{t.nodeKeysRetiredAt}</th>
            <th scope="col">{t.nodeKeysDestroyedAt}</th>
          </tr>
        </thead>
        <tbody>
          {keys.keys.map((k) => (
            <tr>
              <td>{k.use === 'signing' ? t.nodeKeysUseSigning : t.nodeKeysUseEncryption}</td>
              <td>
                <Fingerprint value={k.fingerprint} />
              </td>
              <td>{statusName(t, k.status)}</td>
              <td>{k.retiredAt ? <When at={k.retiredAt} language={language} t={t} /> : <span class="muted">{t.none}</span>}</td>
              <td>{k.destroyedAt ? <When at={k.destroyedAt} language={language} t={t} /> : <span class="muted">{t.none}</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Layout>
  );
}
