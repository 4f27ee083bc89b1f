// The signed-in user's own account: name, role and language, a password change, the second factor
// (its own page), and for administrators what this node is (as GET /api/v1/node says it).
import { FieldError, fieldState, onField, type FieldMistake } from '../field-error.js';
import { countryName, languageNames } from '../../i18n/names.js';
import { format, formatDate, LANGUAGE_NAMES, LANGUAGES, type Language, type Messages } from '../../i18n/catalogue.js';
import { Layout, roleName, type PageContext } from '../layout.js';
import { MAX_DISPLAY_NAME_LENGTH, MAX_WORK_CONTACT_LENGTH, type ApiTokenListing } from '../../../node/users/service.js';
import { TokensSection } from './tokens.js';
import { Csrf } from './parts.js';

export interface NodeFacts {
  id: string;
  name: string;
  country: string;
  languages: string[];
  fingerprint: string;
}

export interface SettingsData {
  minLength: number;
  /** The user's own API tokens. */
  tokens: ApiTokenListing[];
  now: Date;
  /** Since when the user has a second factor in force (ISO time); undefined: none. */
  secondFactorSince?: string | undefined;
  /** For administrators. */
  node?: NodeFacts | undefined;
  /** What was wrong with the password change, and with which field (passwords are never shown again). */
  passwordError?: FieldMistake | undefined;
  languageError?: { sentence: string } | undefined;
  /** The user's display name as kept ('' for none), or as typed when it was refused. */
  displayName: string;
  displayNameError?: { sentence: string } | undefined;
  /** The user's work contact as kept ('' for none), or as typed when it was refused. */
  workContact: string;
  workContactError?: { sentence: string } | undefined;
}

export { Csrf } from './parts.js';

function PasswordForm(props: { page: PageContext; data: SettingsData }) {
  const { t } = props.page;
  const mistake = props.data.passwordError;
  return (
    <section aria-labelledby="password">
      <h2 id="password">{t.settingsPasswordTitle}</h2>
      <p id="password-hint">{format(t.settingsPasswordHint, { min: props.data.minLength })}</p>
      <form method="post" action="/ui/settings/password" class="stack">
        <Csrf page={props.page} />
        <label for="current-password">{t.settingsPasswordCurrent}</label>
        <input id="current-password" name="current_password" type="password" autocomplete="current-password" required {...fieldState(mistake, 'current-password')} />
        <FieldError mistake={mistake} id="current-password" nodeSaid={t.nodeSaid} />
        <label for="new-password">{t.settingsPasswordNew}</label>
        <input id="new-password" name="new_password" type="password" autocomplete="new-password" minlength={props.data.minLength} required {...fieldState(mistake, 'new-password', 'password-hint')} />
        <FieldError mistake={mistake} id="new-password" nodeSaid={t.nodeSaid} />
        <label for="repeat-password">{t.settingsPasswordRepeat}</label>
        <input id="repeat-password" name="repeat_password" type="password" autocomplete="new-password" minlength={props.data.minLength} required {...fieldState(mistake, 'repeat-password')} />
        <FieldError mistake={mistake} id="repeat-password" nodeSaid={t.nodeSaid} />
        <button type="submit">{t.settingsPasswordChange}</button>
      </form>
    </section>
  );
}

function NodeSection(props: { t: Messages; language: Language; node: NodeFacts }) {
  const { t, language, node } = props;
  return (
    <section aria-labelledby="node">
      <h2 id="node">{t.settingsNodeTitle}</h2>
      <dl class="facts">
        <dt>{t.settingsNodeName}</dt>
        <dd>{node.name}</dd>
        <dt>{t.settingsNodeId}</dt>
        <dd class="audit-id">{node.id}</dd>
        <dt>{t.settingsNodeCountry}</dt>
        <dd>{countryName(node.country, language)}</dd>
        <dt>{t.settingsNodeLanguages}</dt>
        <dd>{languageNames(node.languages, language)}</dd>
        <dt>{t.settingsNodeFingerprint}</dt>
        <dd class="fingerprint">{node.fingerprint}</dd>
      </dl>
      <p>{t.settingsNodeFingerprintHint}</p>
    </section>
  );
}

export function SettingsPage(props: { page: PageContext; data: SettingsData }) {
  const { t, language, session } = props.page;
  const languageMistake = onField('settings-language', props.data.languageError);
  const nameMistake = onField('settings-display-name', props.data.displayNameError);
  const contactMistake = onField('settings-work-contact', props.data.workContactError);
  const user = session!.user;
  return (
    <Layout page={props.page} title={t.settingsTitle} nav="/ui/settings">
      <section aria-labelledby="account">
        <h2 id="account">{t.settingsYourAccount}</h2>
        <dl class="facts">
          <dt>{t.settingsUsername}</dt>
          <dd>{user.username}</dd>
          <dt>{t.settingsRole}</dt>
          <dd>{roleName(t, user.role)}</dd>
        </dl>
        <form method="post" action="/ui/settings/name" class="stack">
          <Csrf page={props.page} />
          <label for="settings-display-name">{t.settingsDisplayName}</label>
          <input
            id="settings-display-name" name="display_name" type="text" value={props.data.displayName} maxlength={MAX_DISPLAY_NAME_LENGTH} autocomplete="name"
            {...fieldState(nameMistake, 'settings-display-name', 'settings-display-name-hint')}
          />
          <FieldError mistake={nameMistake} id="settings-display-name" />
          <p id="settings-display-name-hint" class="muted">{t.settingsDisplayNameHint}</p>
          <button type="submit">{t.save}</button>
        </form>
        {user.role === 'auditor' ? null : (
          <form method="post" action="/ui/settings/contact" class="stack">
            <Csrf page={props.page} />
            <label for="settings-work-contact">{t.settingsWorkContact}</label>
            <input
              id="settings-work-contact" name="work_contact" type="text" value={props.data.workContact} maxlength={MAX_WORK_CONTACT_LENGTH} autocomplete="off"
              {...fieldState(contactMistake, 'settings-work-contact', 'settings-work-contact-hint')}
            />
            <FieldError mistake={contactMistake} id="settings-work-contact" />
            <p id="settings-work-contact-hint" class="muted">{t.settingsWorkContactHint}</p>
            <button type="submit">{t.save}</button>
          </form>
        )}
        <form method="post" action="/ui/settings/language" class="stack">
          <Csrf page={props.page} />
          <label for="settings-language">{t.settingsLanguage}</label>
          <select id="settings-language" name="language" {...fieldState(languageMistake, 'settings-language')}>
            {LANGUAGES.map((code) => (
              <option value={code} lang={code} selected={code === language}>
                {LANGUAGE_NAMES[code]}
              </option>
            ))}
          </select>
          <FieldError mistake={languageMistake} id="settings-language" />
          <button type="submit">{t.save}</button>
        </form>
      </section>
      <PasswordForm page={props.page} data={props.data} />
      <TokensSection page={props.page} tokens={props.data.tokens} hint={t.tokensOwnHint} revokeAt="/ui/settings/tokens" now={props.data.now} />
      <section aria-labelledby="second-factor">
        <h2 id="second-factor">{t.sfTitle}</h2>
        <p>{props.data.secondFactorSince ? format(t.sfOnSince, { time: formatDate(props.data.secondFactorSince, language) }) : t.sfNone}</p>
        <p>
          <a href="/ui/settings/second-factor">{t.sfManage}</a>
        </p>
      </section>
      {user.role === 'auditor' ? null : (
        <section aria-labelledby="notification-settings">
          <h2 id="notification-settings">{t.notificationSettingsTitle}</h2>
          <p>
            <a href="/ui/settings/notifications">{t.notificationSettingsManage}</a>
          </p>
        </section>
      )}
      {props.data.node ? <NodeSection t={t} language={language} node={props.data.node} /> : null}
    </Layout>
  );
}
