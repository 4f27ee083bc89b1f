// One referral's page: what it is (needs, urgency, reason, the client data its consent covered),
// the consent it travelled under, its timeline with who did what, the delivery of its messages
// (history.tsx), and the actions its state and direction allow now (actions.tsx).
import type { Child } from 'hono/jsx';
import type { ReferralDetail } from '../../../node/referrals/service.js';
import { ErrorNote } from '../../router.js';
import { format, formatDate, formatDay, type Language, type Messages } from '../../i18n/catalogue.js';
import { consentLanguageName, countryName, languageName } from '../../i18n/names.js';
import { Owed } from './list.js';
import { FieldError, fieldState, type FieldMistake } from '../field-error.js';
import { MAX_PSEUDONYM_LENGTH } from '../../../node/referrals/pseudonym.js';
import { MAX_HANDOVER_NOTE } from '../../../node/referrals/assignment.js';
import { Layout, type PageContext } from '../layout.js';
import { ActionForms, type ActionsProps } from './actions.js';
import { caseworkerText, Code, labelOf, needsText, stateLabel, When } from './labels.js';
import { Delivery, Timeline } from './history.js';

type ClientData = NonNullable<ReferralDetail['content']>['client'];
type Consent = NonNullable<ReferralDetail['content']>['consent'];

export interface ReferralPageProps extends Omit<ActionsProps, 't' | 'csrf' | 'referral'> {
  page: PageContext;
  referral: ReferralDetail;
  /** Names for the node ids and user ids the timeline mentions. */
  peerNames: ReadonlyMap<string, string>;
  userNames: ReadonlyMap<string, string>;
  /** The name of the service the referral is for, when it is known here. */
  serviceName?: string | undefined;
  /** The needs, also when her data is not shown. */
  needs: readonly string[];
  /** Shown again after a refused form: without her data (so that nothing, not even the audit log, changes). */
  limited: boolean;
  /** The form that names her in the lists (her pseudonym, as kept or as typed); absent once her data is erased. */
  pseudonym?: PseudonymForm | undefined;
  /** Withdrawing her consent for this referral's organisation, when this node can (a consent given here, in force for it). */
  withdrawal?: ConsentWithdrawal | undefined;
  /** Who is responsible here, and the colleagues it can be handed over to. */
  responsibility: Responsibility;
  error?: { sentence: string; detail?: string } | undefined;
}

export interface Responsibility {
  /** The user responsible now, by name; undefined: nobody. */
  current?: { id: string; name: string } | undefined;
  /** The active caseworkers and administrators, by name. */
  colleagues: ReadonlyArray<{ id: string; name: string }>;
  /** The form as sent, when it was refused. */
  typed?: { to: string; note: string } | undefined;
  mistake?: FieldMistake | undefined;
}

/** Who is responsible for the referral here: take it, or hand it over with a note. */
function ResponsibleSection(props: { t: Messages; csrf: string; referralId: string; you: string; responsibility: Responsibility }) {
  const { t, responsibility } = props;
  const { current, mistake } = responsibility;
  const chosen = responsibility.typed?.to ?? current?.id ?? '';
  return (
    <section aria-labelledby="responsible">
      <h2 id="responsible">{t.refResponsibleHeading}</h2>
      <p>{current ? format(t.refResponsibleNow, { name: current.id === props.you ? t.refByYou : current.name }) : t.refNobodyResponsible}</p>
      {current?.id === props.you ? null : (
        <form method="post" action={`/ui/referrals/${props.referralId}/assign`}>
          <input type="hidden" name="_csrf" value={props.csrf} />
          <input type="hidden" name="to" value={props.you} />
          <button type="submit">{t.refTakeIt}</button>
        </form>
      )}
      <form method="post" action={`/ui/referrals/${props.referralId}/assign`} class="stack">
        <input type="hidden" name="_csrf" value={props.csrf} />
        <label for="assign-to">{t.refHandOverTo}</label>
        <select id="assign-to" name="to" {...fieldState(mistake, 'assign-to')}>
          <option value="" selected={chosen === ''}>
            {t.refNobody}
          </option>
          {responsibility.colleagues.map((c) => (
            <option value={c.id} selected={chosen === c.id}>
              {c.name}
            </option>
          ))}
        </select>
        <FieldError mistake={mistake} id="assign-to" />
        <label for="assign-note">{t.refHandOverNote}</label>
        <textarea id="assign-note" name="note" maxlength={MAX_HANDOVER_NOTE} {...fieldState(mistake, 'assign-note')}>
          {responsibility.typed?.note ?? ''}
        </textarea>
        <FieldError mistake={mistake} id="assign-note" />
        <button type="submit" class="secondary">
          {t.refHandOver}
        </button>
      </form>
    </section>
  );
}

export interface ConsentWithdrawal {
  consentId: string;
  /** The organisation's name and country. */
  organisation: string;
  /** The case references of the referrals to that organisation made under the consent. */
  cases: readonly string[];
  /** Why the last attempt was refused (the confirmation missing: said beside it). */
  mistake?: FieldMistake | undefined;
  error?: { sentence: string; detail?: string } | undefined;
}

/** Withdrawing her consent from the referral's page: what happens where, and a confirmation. */
function WithdrawConsent(props: { t: Messages; csrf: string; referralId: string; withdrawal: ConsentWithdrawal }) {
  const { t, withdrawal } = props;
  return (
    <section aria-labelledby="withdraw-consent">
      <h2 id="withdraw-consent">{t.consentWithdrawTitle}</h2>
      <form method="post" action={`/ui/referrals/${props.referralId}/withdraw-consent`}>
        <input type="hidden" name="_csrf" value={props.csrf} />
        <p id="withdraw-consent-explain">
          {format(t.refWithdrawConsentExplain, { organisation: withdrawal.organisation, cases: withdrawal.cases.join(', ') })}{' '}
          <a href={`/ui/consents/${withdrawal.consentId}`}>{t.refConsentRecord}</a>
        </p>
        <p class="choices">
          <label for="withdraw-consent-confirm">
            <input id="withdraw-consent-confirm" type="checkbox" name="confirm" value="yes" {...fieldState(withdrawal.mistake, 'withdraw-consent-confirm', 'withdraw-consent-explain')} />
            {t.consentWithdrawConfirm}
          </label>
        </p>
        <FieldError mistake={withdrawal.mistake} id="withdraw-consent-confirm" />
        <button type="submit" class="danger">
          {t.consentWithdraw}
        </button>
      </form>
    </section>
  );
}

export interface PseudonymForm {
  value: string;
  mistake?: FieldMistake | undefined;
}

/** A pseudonym for her in this organisation's lists: never sent, erased with her data. */
function PseudonymSection(props: { t: Messages; csrf: string; referralId: string; form: PseudonymForm }) {
  const { t, form } = props;
  return (
    <section aria-labelledby="pseudonym-heading">
      <h2 id="pseudonym-heading">{t.refPseudonymHeading}</h2>
      <form method="post" action={`/ui/referrals/${props.referralId}/pseudonym`} class="stack">
        <input type="hidden" name="_csrf" value={props.csrf} />
        <label for="pseudonym">{t.refPseudonymLabel}</label>
        <input id="pseudonym" name="pseudonym" type="text" value={form.value} maxlength={MAX_PSEUDONYM_LENGTH} autocomplete="off" {...fieldState(form.mistake, 'pseudonym', 'pseudonym-hint')} />
        <FieldError mistake={form.mistake} id="pseudonym" />
        <p id="pseudonym-hint" class="muted">{t.refPseudonymHint}</p>
        <button type="submit">{t.save}</button>
      </form>
    </section>
  );
}

function Fact(props: { term: string; children: Child }) {
  return (
    <>
      <dt>{props.term}</dt>
      <dd>{props.children}</dd>
    </>
  );
}

const list = (values: readonly string[] | undefined) => (values && values.length > 0 ? values.join(', ') : undefined);
const languages = (codes: readonly string[] | undefined, language: Language) => list(codes?.map((code) => languageName(code, language)));

/** Her data, grouped by the categories of the consent; only the fields present are shown. */
function ClientFacts(props: { t: Messages; client: ClientData; language: Language }) {
  const { t, client } = props;
  const groups: Array<[string, Array<[string, Child | undefined]>]> = [
    ['identity', [
      [t.refGivenName, client.identity?.given_name],
      [t.refFamilyName, client.identity?.family_name],
      [t.refDateOfBirth, client.identity?.date_of_birth ? formatDay(client.identity.date_of_birth, props.language) : undefined],
      [t.refNationality, client.identity?.nationality ? countryName(client.identity.nationality, props.language) : undefined],
    ]],
    ['contact', [
      [t.refPhone, client.contact?.phone],
      [t.refEmail, client.contact?.email],
      [t.refPreferredLanguage, client.contact?.preferred_language ? languageName(client.contact.preferred_language, props.language) : undefined],
      [t.refSafeToContact, client.contact?.safe_to_contact],
    ]],
    ['situation', [
      [t.refSituation, client.situation?.summary],
      [t.refLanguagesSpoken, languages(client.situation?.languages_spoken, props.language)],
      [t.refHousehold, client.situation?.household_note],
    ]],
    ['legal-status', [
      [t.refLegalStatus, client.legal_status ? <Code t={t} prefix="ref.legal." code={client.legal_status.status} /> : undefined],
      [t.refLegalNote, client.legal_status?.note],
    ]],
    ['health', [[t.refHealth, client.health?.note]]],
    ['children', [
      [t.refChildrenCount, client.children ? String(client.children.count) : undefined],
      [t.refChildrenAges, list(client.children?.ages?.map(String))],
      [t.refChildrenNote, client.children?.note],
    ]],
    ['documents', [
      [t.refDocumentsHeld, list(client.documents?.held)],
      [t.refDocumentsMissing, list(client.documents?.missing)],
    ]],
  ];
  return (
    <>
      {groups
        .map(([category, facts]) => [category, facts.filter(([, value]) => value !== undefined)] as const)
        .filter(([, facts]) => facts.length > 0)
        .map(([category, facts]) => (
          <>
            <h3>
              <Code t={t} prefix="ref.category." code={category} />
            </h3>
            <dl class="facts">
              {facts.map(([term, value]) => (
                <Fact term={term}>{value}</Fact>
              ))}
            </dl>
          </>
        ))}
    </>
  );
}

function ConsentFacts(props: { t: Messages; consent: Consent; language: Language; peerNames: ReadonlyMap<string, string> }) {
  const { t, consent, language } = props;
  const onward = consent.onward_referral;
  return (
    <dl class="facts">
      <Fact term={t.refCategories}>
        {consent.categories.map((c, i) => (
          <>
            {i > 0 ? ', ' : ''}
            <Code t={t} prefix="ref.category." code={c} />
          </>
        ))}
      </Fact>
      <Fact term={t.refPurposes}>
        {consent.purposes.map((p, i) => (
          <>
            {i > 0 ? ', ' : ''}
            <Code t={t} prefix="ref.purpose." code={p} />
          </>
        ))}
      </Fact>
      <Fact term={t.refMethod}>
        <Code t={t} prefix="ref.method." code={consent.method} />
      </Fact>
      <Fact term={t.refConsentLanguage}>{consentLanguageName(consent.language, language)}</Fact>
      <Fact term={t.refObtainedAt}>
        <When iso={consent.obtained_at} language={language} />
      </Fact>
      <Fact term={t.refValidUntil}>
        <When iso={consent.valid_until} language={language} />
      </Fact>
      <Fact term={t.refOnwardPermission}>
        {!onward?.allowed
          ? t.refOnwardNotAllowed
          : onward.recipients
            ? format(t.refOnwardAllowedTo, { orgs: onward.recipients.map((id) => props.peerNames.get(id) ?? id).join(', ') })
            : t.refOnwardAllowed}
      </Fact>
    </dl>
  );
}

function About(props: {
  t: Messages;
  referral: ReferralDetail;
  needs: readonly string[];
  language: Language;
  serviceName?: string | undefined;
  peerNames: ReadonlyMap<string, string>;
}) {
  const { t, referral, language, needs } = props;
  const content = referral.content;
  const replyBy = content?.reply_by ?? referral.inquiry?.reply_by;
  return (
    <section aria-labelledby="about">
      <h2 id="about">{t.refAboutHeading}</h2>
      <dl class="facts">
        <Fact term={t.refCaseReference}>
          <strong>{referral.case_reference}</strong>
        </Fact>
        {referral.partner_case_reference ? <Fact term={t.refPartnerReference}>{referral.partner_case_reference}</Fact> : null}
        {referral.partner_caseworker ? (
          <Fact term={format(t.refPartnerCaseworker, { org: referral.peer.name })}>
            {caseworkerText(referral.partner_caseworker)}{' '}
            <span class="muted">{format(t.refPartnerSince, { date: formatDay(referral.partner_caseworker.since, language) })}</span>
          </Fact>
        ) : null}
        <Fact term={t.state}>
          <span class="badge">{stateLabel(t, referral.state)}</span>
        </Fact>
        {referral.attention ? (
          <Fact term={t.refOwed}>
            <Owed t={t} attention={referral.attention} />
          </Fact>
        ) : null}
        <Fact term={t.refNeeds}>{needsText(needs, language)}</Fact>
        {props.serviceName ? <Fact term={t.refService}>{props.serviceName}</Fact> : null}
        <Fact term={t.refUrgency}>
          <Code t={t} prefix="ref.urgency." code={referral.urgency} />
        </Fact>
        {replyBy ? (
          <Fact term={t.refReplyBy}>
            <When iso={replyBy} language={language} />
          </Fact>
        ) : null}
        <Fact term={t.refCreated}>
          <When iso={referral.created_at} language={language} />
        </Fact>
        {content?.onward_of ? <Fact term={t.refOnwardOf}>{props.peerNames.get(content.onward_of.from) ?? content.onward_of.from}</Fact> : null}
        {content ? <Fact term={t.refReason}>{content.reason}</Fact> : null}
      </dl>
    </section>
  );
}

function Inquiry(props: { t: Messages; inquiry: NonNullable<ReferralDetail['inquiry']>; language: Language }) {
  const { t, inquiry, language } = props;
  const { profile, answer } = inquiry;
  return (
    <section aria-labelledby="inquiry">
      <h2 id="inquiry">{t.refInquiryHeading}</h2>
      <dl class="facts">
        {profile.age_group ? (
          <Fact term={t.refAgeGroup}>
            <Code t={t} prefix="ref.age." code={profile.age_group} />
          </Fact>
        ) : null}
        {profile.legal_status ? (
          <Fact term={t.refLegalStatus}>
            <Code t={t} prefix="ref.legal." code={profile.legal_status} />
          </Fact>
        ) : null}
        {profile.languages?.length ? <Fact term={t.refLanguagesSpoken}>{languages(profile.languages, language)}</Fact> : null}
        {profile.children !== undefined ? <Fact term={t.refChildrenCount}>{String(profile.children)}</Fact> : null}
        {profile.region ? <Fact term={t.refRegion}>{profile.region}</Fact> : null}
      </dl>
      {answer ? (
        <>
          <h3>{t.refInquiryAnswer}</h3>
          <dl class="facts">
            <Fact term={t.refCapacity}>
              <Code t={t} prefix="ref.capacity." code={answer.capacity} />
            </Fact>
            {answer.available_from ? <Fact term={t.refAvailableFrom}>{formatDay(answer.available_from, language)}</Fact> : null}
            {answer.reason ? (
              <Fact term={t.refDeclineReason}>
                <Code t={t} prefix="ref.decline." code={answer.reason} />
              </Fact>
            ) : null}
            {answer.note ? <Fact term={t.refNoteOptional}>{answer.note}</Fact> : null}
          </dl>
        </>
      ) : null}
    </section>
  );
}

function Information(props: { t: Messages; information: NonNullable<ReferralDetail['information']>; language: Language }) {
  const { t, language } = props;
  return (
    <section aria-labelledby="information">
      <h2 id="information">{t.refInformationHeading}</h2>
      <ol class="referral-information">
        {props.information.map((item) => (
          <li>
            <p>
              <strong>{item.action === 'referral.info-request' ? t.refQuestion : t.refAnswerGiven}</strong> · <When iso={item.at} language={language} />
            </p>
            {item.text ? <p class="referral-note">{item.text}</p> : null}
            {item.client ? <ClientFacts t={t} client={item.client} language={language} /> : null}
          </li>
        ))}
      </ol>
    </section>
  );
}

export function ReferralPage(props: ReferralPageProps) {
  const { page, referral } = props;
  const { t, language } = page;
  const csrf = page.session?.csrf ?? '';
  const title = `${referral.case_reference}: ${format(referral.direction === 'incoming' ? t.refTitleIncoming : t.refTitleOutgoing, { org: referral.peer.name })}`;
  const { content } = referral;
  return (
    <Layout page={page} title={title} nav="/ui/referrals">
      {/* Said here always (the action's form may not be shown any more); a field's mistake also beside it. */}
      <ErrorNote t={t} error={props.error} />
      <About t={t} referral={referral} needs={props.needs} language={language} serviceName={props.serviceName} peerNames={props.peerNames} />
      {props.limited ? (
        <p>
          {t.refLimited} <a href={`/ui/referrals/${referral.id}`}>{t.refOpenAgain}</a>
        </p>
      ) : null}
      {referral.erased_at ? (
        <p class="notice">
          {format(t.refErased, { date: formatDate(referral.erased_at, language) })}{' '}
          {referral.erasure_reason ? labelOf(t, 'ref.erasure.', referral.erasure_reason) : null}
        </p>
      ) : null}
      {content ? (
        <section aria-labelledby="client">
          <h2 id="client">{t.refClientHeading}</h2>
          <ClientFacts t={t} client={content.client} language={language} />
        </section>
      ) : referral.erased_at || props.limited ? null : (
        <p>{t.refNoContent}</p>
      )}
      {referral.inquiry ? <Inquiry t={t} inquiry={referral.inquiry} language={language} /> : null}
      {referral.information ? <Information t={t} information={referral.information} language={language} /> : null}
      {content ? (
        <section aria-labelledby="consent">
          <h2 id="consent">{t.refConsentHeading}</h2>
          <ConsentFacts t={t} consent={content.consent} language={language} peerNames={props.peerNames} />
        </section>
      ) : null}
      {referral.erased_at ? null : (
        <ResponsibleSection t={t} csrf={csrf} referralId={referral.id} you={page.session?.user.id ?? ''} responsibility={props.responsibility} />
      )}
      {props.pseudonym ? <PseudonymSection t={t} csrf={csrf} referralId={referral.id} form={props.pseudonym} /> : null}
      {props.withdrawal ? <WithdrawConsent t={t} csrf={csrf} referralId={referral.id} withdrawal={props.withdrawal} /> : null}
      <ActionForms
        t={t}
        csrf={csrf}
        referral={referral}
        actions={props.actions}
        onward={props.onward}
        failed={props.failed}
      />
      <Timeline t={t} referral={referral} language={language} you={page.session?.user.id ?? ''} peerNames={props.peerNames} userNames={props.userNames} />
      <Delivery t={t} referral={referral} language={language} csrf={csrf} />
      <p>
        <a href={`/ui/referrals?direction=${referral.direction}`}>{t.backTo}</a>
      </p>
    </Layout>
  );
}
