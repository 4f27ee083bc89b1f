// The notifications and, per user, which she has read and which were mailed to her: the only
// writer of `notifications`, `notification_reads` and `notification_mailings`. A notification is a
// code and ids, made in the transaction of what caused it; one row, whoever it is for: a user
// (the referral's responsible caseworker) or null, every active administrator and caseworker,
// each of whom marks it read for herself. An auditor is told nothing: the callers ask only for
// administrators and caseworkers.
import type { Database, Db, Tx } from '../db/database.js';
import { preparedStatement } from '../db/prepared.js';
import { uuidv7 } from '../util/uuidv7.js';
import type { NotificationKind } from './kinds.js';
import type { ExpressionBuilder } from 'kysely';
import type { Schema } from '../db/schema.js';

export interface NewNotification {
  kind: NotificationKind;
  referralId?: string | undefined;
  consentId?: string | undefined;
  /** The user it is for; null: every active administrator and caseworker. */
  userId: string | null;
  at: Date;
  /** Made by a periodic job: kind and ids, so that it is made once (a second is not added). */
  dedupeKey?: string | undefined;
}

export interface Notification {
  id: string;
  kind: NotificationKind;
  referral_id: string | null;
  consent_id: string | null;
  created_at: string;
  read: boolean;
}

const insertNotification = preparedStatement(
  (db, v: { id: string; kind: string; referralId: string | null; consentId: string | null; userId: string | null; at: string; dedupeKey: string | null }) =>
    db
      .insertInto('notifications')
      .values({ id: v.id, kind: v.kind, referral_id: v.referralId, consent_id: v.consentId, user_id: v.userId, created_at: v.at, dedupe_key: v.dedupeKey })
      .onConflict((oc) => oc.column('dedupe_key').doNothing()),
);

/** Adds a notification; one with the dedupe key of an earlier one is not added again. Returns whether it was added. */
export async function addNotification(db: Db | Tx, n: NewNotification): Promise<boolean> {
  const result = await insertNotification.execute(db, {
    id: uuidv7(n.at.getTime()),
    kind: n.kind,
    referralId: n.referralId ?? null,
    consentId: n.consentId ?? null,
    userId: n.userId,
    at: n.at.toISOString(),
    dedupeKey: n.dedupeKey ?? null,
  });
  return Number(result.numAffectedRows ?? 0) > 0;
}

type Notifications = ExpressionBuilder<Schema & { n: Schema['notifications'] }, 'n'>;

/** The notifications `userId` sees: hers, and those for everyone who works on referrals. */
const visibleTo = (userId: string) => (eb: Notifications) => eb.or([eb('n.user_id', '=', userId), eb('n.user_id', 'is', null)]);

/** Not read by `userId`. */
const unreadBy = (userId: string) => (eb: Notifications) =>
  eb.not(eb.exists(eb.selectFrom('notification_reads as r').select('r.notification_id').where('r.user_id', '=', userId).whereRef('r.notification_id', '=', 'n.id')));

/** How many notifications the user has not read (the navigation's count): one indexed query. */
export async function unreadCount(db: Db, userId: string): Promise<number> {
  const row = await db
    .selectFrom('notifications as n')
    .select((eb) => eb.fn.countAll<number | string | bigint>().as('count'))
    .where(visibleTo(userId))
    .where(unreadBy(userId))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** A page of the user's notifications, newest first, each with whether she has read it; and how many there are. */
export async function notificationsFor(db: Db, userId: string, page: { offset: number; limit: number }): Promise<{ items: Notification[]; total: number }> {
  const rows = await db
    .selectFrom('notifications as n')
    .leftJoin('notification_reads as r', (join) => join.onRef('r.notification_id', '=', 'n.id').on('r.user_id', '=', userId))
    .select(['n.id', 'n.kind', 'n.referral_id', 'n.consent_id', 'n.created_at', 'r.read_at'])
    .where(visibleTo(userId))
    .orderBy('n.id', 'desc')
    .offset(page.offset)
    .limit(page.limit)
    .execute();
  const total = await db
    .selectFrom('notifications as n')
    .select((eb) => eb.fn.countAll<number | string | bigint>().as('count'))
    .where(visibleTo(userId))
    .executeTakeFirstOrThrow();
  return {
    items: rows.map((r) => ({ id: r.id, kind: r.kind as NotificationKind, referral_id: r.referral_id, consent_id: r.consent_id, created_at: r.created_at, read: r.read_at !== null })),
    total: Number(total.count),
  };
}

/** The notification `id` if the user sees it (hers, or everyone's); another's is as unknown as one that does not exist. */
export async function notificationFor(db: Db, userId: string, id: string): Promise<Omit<Notification, 'read'> | undefined> {
  const row = await db
    .selectFrom('notifications as n')
    .select(['n.id', 'n.kind', 'n.referral_id', 'n.consent_id', 'n.created_at'])
    .where('n.id', '=', id)
    .where(visibleTo(userId))
    .executeTakeFirst();
  return row ? { ...row, kind: row.kind as NotificationKind } : undefined;
}

/** Marks the notifications `ids` read for the user (again: no change). */
export async function markNotificationsRead(db: Db | Tx, userId: string, ids: readonly string[], at: Date): Promise<void> {
  if (ids.length === 0) return;
  await db
    .insertInto('notification_reads')
    .values(ids.map((id) => ({ user_id: userId, notification_id: id, read_at: at.toISOString() })))
    .onConflict((oc) => oc.columns(['user_id', 'notification_id']).doNothing())
    .execute();
}

/**
 * Marks every notification the user sees read, or those about one referral made by the moment its
 * page began to be read (`madeBy`): one that came while the page was made stays unread.
 */
export async function markAllNotificationsRead(db: Db | Tx, userId: string, at: Date, about?: { referralId: string; madeBy: Date }): Promise<number> {
  let unread = db.selectFrom('notifications as n').select('n.id').where(visibleTo(userId)).where(unreadBy(userId));
  if (about !== undefined) unread = unread.where('n.referral_id', '=', about.referralId).where('n.created_at', '<=', about.madeBy.toISOString());
  const ids = (await unread.execute()).map((r) => r.id);
  // In slices, within every dialect's limit on a statement's values.
  for (let i = 0; i < ids.length; i += 500) await markNotificationsRead(db, userId, ids.slice(i, i + 500), at);
  return ids.length;
}

/** What is to be mailed to the user: what she sees, made since `since`, neither read nor mailed to her yet; oldest first. */
export async function unmailedFor(db: Db, userId: string, since: string, limit: number): Promise<Array<{ id: string; kind: NotificationKind }>> {
  const rows = await db
    .selectFrom('notifications as n')
    .select(['n.id', 'n.kind'])
    .where(visibleTo(userId))
    .where('n.created_at', '>=', since)
    .where(unreadBy(userId))
    .where((eb) =>
      eb.not(eb.exists(eb.selectFrom('notification_mailings as m').select('m.notification_id').where('m.user_id', '=', userId).whereRef('m.notification_id', '=', 'n.id'))),
    )
    .orderBy('n.id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, kind: r.kind as NotificationKind }));
}

/** The notifications `ids` were mailed to the user (her mail server accepted the mail). */
export async function recordMailed(db: Db | Tx, userId: string, ids: readonly string[], at: Date): Promise<void> {
  for (let i = 0; i < ids.length; i += 500) {
    await db
      .insertInto('notification_mailings')
      .values(ids.slice(i, i + 500).map((id) => ({ user_id: userId, notification_id: id, mailed_at: at.toISOString() })))
      .onConflict((oc) => oc.columns(['user_id', 'notification_id']).doNothing())
      .execute();
  }
}

/** Deletes notifications and the reads and mailings that go with them. */
async function deleteWithMarks(db: Db | Tx, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.deleteFrom('notification_reads').where('notification_id', 'in', ids).execute();
  await db.deleteFrom('notification_mailings').where('notification_id', 'in', ids).execute();
  await db.deleteFrom('notifications').where('id', 'in', ids).execute();
}

/** An erasure of the referral (withdrawal, retention): its notifications go with it. */
export async function deleteNotificationsOfReferral(tx: Tx, referralId: string): Promise<void> {
  const ids = (await tx.selectFrom('notifications').select('id').where('referral_id', '=', referralId).execute()).map((r) => r.id);
  await deleteWithMarks(tx, ids);
}

/** Deletes the notifications made before `before`, read or not, with their marks, a batch per transaction. Returns how many. */
export async function pruneNotifications(database: Database, before: Date): Promise<number> {
  let pruned = 0;
  for (;;) {
    const batch = await database.transaction(async (tx) => {
      const ids = (await tx.selectFrom('notifications').select('id').where('created_at', '<', before.toISOString()).orderBy('created_at').limit(500).execute()).map((r) => r.id);
      await deleteWithMarks(tx, ids);
      return ids.length;
    });
    pruned += batch;
    if (batch < 500) return pruned;
  }
}

/**
 * The referral was handed over (referrals/assignment.ts, in its transaction): what was told to the
 * one responsible before and is still unread by her goes to whoever is responsible now (`to`; null:
 * everyone who works on referrals), so that nothing waits unseen with someone who no longer has it.
 */
export async function readdressUnread(tx: Tx, referralId: string, to: string | null): Promise<void> {
  await tx
    .updateTable('notifications')
    .set({ user_id: to })
    .where('referral_id', '=', referralId)
    .where('user_id', 'is not', null)
    .$if(to !== null, (qb) => qb.where('user_id', '!=', to!))
    .where((eb) =>
      eb.not(
        eb.exists(
          eb.selectFrom('notification_reads').select('notification_reads.notification_id')
            .whereRef('notification_reads.notification_id', '=', 'notifications.id')
            .whereRef('notification_reads.user_id', '=', 'notifications.user_id'),
        ),
      ),
    )
    .execute();
}
