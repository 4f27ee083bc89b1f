// The user's own second factor: setting it up (a QR code, drawn on the server as SVG, and the key
// to type in by hand, then a first code and the password), the recovery codes shown once, making
// new ones, and turning it off. No script: every step is a form.
import type { SecondFactorStatus } from '../../../node/users/second-factor.js';
import { ErrorNote } from '../../router.js';
import { format, formatDate } from '../../i18n/catalogue.js';
import { Layout, type PageContext } from '../layout.js';
import { Csrf } from './settings.js';

export interface SecondFactorData {
  status: SecondFactorStatus;
  /** The node requires a second factor of this user (an administrator, REFERRAL_NODE_REQUIRE_TOTP_FOR_ADMINS). */
  required: boolean;
  /** An enrolment waiting for its first code: the key in groups of four, and its QR code as an SVG document. */
  enrolment?: { key: string; qrSvg: string } | undefined;
  /** A refusal, and the form it belongs to. */
  error?: { sentence: string; form: 'confirm' | 'renew' | 'off' } | undefined;
}

function PasswordField(props: { id: string; label: string }) {
  return (
    <>
      <label for={props.id}>{props.label}</label>
      <input id={props.id} name="password" type="password" autocomplete="current-password" required />
    </>
  );
}

function CodeField(props: { id: string; label: string }) {
  return (
    <>
      <label for={props.id}>{props.label}</label>
      <input id={props.id} name="code" autocomplete="one-time-code" spellcheck={false} maxlength={40} required />
    </>
  );
}

function Enrolment(props: { page: PageContext; data: SecondFactorData; enrolment: { key: string; qrSvg: string } }) {
  const { t } = props.page;
  const error = props.data.error?.form === 'confirm' ? props.data.error : undefined;
  return (
    <section aria-labelledby="enrol">
      <h2 id="enrol">{t.sfStart}</h2>
      <p>{t.sfScan}</p>
      <div class="qr-code" role="img" aria-label={t.sfQrLabel} dangerouslySetInnerHTML={{ __html: props.enrolment.qrSvg }} />
      <p id="manual-key-hint">{t.sfKeyManual}</p>
      <p class="fingerprint" aria-describedby="manual-key-hint">
        {props.enrolment.key}
      </p>
      <p>{t.sfConfirmHint}</p>
      <ErrorNote t={t} error={error} />
      <form method="post" action="/ui/settings/second-factor/confirm" class="stack">
        <Csrf page={props.page} />
        <CodeField id="enrol-code" label={t.sfCode} />
        <PasswordField id="enrol-password" label={t.settingsPasswordCurrent} />
        <button type="submit">{t.sfConfirm}</button>
      </form>
      <form method="post" action="/ui/settings/second-factor/start">
        <Csrf page={props.page} />
        <button type="submit" class="secondary">
          {t.sfStartAgain}
        </button>
      </form>
    </section>
  );
}

function InForce(props: { page: PageContext; data: SecondFactorData; since: string }) {
  const { t, language } = props.page;
  const { data } = props;
  return (
    <>
      <p>{format(t.sfOnSince, { time: formatDate(props.since, language) })}</p>
      <p>{format(t.sfCodesLeft, { count: data.status.recoveryCodesLeft })}</p>
      <section aria-labelledby="renew">
        <h2 id="renew">{t.sfRecoveryTitle}</h2>
        <p>{t.sfRenewHint}</p>
        <ErrorNote t={t} error={data.error?.form === 'renew' ? data.error : undefined} />
        <form method="post" action="/ui/settings/second-factor/recovery-codes" class="stack">
          <Csrf page={props.page} />
          <PasswordField id="renew-password" label={t.settingsPasswordCurrent} />
          <CodeField id="renew-code" label={t.sfCodeOrRecovery} />
          <button type="submit">{t.sfRenew}</button>
        </form>
      </section>
      <section aria-labelledby="off">
        <h2 id="off">{t.sfOffTitle}</h2>
        {data.required ? (
          <p>{t.sfOffRequired}</p>
        ) : (
          <>
            <p>{t.sfOffHint}</p>
            <ErrorNote t={t} error={data.error?.form === 'off' ? data.error : undefined} />
            <form method="post" action="/ui/settings/second-factor/off" class="stack">
              <Csrf page={props.page} />
              <PasswordField id="off-password" label={t.settingsPasswordCurrent} />
              <CodeField id="off-code" label={t.sfCodeOrRecovery} />
              <button type="submit" class="danger">
                {t.sfOff}
              </button>
            </form>
          </>
        )}
      </section>
    </>
  );
}

export function SecondFactorPage(props: { page: PageContext; data: SecondFactorData }) {
  const { t } = props.page;
  const { data } = props;
  const since = data.status.since;
  return (
    <Layout page={props.page} title={t.sfTitle} nav="/ui/settings">
      {data.required && !since ? (
        <p class="notice" role="status">
          {t.sfRequired}
        </p>
      ) : null}
      <p>{t.sfIntro}</p>
      {since ? (
        <InForce page={props.page} data={data} since={since} />
      ) : data.enrolment ? (
        <Enrolment page={props.page} data={data} enrolment={data.enrolment} />
      ) : (
        <>
          <p>{t.sfNone}</p>
          <form method="post" action="/ui/settings/second-factor/start">
            <Csrf page={props.page} />
            <button type="submit">{t.sfStart}</button>
          </form>
        </>
      )}
      {data.required && !since ? null : (
        <p>
          <a href="/ui/settings">{t.sfBackToSettings}</a>
        </p>
      )}
    </Layout>
  );
}

/** The recovery codes, shown once: after the enrolment is confirmed, or new ones made. */
export function RecoveryCodesPage(props: { page: PageContext; title: string; codes: readonly string[] }) {
  const { t } = props.page;
  return (
    <Layout page={props.page} title={props.title} nav="/ui/settings">
      <p class="notice" role="status">
        {t.sfRecoveryOnce}
      </p>
      <ol class="recovery-codes fingerprint">
        {props.codes.map((code) => (
          <li>{code}</li>
        ))}
      </ol>
      <p>{t.sfRecoveryAdvice}</p>
      <p>
        <a href="/ui/settings/second-factor">{t.sfTitle}</a> · <a href="/ui/overview">{t.navOverview}</a>
      </p>
    </Layout>
  );
}
