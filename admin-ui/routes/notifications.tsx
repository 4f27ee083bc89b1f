// Notifications, for administrators and caseworkers (auditors are told nothing): the list, each
// one opened by its link (GET /ui/notifications/<id>: marks it read and leads to its referral or
// consent; idempotent, and only the user's own, and the session cookie is SameSite=Strict, so no
// other site can make a browser follow it signed in), "mark all as read", and the settings of
// notification e-mails under Settings.
import type { Role } from '../../node/users/service.js';
import {
  markAllNotificationsRead,
  markNotificationsRead,
  notificationFor,
  notificationsFor,
  unreadCount,
} from '../../node/notifications/store.js';
import { isMailChoice, preferencesOf, setPreferences, type MailChoice, type PreferencesProblem } from '../../node/notifications/preferences.js';
import { referralSummaries } from '../../node/referrals/service.js';
import type { Messages } from '../i18n/catalogue.js';
import { notFound, redirect, render, userActor, type UiRequest, type UiRouter } from '../router.js';
import { NotificationsPage, type NotificationItem } from '../pages/notifications/list.js';
import { NotificationSettingsPage } from '../pages/notifications/settings.js';
import type { FieldMistake } from '../pages/field-error.js';

/** Those who are told: the people who work on referrals. */
const TOLD: readonly Role[] = ['admin', 'caseworker'];
const PAGE_SIZE = 50;
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const NOTIFICATION_SETTINGS_PAGE = '/ui/settings/notifications';

/** Where a notification leads: its consent for an erasure not yet confirmed, else its referral. */
const targetOf = (n: { kind: string; referral_id: string | null; consent_id: string | null }): string => {
  if (n.kind === 'erasure-outstanding' && n.consent_id) return `/ui/consents/${n.consent_id}`;
  if (n.referral_id) return `/ui/referrals/${n.referral_id}`;
  return n.consent_id ? `/ui/consents/${n.consent_id}` : '/ui/notifications';
};

/** The page asked for (1-based in the address), as a 0-based number; the first for anything else. */
function pageAsked(value: string | undefined): number {
  const n = value && /^\d{1,6}$/.test(value) ? Number(value) : 1;
  return Math.max(n, 1) - 1;
}

const problemSentence = (t: Messages, problem: PreferencesProblem): FieldMistake => {
  if (problem === 'address-needed') return { field: 'notification-email', sentence: t.notificationSettingsAddressNeeded };
  return { field: 'notification-email', sentence: problem === 'too-long' ? t.notificationSettingsAddressTooLong : t.notificationSettingsAddressInvalid };
};

export function notificationPages(ui: UiRouter): void {
  const { ctx } = ui;
  const { db } = ctx.database;

  ui.get('/notifications', TOLD, async (r) => {
    const userId = r.session.user.id;
    const page = pageAsked(r.c.req.query('page'));
    const { items, total } = await notificationsFor(db, userId, { offset: page * PAGE_SIZE, limit: PAGE_SIZE });
    const referralIds = [...new Set(items.flatMap((n) => (n.referral_id ? [n.referral_id] : [])))];
    const referrals = new Map((await referralSummaries(ctx, referralIds)).map((s) => [s.id, s]));
    const shown: NotificationItem[] = items.map((n) => {
      const referral = n.referral_id ? referrals.get(n.referral_id) : undefined;
      return {
        id: n.id, kind: n.kind, created_at: n.created_at, read: n.read,
        referral: referral ? { caseReference: referral.case_reference, organisation: referral.peer.name } : undefined,
        consent: n.consent_id !== null,
      };
    });
    const unread = r.page.unreadNotifications ?? (await unreadCount(db, userId));
    const data = { items: shown, total, unread, page, pages: Math.ceil(total / PAGE_SIZE) };
    return render(r.c, <NotificationsPage page={r.page} data={data} />);
  });

  ui.get('/notifications/:id', TOLD, async (r) => {
    const id = r.c.req.param('id') ?? '';
    const notification = ID.test(id) ? await notificationFor(db, r.session.user.id, id) : undefined;
    if (!notification) return notFound(r);
    await markNotificationsRead(db, r.session.user.id, [notification.id], ctx.clock.now());
    return r.c.redirect(targetOf(notification), 303);
  });

  ui.post('/notifications/read-all', TOLD, async (r) => {
    await markAllNotificationsRead(db, r.session.user.id, ctx.clock.now());
    return redirect(r.c, '/ui/notifications', 'notificationsAllReadDone');
  });

  const settingsPage = async (r: UiRequest, shown?: { email: string; mail: MailChoice; mistake: FieldMistake }) => {
    const kept = await preferencesOf(db, r.session.user.id);
    const data = shown ?? { email: kept.email ?? '', mail: kept.mail, mistake: undefined };
    return render(r.c, <NotificationSettingsPage page={r.page} data={{ ...data, mailServer: ctx.mail !== undefined }} />, shown ? 422 : 200);
  };

  ui.get('/settings/notifications', TOLD, (r) => settingsPage(r));

  ui.post('/settings/notifications', TOLD, async (r) => {
    const email = r.form.text('email');
    const mail = r.form.text('mail');
    if (!isMailChoice(mail)) {
      return settingsPage(r, { email, mail: 'off', mistake: { field: 'notification-mail-off', sentence: r.t.notificationSettingsChoiceNeeded } });
    }
    const result = await setPreferences(ctx.database, r.session.user.id, { email, mail }, ctx.clock.now(), userActor(r));
    if (!result.ok) return settingsPage(r, { email, mail, mistake: problemSentence(r.t, result.problem) });
    return redirect(r.c, NOTIFICATION_SETTINGS_PAGE, 'notificationSettingsSaved');
  });
}
