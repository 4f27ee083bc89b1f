// Verification of an audit log, as `referral-node audit verify` does it: this node's own log, or
// the exported bundle of another organisation's node. The report says what was checked, each
// problem in a sentence, and the overall result in words.
import type { AuditVerification, VerificationStatus, VerificationWarning } from '../../../node/audit-log/verify.js';
import type { IntegrityCheck, IntegrityFinding } from '../../../node/audit-log/verify-integrity.js';
import type { ConsentFinding } from '../../../node/audit-log/consent-rules.js';
import type { ErasureEvidenceFinding } from '../../../node/audit-log/verify-erasures.js';
import { FieldError, fieldState, type FieldMistake } from '../field-error.js';
import { format, formatDate, formatNumber, type Messages } from '../../i18n/catalogue.js';
import { Layout, type PageContext } from '../layout.js';
import { AuditNav } from './subnav.js';

export interface VerifyForm {
  graceDays: string;
  fingerprint: string;
}

export const DEFAULT_FORM: VerifyForm = { graceDays: '', fingerprint: '' };

function GraceDays(props: { t: Messages; id: string; value: string; mistake: FieldMistake | undefined }) {
  return (
    <>
      <label for={props.id}>{props.t.auditGraceDays}</label>
      <input id={props.id} name="erasure_grace_days" type="number" min="0" max="9999" inputmode="numeric" value={props.value} placeholder="30" {...fieldState(props.mistake, props.id)} />
      <FieldError mistake={props.mistake} id={props.id} />
    </>
  );
}

export function VerifyFormsPage(props: {
  page: PageContext;
  own?: VerifyForm;
  bundle?: VerifyForm & { text: string };
  /** What was wrong, with which field: `own-grace`, `bundle-grace` or `bundle-text` (the bundle, pasted or chosen as a file). */
  mistake?: FieldMistake | undefined;
}) {
  const { mistake } = props;
  const { page } = props;
  const { t, session } = page;
  const csrf = session?.csrf ?? '';
  const own = props.own ?? DEFAULT_FORM;
  const bundle = props.bundle ?? { ...DEFAULT_FORM, text: '' };
  return (
    <Layout page={page} title={t.auditVerifyTitle} nav="/ui/audit">
      <AuditNav t={t} current="verify" />
      <p>{t.auditVerifyIntro}</p>
      <h2>{t.auditVerifyOwnHeading}</h2>
      <p>{t.auditVerifyOwnHelp}</p>
      <form method="post" action="/ui/audit/verify" class="stack">
        <input type="hidden" name="_csrf" value={csrf} />
        <GraceDays t={t} id="own-grace" value={own.graceDays} mistake={mistake} />
        <button type="submit">{t.auditVerifyOwnButton}</button>
      </form>
      <h2>{t.auditVerifyBundleHeading}</h2>
      <p>{t.auditVerifyBundleHelp}</p>
      <form method="post" action="/ui/audit/verify-bundle" enctype="multipart/form-data" class="stack">
        <input type="hidden" name="_csrf" value={csrf} />
        <label for="bundle-file">{t.auditBundleFile}</label>
        <input id="bundle-file" name="bundle" type="file" accept="application/json,.json" />
        <label for="bundle-text">{t.auditBundleText}</label>
        <textarea id="bundle-text" name="bundle_text" rows={4} spellcheck={false} {...fieldState(mistake, 'bundle-text')}>
          {bundle.text}
        </textarea>
        <FieldError mistake={mistake} id="bundle-text" />
        <label for="bundle-fingerprint">{t.auditExpectedFingerprint}</label>
        <input id="bundle-fingerprint" name="fingerprint" type="text" value={bundle.fingerprint} autocomplete="off" aria-describedby="bundle-fingerprint-help" />
        <p id="bundle-fingerprint-help" class="muted">
          {t.auditExpectedFingerprintHelp}
        </p>
        <GraceDays t={t} id="bundle-grace" value={bundle.graceDays} mistake={mistake} />
        <button type="submit">{t.auditVerifyBundleButton}</button>
      </form>
    </Layout>
  );
}

const RESULT_CLASS: Record<VerificationStatus, string> = { passed: 'good', 'not-yet-witnessed': 'warn', failed: 'bad' };
type WitnessingWarning = Exclude<VerificationWarning['check'], 'entries-after-checkpoint'>;

type Group = 'tree' | 'signatures' | 'cosignatures';
const GROUP_OF: Record<IntegrityCheck, Group> = {
  'bundle-format': 'tree',
  'entry-malformed': 'tree',
  'entry-index': 'tree',
  'checkpoint-malformed': 'tree',
  'checkpoint-origin': 'tree',
  'checkpoint-order': 'tree',
  'checkpoint-beyond-entries': 'tree',
  'checkpoint-root': 'tree',
  'node-identity': 'signatures',
  'historical-keys': 'signatures',
  'checkpoint-signature': 'signatures',
  'checkpoint-key-order': 'signatures',
  'witness-identity': 'cosignatures',
  'cosignature-invalid': 'cosignatures',
  'cosignature-unknown-witness': 'cosignatures',
};

function integritySentence(t: Messages, f: IntegrityFinding): string {
  const values = { entry: f.entry ?? '', checkpoint: f.checkpoint ?? '', witness: f.witness ?? '' };
  return format(t[`auditCheck.${f.check}`], values);
}

function consentSentence(t: Messages, f: ConsentFinding): string {
  return format(t[`auditRule.${f.rule}`], { entry: f.index, referral: f.referral_id ?? '', consent: f.consent_id ?? '', node: f.node_id ?? '' });
}

function erasureSentence(t: Messages, f: ErasureEvidenceFinding): string {
  return format(t[`auditCheck.${f.check}`], { entry: f.entry });
}

function Outcome(props: { t: Messages; ok: boolean; problems: number }) {
  const { t } = props;
  return props.ok ? <span class="badge good">{t.auditPassed}</span> : <span class="badge bad">{format(t.auditProblems, { count: props.problems })}</span>;
}

function Finding(props: { sentence: string; said: string; t: Messages }) {
  return (
    <li>
      <p>{props.sentence}</p>
      <p class="muted">
        {props.t.auditVerifierSaid} <span lang="en">{props.said}</span>
      </p>
    </li>
  );
}

export function VerificationReport(props: { page: PageContext; report: AuditVerification; own: boolean }) {
  const { page, report } = props;
  const { t, language } = page;
  const n = (value: number) => formatNumber(value, language);
  const { integrity, consent, erasures } = report;
  const inGroup = (group: Group) => integrity.findings.filter((f) => GROUP_OF[f.check] === group);
  const groups: ReadonlyArray<[Group, string, string]> = [
    ['tree', t.auditCheckedTree, format(t.auditCheckedTreeWhat, { entries: n(integrity.counts.entries), checkpoints: n(integrity.counts.checkpoints) })],
    ['signatures', t.auditCheckedSignatures, format(t.auditCheckedSignaturesWhat, { checkpoints: n(integrity.counts.checkpoints) })],
    [
      'cosignatures',
      t.auditCheckedCosignatures,
      format(t.auditCheckedCosignaturesWhat, { cosignatures: n(integrity.counts.cosignatures), latest: n(report.latest_cosignatures) }),
    ],
  ];
  const problems = integrity.findings.length + consent.findings.length + erasures.findings.length;
  const headline: Record<VerificationStatus, string> = { passed: t.auditResultVerified, 'not-yet-witnessed': t.auditResultNotYetWitnessed, failed: t.auditResultFailed };
  const help: Record<VerificationStatus, string> = {
    passed: t.auditResultVerifiedHelp,
    'not-yet-witnessed': t.auditResultNotYetWitnessedHelp,
    failed: format(t.auditResultFailedHelp, { count: n(problems) }),
  };
  const waiting = report.warnings.filter((w): w is VerificationWarning & { check: WitnessingWarning } => w.check !== 'entries-after-checkpoint');
  return (
    <Layout page={page} title={t.auditReportTitle} nav="/ui/audit">
      <AuditNav t={t} current="verify" />
      <h2>{t.auditResultHeading}</h2>
      <p class={`audit-result ${RESULT_CLASS[report.status]}`}>
        <strong>{headline[report.status]}</strong>
      </p>
      <p>{help[report.status]}</p>
      {waiting.length > 0 ? (
        <ul>
          {waiting.map((w) => (
            <li>{t[`auditWarning.${w.check}`]}</li>
          ))}
        </ul>
      ) : null}
      <dl class="facts">
        <dt>{props.own ? t.auditLogOfThisNode : t.auditLogOf}</dt>
        <dd class="audit-id">{report.node_id || t.none}</dd>
        <dt>{t.auditSigningKey}</dt>
        <dd class="fingerprint">{report.fingerprint ?? t.none}</dd>
        <dt>{t.auditCheckedAt}</dt>
        <dd>{formatDate(report.checked_at, language)}</dd>
      </dl>
      <p>{t.auditCompareFingerprint}</p>
      <h2>{t.auditWhatChecked}</h2>
      <table class="audit-report">
        <thead>
          <tr>
            <th scope="col">{t.auditColCheck}</th>
            <th scope="col">{t.auditColChecked}</th>
            <th scope="col">{t.auditColResult}</th>
          </tr>
        </thead>
        <tbody>
          {groups.map(([group, label, what]) => {
            const found = inGroup(group).length;
            return (
              <tr>
                <th scope="row">{label}</th>
                <td>{what}</td>
                <td>{group === 'cosignatures' && found === 0 && waiting.length > 0 ? <span class="badge warn">{t.auditNotYet}</span> : <Outcome t={t} ok={found === 0} problems={found} />}</td>
              </tr>
            );
          })}
          <tr>
            <th scope="row">{t.auditCheckedConsent}</th>
            <td>{format(t.auditCheckedConsentWhat, { disclosures: n(consent.disclosures), withdrawals: n(consent.withdrawals) })}</td>
            <td>
              <Outcome t={t} ok={consent.findings.length === 0} problems={consent.findings.length} />
            </td>
          </tr>
          <tr>
            <th scope="row">{t.auditCheckedErasures}</th>
            <td>{format(t.auditCheckedErasuresWhat, { confirmed: n(erasures.confirmed), verified: n(erasures.verified), unverified: n(erasures.unverified) })}</td>
            <td>
              <Outcome t={t} ok={erasures.findings.length === 0} problems={erasures.findings.length} />
            </td>
          </tr>
        </tbody>
      </table>
      {report.unsigned_entries > 0 ? <p>{format(t.auditUnsignedEntries, { count: n(report.unsigned_entries) })}</p> : null}
      <h2>{t.auditWitnessesHeading}</h2>
      {report.witnesses.length === 0 ? (
        <p>{t.auditNoWitnesses}</p>
      ) : (
        <ul>
          {report.witnesses.map((w) => (
            <li>
              <span class="audit-id">{w.node_id}</span> · {t.auditSigningKey}: <span class="fingerprint">{w.fingerprint ?? t.none}</span>
            </li>
          ))}
        </ul>
      )}
      <h2>{t.auditFindingsHeading}</h2>
      {problems === 0 ? (
        <p>{t.auditNoFindings}</p>
      ) : (
        <ul class="audit-findings">
          {integrity.findings.map((f) => (
            <Finding t={t} sentence={integritySentence(t, f)} said={f.message} />
          ))}
          {erasures.findings.map((f) => (
            <Finding t={t} sentence={erasureSentence(t, f)} said={f.message} />
          ))}
          {consent.findings.map((f) => (
            <Finding t={t} sentence={consentSentence(t, f)} said={f.detail} />
          ))}
        </ul>
      )}
      {consent.pending.length > 0 ? (
        <>
          <h2>{t.auditPendingHeading}</h2>
          <p>{t.auditPendingHelp}</p>
          <ul>
            {consent.pending.map((p) => (
              <li>{format(t.auditPendingErasure, { node: p.node_id, referral: p.referral_id, date: formatDate(p.requested_at, language) })}</li>
            ))}
          </ul>
        </>
      ) : null}
      <p class="actions">
        <a href="/ui/audit/verify">{t.auditVerifyAgain}</a>
        <a href="/ui/audit">{t.auditNavLog}</a>
      </p>
    </Layout>
  );
}
