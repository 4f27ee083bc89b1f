// Each user's choice of notification e-mails: an address at work and off (the default),
// immediate or daily; and the state of her mails (the last one, failures in a row and when to try
// again). The only writer of `notification_preferences`. A change is in the audit log without the
// address: the address is hers to know and the mail server's, never a log's.
import type { Database, Db, Tx } from '../db/database.js';
import { appendAuditEvent } from '../audit-log/append.js';
import type { AuditActor } from '../audit-log/events.js';
import { addressProblem, type AddressProblem } from './address.js';

export const MAIL_CHOICES = ['off', 'immediate', 'daily'] as const;
export type MailChoice = (typeof MAIL_CHOICES)[number];

export const isMailChoice = (value: unknown): value is MailChoice => typeof value === 'string' && (MAIL_CHOICES as readonly string[]).includes(value);

export interface NotificationPreferences {
  /** Her address for notification e-mails; null: none given. */
  email: string | null;
  mail: MailChoice;
}

/** What a user has chosen; off and no address until she chooses. */
export async function preferencesOf(db: Db, userId: string): Promise<NotificationPreferences> {
  const row = await db.selectFrom('notification_preferences').select(['email', 'mail']).where('user_id', '=', userId).executeTakeFirst();
  return row ? { email: row.email, mail: row.mail } : { email: null, mail: 'off' };
}

/** Why a choice cannot be kept: the address is not one, or e-mail is asked for without one. */
export type PreferencesProblem = AddressProblem | 'address-needed';

export type PreferencesChange = { ok: true; changed: boolean } | { ok: false; problem: PreferencesProblem };

/**
 * Keeps the user's choice (`email` as typed; '' or undefined: none). E-mail on needs an address;
 * an address may be kept with e-mail off. Turning e-mail on starts it from now (nothing older is
 * mailed); a new address starts its failures afresh.
 */
export async function setPreferences(
  database: Database,
  userId: string,
  choice: { email?: string | undefined; mail: MailChoice },
  now: Date,
  actor: AuditActor,
): Promise<PreferencesChange> {
  const email = choice.email?.trim() || null;
  if (email !== null) {
    const problem = addressProblem(email);
    if (problem) return { ok: false, problem };
  }
  if (choice.mail !== 'off' && email === null) return { ok: false, problem: 'address-needed' };
  const at = now.toISOString();
  return database.transaction(async (tx) => {
    const current = await tx.selectFrom('notification_preferences').selectAll().where('user_id', '=', userId).executeTakeFirst();
    if (current && current.email === email && current.mail === choice.mail) return { ok: true, changed: false } as const;
    if (!current && email === null && choice.mail === 'off') return { ok: true, changed: false } as const;
    const turnedOn = choice.mail !== 'off' && (!current || current.mail === 'off');
    const newAddress = current?.email !== email;
    if (current) {
      await tx
        .updateTable('notification_preferences')
        .set({
          email,
          mail: choice.mail,
          changed_at: at,
          ...(turnedOn ? { mail_since: at, last_mail_at: null } : {}),
          ...(newAddress || turnedOn ? { failures: 0, retry_at: null } : {}),
        })
        .where('user_id', '=', userId)
        .execute();
    } else {
      await tx
        .insertInto('notification_preferences')
        .values({ user_id: userId, email, mail: choice.mail, mail_since: at, last_mail_at: null, failures: 0, retry_at: null, changed_at: at })
        .execute();
    }
    await appendAuditEvent(tx, now, actor, { type: 'user.notifications-changed', user_id: userId, mail: choice.mail, address_changed: newAddress });
    return { ok: true, changed: true } as const;
  });
}

/** A user who asked for e-mail, with an address, and whose next attempt is due. */
export interface MailRecipient {
  user_id: string;
  email: string;
  mail: Exclude<MailChoice, 'off'>;
  mail_since: string;
  last_mail_at: string | null;
  failures: number;
}

/** The users whose mails may go now: e-mail on, an address, no backoff pending. */
export async function mailRecipients(db: Db, now: Date): Promise<MailRecipient[]> {
  const rows = await db
    .selectFrom('notification_preferences')
    .select(['user_id', 'email', 'mail', 'mail_since', 'last_mail_at', 'failures'])
    .where('mail', '!=', 'off')
    .where('email', 'is not', null)
    .where((eb) => eb.or([eb('retry_at', 'is', null), eb('retry_at', '<=', now.toISOString())]))
    .orderBy('user_id')
    .execute();
  return rows.map((r) => ({ ...r, email: r.email!, mail: r.mail as MailRecipient['mail'] }));
}

/** Her mail was accepted by the mail server (or, for a daily one, the day's round found nothing): failures forgotten. */
export async function recordMailRound(db: Db | Tx, userId: string, at: Date): Promise<void> {
  await db.updateTable('notification_preferences').set({ last_mail_at: at.toISOString(), failures: 0, retry_at: null }).where('user_id', '=', userId).execute();
}

/** Her mail could not be sent: the failures in a row, and when to try again. */
export async function recordMailFailure(db: Db, userId: string, failures: number, retryAt: Date): Promise<void> {
  await db.updateTable('notification_preferences').set({ failures, retry_at: retryAt.toISOString() }).where('user_id', '=', userId).execute();
}
