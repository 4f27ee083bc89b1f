// One consent record: what it covers, where and how it was given, the referrals that rest on it,
// the erasures owed (those not yet confirmed counted), and for caseworkers and administrators the
// withdrawal, a separate form that says what will happen. Metadata only: never the woman's data.
import type { Consent } from '../../../node/consents/service.js';
import { ErrorNote } from '../../router.js';
import { FieldError, fieldState, onField } from '../field-error.js';
import { format, formatDate, formatDay, formatNumber } from '../../i18n/catalogue.js';
import { consentLanguageName } from '../../i18n/names.js';
import { Layout, type PageContext } from '../layout.js';
import { categoriesText, methodText, Organisation, purposesText, StateBadge, type OrganisationNames } from './parts.js';

export interface ConsentDetailData {
  consent: Consent;
  names: OrganisationNames;
  /** The user name of whoever obtained it, when that is a user of this node. */
  obtainedBy: string;
  /** Caseworkers and administrators: the withdrawal form, and links to the referrals. */
  mayAct: boolean;
  /** Whose consent it is (her pseudonym or initials), for caseworkers and administrators only. */
  who?: string | undefined;
  /** Why the withdrawal was refused; `field` when it was the organisations ticked or the confirmation (said beside it). */
  error?: { sentence: string; detail?: string; field?: 'withdraw-recipients' | 'withdraw-confirm' } | undefined;
  /** The organisations ticked when the form is shown again. */
  chosen?: readonly string[] | undefined;
  /** What was wrong with a scanned form sent to attach. */
  attachError?: { sentence: string; detail?: string } | undefined;
}

/** Attaching the signed form: only to a consent given here (one received with a referral has its form where it was given). */
function AttachForm(props: { page: PageContext; data: ConsentDetailData }) {
  const { t, session } = props.page;
  const { consent } = props.data;
  if (consent.origin !== 'self' || consent.derived_from) return null;
  // The form has one field, the file: what was wrong with it is said beside it.
  const fileMistake = onField('form_file', props.data.attachError);
  return (
    <section aria-labelledby="attach">
      <h2 id="attach">{t.consentAttachTitle}</h2>
      {consent.form ? <p>{t.consentAttachReplaces}</p> : null}
      <form method="post" action={`/ui/consents/${consent.id}/form`} enctype="multipart/form-data" class="stack">
        <input type="hidden" name="_csrf" value={session?.csrf ?? ''} />
        <label for="form_file">{t.consentAttachLabel}</label>
        <input id="form_file" name="form_file" type="file" accept="application/pdf,image/jpeg,image/png" required {...fieldState(fileMistake, 'form_file', 'form_file-hint')} />
        <FieldError mistake={fileMistake} id="form_file" nodeSaid={t.nodeSaid} />
        <span class="muted" id="form_file-hint">
          {t.consentAttachHint}
        </span>
        <button type="submit">{t.consentAttachButton}</button>
      </form>
    </section>
  );
}

function Facts(props: { page: PageContext; data: ConsentDetailData }) {
  const { t, language } = props.page;
  const { consent, names } = props.data;
  const withdrawn = new Set(consent.withdrawn_for);
  const origin = consent.derived_from ? t.consentDerived : consent.origin === 'self' ? t.consentGivenHere : null;
  return (
    <dl class="facts">
      {props.data.who ? (
        <>
          <dt>{t.consentWhose}</dt>
          <dd>{props.data.who}</dd>
        </>
      ) : null}
      <dt>{t.consentsFilterState}</dt>
      <dd>
        <StateBadge t={t} state={consent.status} />
      </dd>
      <dt>{t.consentOrigin}</dt>
      <dd>
        {origin ?? (
          <>
            {format(t.consentGivenTo, { organisation: names.get(consent.origin) ?? consent.origin })}
          </>
        )}
      </dd>
      <dt>{t.consentsRecipients}</dt>
      <dd>
        <ul>
          {consent.recipients.map((id) => (
            <li>
              <Organisation names={names} id={id} /> {withdrawn.has(id) ? <span class="badge bad">{t.consentWithdrawnBadge}</span> : null}
            </li>
          ))}
        </ul>
      </dd>
      <dt>{t.consentsCategories}</dt>
      <dd>{categoriesText(t, consent)}</dd>
      <dt>{t.consentsPurposes}</dt>
      <dd>{purposesText(t, consent)}</dd>
      <dt>{t.consentOnward}</dt>
      <dd>{consent.onward_referral?.allowed ? t.consentOnwardAllowed : t.consentOnwardNotAllowed}</dd>
      <dt>{t.consentsMethod}</dt>
      <dd>{methodText(t, consent.method)}</dd>
      <dt>{t.consentLanguage}</dt>
      <dd>{consentLanguageName(consent.language, language)}</dd>
      <dt>{t.consentObtainedBy}</dt>
      <dd>{props.data.obtainedBy}</dd>
      <dt>{t.consentObtainedAt}</dt>
      <dd>{formatDate(consent.obtained_at, language)}</dd>
      <dt>{t.consentsValidUntil}</dt>
      <dd>{formatDay(consent.valid_until, language)}</dd>
      <dt>{t.consentsRecorded}</dt>
      <dd>{formatDate(consent.recorded_at, language)}</dd>
      {consent.withdrawn_at ? (
        <>
          <dt>{t.consentWithdrawnAt}</dt>
          <dd>{formatDate(consent.withdrawn_at, language)}</dd>
        </>
      ) : null}
      <dt>{t.consentForm}</dt>
      <dd>
        {consent.form ? format(t.consentFormAttached, { date: formatDate(consent.form.attached_at, language) }) : t.consentNoForm}
        {consent.form && props.data.mayAct ? (
          <>
            {' '}
            <a href={`/ui/consents/${consent.id}/form`}>{t.consentFormOpen}</a>
          </>
        ) : null}
      </dd>
    </dl>
  );
}

function Referrals(props: { page: PageContext; data: ConsentDetailData }) {
  const { t, language } = props.page;
  const { consent, names, mayAct } = props.data;
  return (
    <section aria-labelledby="referrals">
      <h2 id="referrals">{t.consentReferralsTitle}</h2>
      {consent.referrals.length === 0 ? (
        <p>{t.consentNoReferrals}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t.consentReferral}</th>
              <th scope="col">{t.consentDirection}</th>
              <th scope="col">{t.consentsFilterRecipient}</th>
              <th scope="col">{t.consentReferralState}</th>
              <th scope="col">{t.consentErasedAt}</th>
            </tr>
          </thead>
          <tbody>
            {consent.referrals.map((referral) => (
              <tr>
                <td>{mayAct ? <a href={`/ui/referrals/${referral.id}`}>{referral.case_reference}</a> : referral.case_reference}</td>
                <td>{referral.direction === 'outgoing' ? t.consentDirectionOutgoing : t.consentDirectionIncoming}</td>
                <td>
                  <Organisation names={names} id={referral.peer_id} />
                </td>
                <td>{t[`state.${referral.state}`]}</td>
                <td>{referral.erased_at ? formatDate(referral.erased_at, language) : t.consentNotErased}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Erasures(props: { page: PageContext; data: ConsentDetailData }) {
  const { t, language } = props.page;
  const { consent, names } = props.data;
  if (consent.erasures.length === 0) return null;
  const outstanding = consent.erasures.filter((e) => e.status === 'outstanding').length;
  return (
    <section aria-labelledby="erasures">
      <h2 id="erasures">{t.consentErasuresTitle}</h2>
      <p class={outstanding > 0 ? 'notice' : undefined}>
        {outstanding > 0 ? format(t.consentErasuresPending, { count: formatNumber(outstanding, language) }) : t.consentErasuresAllConfirmed}
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">{t.consentsFilterRecipient}</th>
            <th scope="col">{t.consentErasureReason}</th>
            <th scope="col">{t.consentErasureStatus}</th>
            <th scope="col">{t.consentErasureAsked}</th>
            <th scope="col">{t.consentErasureConfirmedAt}</th>
          </tr>
        </thead>
        <tbody>
          {consent.erasures.map((erasure) => (
            <tr>
              <td>
                <Organisation names={names} id={erasure.node_id} />
              </td>
              <td>{t[`consentErasureReason.${erasure.reason}`]}</td>
              <td>
                {erasure.status === 'confirmed' ? (
                  <span class="badge good">{t.consentErasureConfirmed}</span>
                ) : (
                  <span class="badge bad">{t.consentErasureOutstanding}</span>
                )}
              </td>
              <td>{erasure.requested_at ? formatDate(erasure.requested_at, language) : ''}</td>
              <td>{erasure.confirmed_at ? formatDate(erasure.confirmed_at, language) : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** Whether this node records the withdrawal (a consent given here, not narrowed from a received one). */
export const withdrawnHere = (consent: Consent): boolean => consent.origin === 'self' && !consent.derived_from;

function Withdrawal(props: { page: PageContext; data: ConsentDetailData }) {
  const { t, session } = props.page;
  const { consent, names } = props.data;
  const open = consent.recipients.filter((r) => !consent.withdrawn_for.includes(r));
  const mistake = props.data.error?.field ? { ...props.data.error, field: props.data.error.field } : undefined;
  const pickOne = mistake?.field === 'withdraw-recipients';
  const chosen = new Set(props.data.chosen ?? open);
  return (
    <section aria-labelledby="withdraw">
      <h2 id="withdraw">{t.consentWithdrawTitle}</h2>
      <ErrorNote t={t} error={props.data.error?.field ? undefined : props.data.error} />
      {!withdrawnHere(consent) ? (
        <p>{t.consentWithdrawElsewhere}</p>
      ) : open.length === 0 ? (
        <p>{t.consentWithdrawnForAll}</p>
      ) : (
        <form method="post" action={`/ui/consents/${consent.id}/withdraw`}>
          <input type="hidden" name="_csrf" value={session?.csrf ?? ''} />
          <p id="withdraw-explain">{t.consentWithdrawExplain}</p>
          {/* A group is described by its mistake; each box in it is marked (aria-invalid is not a group's). */}
          <fieldset class="choices" id="withdraw-recipients" aria-describedby={pickOne ? 'withdraw-recipients-error' : undefined}>
            <legend>{t.consentWithdrawFor}</legend>
            <FieldError mistake={mistake} id="withdraw-recipients" nodeSaid={t.nodeSaid} />
            {open.map((id, i) => (
              <label for={`withdraw-recipient-${i}`}>
                <input id={`withdraw-recipient-${i}`} type="checkbox" name="recipients" value={id} checked={chosen.has(id)} aria-invalid={pickOne ? 'true' : undefined} />
                <Organisation names={names} id={id} />
              </label>
            ))}
          </fieldset>
          <p class="choices">
            <label for="withdraw-confirm">
              <input id="withdraw-confirm" type="checkbox" name="confirm" value="yes" {...fieldState(mistake, 'withdraw-confirm', 'withdraw-explain')} />
              {t.consentWithdrawConfirm}
            </label>
          </p>
          <FieldError mistake={mistake} id="withdraw-confirm" nodeSaid={t.nodeSaid} />
          <button type="submit" class="danger">
            {t.consentWithdraw}
          </button>
        </form>
      )}
    </section>
  );
}

export function ConsentDetailPage(props: { page: PageContext; data: ConsentDetailData }) {
  const { t, language } = props.page;
  const { consent } = props.data;
  return (
    <Layout page={props.page} title={format(t.consentTitle, { date: formatDate(consent.recorded_at, language) })} nav="/ui/consents">
      {props.data.mayAct ? null : <p class="muted">{t.consentsAuditorNote}</p>}
      <Facts page={props.page} data={props.data} />
      <Referrals page={props.page} data={props.data} />
      <Erasures page={props.page} data={props.data} />
      {props.data.mayAct ? <AttachForm page={props.page} data={props.data} /> : null}
      {props.data.mayAct ? <Withdrawal page={props.page} data={props.data} /> : null}
      <p>
        <a href="/ui/consents">{t.backTo}</a>
      </p>
    </Layout>
  );
}

