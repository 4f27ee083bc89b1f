// What the node's configuration says of notification e-mails (node/config/config.ts reads and
// checks it; the mailer uses it).

/** The mail server and what the mails say of the node (REFERRAL_NODE_SMTP_URL, _MAIL_FROM, _PUBLIC_URL). */
export interface MailSettings {
  /** smtp:// (STARTTLS when the server offers it) or smtps://; may hold a user and password: never logged. */
  smtpUrl: string;
  /** The address the mails come from. */
  from: string;
  /** The web interface's base address for the link; the node's id (its base URL) when absent. */
  publicUrl?: string | undefined;
  /** How often the mail job looks for what is to be sent (REFERRAL_NODE_MAIL_SECONDS; a minute by default): the delay of an immediate mail at most. */
  everySeconds: number;
}
