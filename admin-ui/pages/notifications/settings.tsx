// The user's choice of notification e-mails (/ui/settings/notifications): her address at work and
// never, as things happen, or once a day. Said plainly what the e-mails hold, and when the node
// has no mail server, that it sends none.
import type { MailChoice } from '../../../node/notifications/preferences.js';
import { MAX_ADDRESS_LENGTH } from '../../../node/notifications/address.js';
import type { Messages } from '../../i18n/catalogue.js';
import { FieldError, fieldState, type FieldMistake } from '../field-error.js';
import { Layout, type PageContext } from '../layout.js';

export interface NotificationSettingsData {
  /** The address as kept, or as typed when the form was refused ('' for none). */
  email: string;
  mail: MailChoice;
  /** Whether the node has a mail server (REFERRAL_NODE_SMTP_URL). */
  mailServer: boolean;
  mistake?: FieldMistake | undefined;
}

const CHOICES = (t: Messages): ReadonlyArray<readonly [MailChoice, string]> => [
  ['off', t.notificationSettingsOff],
  ['immediate', t.notificationSettingsImmediate],
  ['daily', t.notificationSettingsDaily],
];

export function NotificationSettingsPage(props: { page: PageContext; data: NotificationSettingsData }) {
  const { t, session } = props.page;
  const { data } = props;
  const mistake = data.mistake;
  const choiceMistake = mistake?.field === 'notification-mail-off';
  return (
    <Layout page={props.page} title={t.notificationSettingsTitle} nav="/ui/settings">
      <p>{t.notificationSettingsIntro}</p>
      {data.mailServer ? null : <p class="muted">{t.notificationSettingsNoMail}</p>}
      <form method="post" action="/ui/settings/notifications" class="stack">
        <input type="hidden" name="_csrf" value={session?.csrf ?? ''} />
        <label for="notification-email">{t.notificationSettingsAddress}</label>
        <input
          id="notification-email" name="email" type="email" value={data.email} maxlength={MAX_ADDRESS_LENGTH} autocomplete="email" inputmode="email"
          {...fieldState(mistake, 'notification-email', 'notification-email-hint')}
        />
        <FieldError mistake={mistake} id="notification-email" />
        <p id="notification-email-hint" class="muted">{t.notificationSettingsAddressHint}</p>
        <fieldset class="choices" {...(choiceMistake ? { 'aria-describedby': 'notification-mail-off-error' } : {})}>
          <legend>{t.notificationSettingsMail}</legend>
          <FieldError mistake={mistake} id="notification-mail-off" />
          {CHOICES(t).map(([value, label]) => (
            <label>
              <input type="radio" name="mail" value={value} id={`notification-mail-${value}`} checked={data.mail === value} {...(choiceMistake ? { 'aria-invalid': 'true' } : {})} />
              {label}
            </label>
          ))}
        </fieldset>
        <button type="submit">{t.save}</button>
      </form>
      <p>
        <a href="/ui/notifications">{t.notificationsTitle}</a>
      </p>
    </Layout>
  );
}
