// Notification e-mails over SMTP (nodemailer), sent by a periodic job claimed by one process:
// each user who asked for them gets, in her language, one mail per run with what is new for her
// since her last (immediate), or one a day at DIGEST_HOUR_UTC (daily). A notification counts as
// mailed only once the mail server accepted the mail; until then it stays queued in the database
// and is tried again with a growing pause. The job runs apart from everything else, so a mail
// server that is down holds up no request, no delivery and no change of state. Logs say user ids,
// counts and SMTP error codes: never an address, never a server's reply (it may quote one).
import type { NodeContext } from '../context.js';
import { startPeriodic, type Periodic } from '../periodic.js';
import { accountFacts } from '../users/accounts.js';
import { NOTIFICATION_KINDS, type NotificationKind } from './kinds.js';
import { composeMail, isMailLanguage } from './mail-texts.js';
import { mailRecipients, recordMailFailure, recordMailRound, type MailRecipient } from './preferences.js';
import { recordMailed, unmailedFor } from './store.js';
import type { MailSettings } from './mail-settings.js';

export type { MailSettings } from './mail-settings.js';

/** One mail handed to the mail server: resolves once the server accepted it. */
export interface MailTransport {
  send(mail: { to: string; subject: string; text: string }): Promise<void>;
  close(): void;
}

/** Daily mails go at the first run after this hour (UTC): 7 to 9 in the morning across the network's countries. */
export const DIGEST_HOUR_UTC = 6;
/** Notifications one mail counts at most; the rest go in the next. */
const MAIL_BATCH = 1_000;
const MINUTE_MS = 60_000;
/** The pause after the first failure, doubling up to MAX_RETRY_MS. */
const FIRST_RETRY_MS = MINUTE_MS;
const MAX_RETRY_MS = 60 * MINUTE_MS;

/** The pause before trying a user's mail again after `failures` failures in a row. */
export const retryDelayMs = (failures: number): number => Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, failures - 1), MAX_RETRY_MS);

/** The SMTP transport of the settings, loading nodemailer on first use (a node without mail never loads it). */
export async function smtpTransport(settings: MailSettings, fromName: string): Promise<MailTransport> {
  const { createTransport } = await import('nodemailer');
  const transporter = createTransport(
    // A mail server that does not answer is given up on within a minute; the next run tries again.
    { url: settings.smtpUrl, connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 30_000, logger: false, debug: false },
    { from: { name: fromName, address: settings.from } },
  );
  return {
    async send(mail) {
      await transporter.sendMail({
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        // RFC 3834: no out-of-office answer to a machine's mail.
        headers: { 'Auto-Submitted': 'auto-generated' },
      });
    },
    close: () => transporter.close(),
  };
}

/** The notifications page, under the web interface's base address. */
export function notificationsLink(publicUrl: string): string {
  return new URL('ui/notifications', publicUrl.endsWith('/') ? publicUrl : `${publicUrl}/`).href;
}

/** The last daily slot at or before `now`. */
export function lastDigestSlot(now: Date): Date {
  const slot = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), DIGEST_HOUR_UTC));
  return slot.getTime() <= now.getTime() ? slot : new Date(slot.getTime() - 24 * 60 * MINUTE_MS);
}

/** Whether a user's mail may go in this run: at once for immediate, once past each day's slot for daily. */
const dueNow = (recipient: MailRecipient, now: Date): boolean =>
  recipient.mail === 'immediate' || (recipient.last_mail_at ?? recipient.mail_since) < lastDigestSlot(now).toISOString();

/** A failure of the mail server as a whole (down, unreachable, refusing us), after which the others' mails wait for the next run too. */
const serverWide = (code: string | undefined): boolean => code !== 'EENVELOPE' && code !== 'EMESSAGE';

const errorCode = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z_]{2,20}$/.test(code) ? code : undefined;
};
const responseCode = (error: unknown): number | undefined => {
  const code = (error as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === 'number' ? code : undefined;
};

export interface MailRound {
  sent: number;
  failed: number;
}

/** One run: a mail to each user whose mail is due and who has something new. */
export async function sendNotificationMails(ctx: NodeContext, transport: MailTransport, link: string, signal?: AbortSignal): Promise<MailRound> {
  const { db } = ctx.database;
  const log = ctx.logger.child({ subsystem: 'notifications' });
  const now = ctx.clock.now();
  const round: MailRound = { sent: 0, failed: 0 };
  const recipients = (await mailRecipients(db, now)).filter((r) => dueNow(r, now));
  const accounts = await accountFacts(db, recipients.map((r) => r.user_id));
  for (const recipient of recipients) {
    if (signal?.aborted) break;
    const account = accounts.get(recipient.user_id);
    // Auditors are told nothing; a disabled account gets nothing until it is enabled again.
    if (!account || account.disabled || account.role === 'auditor') continue;
    const pending = await unmailedFor(db, recipient.user_id, recipient.mail_since, MAIL_BATCH);
    if (pending.length === 0) {
      // The day's round is done for her: the next daily mail is after the next slot.
      if (recipient.mail === 'daily') await recordMailRound(db, recipient.user_id, now);
      continue;
    }
    const counts = new Map<NotificationKind, number>();
    for (const { kind } of pending) counts.set(kind, (counts.get(kind) ?? 0) + 1);
    const mail = composeMail(isMailLanguage(account.language) ? account.language : 'en', { nodeName: ctx.self.name, daily: recipient.mail === 'daily', counts, link }, NOTIFICATION_KINDS);
    try {
      await transport.send({ to: recipient.email, ...mail });
    } catch (error) {
      const failures = recipient.failures + 1;
      await recordMailFailure(db, recipient.user_id, failures, new Date(now.getTime() + retryDelayMs(failures)));
      ctx.metrics.notificationMail('failed');
      round.failed += 1;
      const code = errorCode(error);
      log.warn({ user: recipient.user_id, notifications: pending.length, failures, code, smtpStatus: responseCode(error) }, 'notification e-mail not accepted; it stays queued');
      if (serverWide(code)) break;
      continue;
    }
    await ctx.database.transaction(async (tx) => {
      await recordMailed(tx, recipient.user_id, pending.map((p) => p.id), now);
      await recordMailRound(tx, recipient.user_id, now);
    });
    ctx.metrics.notificationMail('sent');
    round.sent += 1;
    log.info({ user: recipient.user_id, notifications: pending.length }, 'notification e-mail sent');
  }
  return round;
}

/**
 * The mail job, when the node has a mail server: every `everyMs` (a minute), in one process of
 * those sharing the node's data. Without one, nothing: notifications are shown in the interface only.
 */
export function startNotificationMail(ctx: NodeContext, settings: MailSettings, everyMs = settings.everySeconds * 1000): Periodic {
  const link = notificationsLink(settings.publicUrl ?? ctx.self.nodeId);
  let transport: Promise<MailTransport> | undefined;
  const periodic = startPeriodic(ctx, 'notification mail', everyMs, async (signal) => sendNotificationMails(ctx, await (transport ??= smtpTransport(settings, ctx.self.name)), link, signal));
  return {
    async stop() {
      await periodic.stop();
      if (transport) (await transport).close();
    },
  };
}
