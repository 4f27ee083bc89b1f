// One peer: who it is, its state, its keys (the pinned one and earlier, replaced or revoked ones),
// its last contact and delivery problems, its alerts, and the actions its state allows: approve a
// pending peer (after comparing the fingerprint again), suspend, restore, revoke (for good, with
// a reason, and only after ticking that this cannot be undone).
import { ErrorNote } from '../../router.js';
import { countryName, languageNames } from '../../i18n/names.js';
import { format, type Messages } from '../../i18n/catalogue.js';
import { Layout, type PageContext } from '../layout.js';
import { ProblemSummary } from './list.js';
import type { PeerKey, PeerRecord } from '../../../node/peers/records.js';
import { AlertTable, Csrf, Fingerprint, PeerStateBadge, When } from './parts.js';

export type PeerFormName = 'trust' | 'suspend' | 'restore' | 'revoke';

/** A form shown again with what was wrong and what was entered. */
export interface PeerFormError {
  form: PeerFormName;
  error: { sentence: string; detail?: string };
  fingerprint?: string | undefined;
  reason?: string | undefined;
}

const REASONS = ['key-compromise', 'no-longer-partner', 'other'] as const;

/** The forms each state offers (a revoked peer none: revocation is final). */
const FORMS_OF: Readonly<Record<PeerRecord['state'], readonly PeerFormName[]>> = {
  pending: ['trust', 'revoke'],
  trusted: ['suspend', 'revoke'],
  suspended: ['restore', 'revoke'],
  revoked: [],
};

const reasonName = (t: Messages, reason: string): string =>
  ({ 'key-compromise': t.peerReasonKeyCompromise, 'no-longer-partner': t.peerReasonNoLongerPartner, other: t.peerReasonOther })[reason] ?? reason;

const keyStatusName = (t: Messages, status: PeerKey['status']): string =>
  ({ pinned: t.peerKeyPinned, earlier: t.peerKeyEarlier, replaced: t.peerKeyReplaced, revoked: t.peerKeyRevoked })[status];

function ActionForm(props: { page: PageContext; peerId: string; action: PeerFormName; heading: string; sentence: string; failed: PeerFormError | undefined; children?: unknown; button: string; danger?: boolean }) {
  const { t, session } = props.page;
  const id = `action-${props.action}`;
  return (
    <section aria-labelledby={id}>
      <h3 id={id}>{props.heading}</h3>
      <p>{props.sentence}</p>
      {props.failed?.form === props.action ? <ErrorNote t={t} error={props.failed.error} /> : null}
      <form method="post" action={`/ui/peers/${props.action}`} class="stack">
        <Csrf token={session!.csrf} />
        <input type="hidden" name="id" value={props.peerId} />
        {props.children as never}
        <button type="submit" class={props.danger ? 'danger' : undefined}>
          {props.button}
        </button>
      </form>
    </section>
  );
}

function Actions(props: { page: PageContext; peer: PeerRecord; failed: PeerFormError | undefined }) {
  const { t } = props.page;
  const { peer, failed } = props;
  const name = { name: peer.name };
  const revoke = (
    <ActionForm
      page={props.page}
      peerId={peer.id}
      action="revoke"
      heading={t.peerRevokeTitle}
      sentence={format(t.peerRevokeSentence, name)}
      failed={failed}
      button={t.peerRevokeButton}
      danger
    >
      <label for="revoke-reason">{t.peerRevokeReason}</label>
      <select id="revoke-reason" name="reason" required>
        <option value="">{t.peerChooseReason}</option>
        {REASONS.map((r) => (
          <option value={r} selected={failed?.form === 'revoke' && failed.reason === r}>
            {reasonName(t, r)}
          </option>
        ))}
      </select>
      <div class="choices">
        <label>
          <input type="checkbox" name="understood" value="yes" required />
          {t.peerRevokeUnderstood}
        </label>
      </div>
    </ActionForm>
  );
  if (peer.state === 'revoked') {
    return <p>{t.peerRevokedFinal}</p>;
  }
  return (
    <>
      {FORMS_OF[peer.state].includes('trust') ? (
        <ActionForm page={props.page} peerId={peer.id} action="trust" heading={t.peerTrustTitle} sentence={format(t.peerTrustSentence, name)} failed={failed} button={t.peerTrustButton}>
          <label for="trust-fingerprint">{t.peerGivenFingerprint}</label>
          <input id="trust-fingerprint" name="fingerprint" autocomplete="off" spellcheck={false} value={failed?.form === 'trust' ? (failed.fingerprint ?? '') : ''} required />
        </ActionForm>
      ) : null}
      {FORMS_OF[peer.state].includes('suspend') ? (
        <ActionForm page={props.page} peerId={peer.id} action="suspend" heading={t.peerSuspendTitle} sentence={format(t.peerSuspendSentence, name)} failed={failed} button={t.peerSuspendButton} />
      ) : null}
      {FORMS_OF[peer.state].includes('restore') ? (
        <ActionForm page={props.page} peerId={peer.id} action="restore" heading={t.peerRestoreTitle} sentence={format(t.peerRestoreSentence, name)} failed={failed} button={t.peerRestoreButton} />
      ) : null}
      {revoke}
    </>
  );
}

export function PeerPage(props: { page: PageContext; peer: PeerRecord; failed?: PeerFormError | undefined }) {
  const { t, language, session } = props.page;
  const { peer } = props;
  return (
    <Layout page={props.page} title={peer.name} nav="/ui/peers">
      <p>
        <a href="/ui/peers">{t.peerBackToList}</a>
      </p>
      <section aria-labelledby="about">
        <h2 id="about">{t.peerAbout}</h2>
        <dl class="facts">
          <dt>{t.peerState}</dt>
          <dd>
            <PeerStateBadge t={t} state={peer.state} />
            {peer.revocationReason ? ` ${reasonName(t, peer.revocationReason)}` : null}
          </dd>
          <dt>{t.peerUrl}</dt>
          <dd>
            <span lang="en">{peer.id}</span>
          </dd>
          <dt>{t.peerCountry}</dt>
          <dd>{countryName(peer.country, language)}</dd>
          <dt>{t.peerLanguages}</dt>
          <dd>{languageNames(peer.languages, language)}</dd>
          {peer.contact ? (
            <>
              <dt>{t.peerContact}</dt>
              <dd>{peer.contact}</dd>
            </>
          ) : null}
          <dt>{t.peerAddedAt}</dt>
          <dd>
            <When at={peer.addedAt} language={language} t={t} />
          </dd>
          <dt>{t.peerTrustedAt}</dt>
          <dd>
            <When at={peer.trustedAt} language={language} t={t} />
          </dd>
        </dl>
      </section>
      <section aria-labelledby="keys">
        <h2 id="keys">{t.peerKeysTitle}</h2>
        <dl class="facts">
          <dt>{t.peerPinnedFingerprint}</dt>
          <dd>
            <Fingerprint value={peer.fingerprint} large />
          </dd>
          <dt>{t.peerIdentityChecked}</dt>
          <dd>
            <When at={peer.identityCheckedAt} language={language} t={t} />
          </dd>
        </dl>
        {peer.keys.length === 0 ? (
          <p>{t.peerNoOtherKeys}</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">{t.peerFingerprint}</th>
                <th scope="col">{t.peerKeyStatus}</th>
                <th scope="col">{t.peerKeySince}</th>
              </tr>
            </thead>
            <tbody>
              {peer.keys.map((k) => (
                <tr>
                  <td>
                    <Fingerprint value={k.fingerprint} />
                  </td>
                  <td>{keyStatusName(t, k.status)}</td>
                  <td>{k.since ? <When at={k.since} language={language} t={t} /> : <span class="muted">{t.peerUnknown}</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="contact">
        <h2 id="contact">{t.peerContactTitle}</h2>
        <dl class="facts">
          <dt>{t.peerLastReceived}</dt>
          <dd>
            <When at={peer.lastReceived} language={language} t={t} />
          </dd>
          <dt>{t.peerLastDelivered}</dt>
          <dd>
            <When at={peer.lastDelivered} language={language} t={t} />
          </dd>
          <dt>{t.peerProblems}</dt>
          <dd>
            <ProblemSummary page={props.page} peer={peer} />
          </dd>
        </dl>
      </section>
      <section aria-labelledby="peer-alerts">
        <h2 id="peer-alerts">{t.peerAlertsTitle}</h2>
        {peer.alerts.length === 0 ? (
          <p>{t.peerNoAlerts}</p>
        ) : (
          <AlertTable t={t} language={language} csrf={session!.csrf} alerts={peer.alerts} showPeer={false} back="peer" />
        )}
      </section>
      <section aria-labelledby="actions">
        <h2 id="actions">{t.peerActionsTitle}</h2>
        {props.failed && !FORMS_OF[peer.state].includes(props.failed.form) ? <ErrorNote t={t} error={props.failed.error} /> : null}
        <Actions page={props.page} peer={peer} failed={props.failed} />
      </section>
    </Layout>
  );
}
