// The second step of adding a peer by URL: what the node at that URL says it is, the fingerprint
// of the signing key it presented in large print, and a field for the fingerprint the other
// organisation gave by phone or letter. The next step fetches the identity again and adds the
// peer only when the two fingerprints are the same.
import { ErrorNote } from '../../router.js';
import { FieldError, fieldState, type FieldMistake } from '../field-error.js';
import { countryName, languageNames } from '../../i18n/names.js';
import { Layout, type PageContext } from '../layout.js';
import { Csrf, Fingerprint, PeerStateBadge } from './parts.js';
import type { PeerState } from '../../../node/peers/records.js';

export interface PeerCandidate {
  id: string;
  name: string;
  country: string;
  languages: string[];
  contact: string | undefined;
  fingerprint: string;
  /** The state it has here already, when it is known. */
  knownState: PeerState | undefined;
}

export function ComparePeerPage(props: {
  page: PageContext;
  candidate: PeerCandidate;
  typed?: string | undefined;
  trustNow?: boolean | undefined;
  /** A refusal of the whole (a revoked or suspended peer), said at the top. */
  error?: { sentence: string; detail?: string } | undefined;
  /** What was wrong with the fingerprint typed, said beside it. */
  mistake?: FieldMistake | undefined;
}) {
  const { t, language, session } = props.page;
  const c = props.candidate;
  return (
    <Layout page={props.page} title={t.peerCompareTitle} nav="/ui/peers">
      <ErrorNote t={t} error={props.error} />
      <section aria-labelledby="presented">
        <h2 id="presented">{t.peerPresented}</h2>
        <dl class="facts">
          <dt>{t.peerName}</dt>
          <dd>{c.name}</dd>
          <dt>{t.peerCountry}</dt>
          <dd>{countryName(c.country, language)}</dd>
          <dt>{t.peerUrl}</dt>
          <dd>
            <span lang="en">{c.id}</span>
          </dd>
          <dt>{t.peerLanguages}</dt>
          <dd>{languageNames(c.languages, language)}</dd>
          {c.contact ? (
            <>
              <dt>{t.peerContact}</dt>
              <dd>{c.contact}</dd>
            </>
          ) : null}
          {c.knownState ? (
            <>
              <dt>{t.peerKnownAlready}</dt>
              <dd>
                <PeerStateBadge t={t} state={c.knownState} />
              </dd>
            </>
          ) : null}
          <dt>{t.peerPresentedFingerprint}</dt>
          <dd>
            <Fingerprint value={c.fingerprint} large id="presented-fingerprint" />
          </dd>
        </dl>
      </section>
      <section aria-labelledby="compare">
        <h2 id="compare">{t.peerCompareHeading}</h2>
        <p>{t.peerCompareHelp}</p>
        <form method="post" action="/ui/peers/add/confirm" class="stack">
          <Csrf token={session!.csrf} />
          <input type="hidden" name="url" value={c.id} />
          <label for="given-fingerprint">{t.peerGivenFingerprint}</label>
          <input id="given-fingerprint" name="fingerprint" autocomplete="off" spellcheck={false} value={props.typed ?? ''} required {...fieldState(props.mistake, 'given-fingerprint', 'given-fingerprint-help')} />
          <FieldError mistake={props.mistake} id="given-fingerprint" nodeSaid={t.nodeSaid} />
          <p id="given-fingerprint-help" class="muted">
            {t.peerGivenFingerprintHelp}
          </p>
          <div class="choices">
            <label>
              <input type="checkbox" name="trust" value="yes" checked={props.trustNow ?? true} />
              {t.peerTrustNow}
            </label>
          </div>
          <div class="actions">
            <button type="submit">{t.peerAddConfirm}</button>
            <a href="/ui/peers">{t.cancel}</a>
          </div>
        </form>
      </section>
    </Layout>
  );
}
