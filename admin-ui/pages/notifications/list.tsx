// The user's notifications, newest first: what happened in a sentence of her language, which
// referral (its case reference and the partner organisation, as the lists show them), when, and
// whether she has read it. Each is a link that marks it read and leads to where it happened.
import { format, formatDate, type Messages } from '../../i18n/catalogue.js';
import type { NotificationKind } from '../../../node/notifications/kinds.js';
import { Layout, type PageContext } from '../layout.js';

export interface NotificationItem {
  id: string;
  kind: NotificationKind;
  created_at: string;
  read: boolean;
  /** The referral it is about, as the lists name it; undefined when it names none (or none held here). */
  referral?: { caseReference: string; organisation: string } | undefined;
  /** It is about a consent record (an erasure not yet confirmed). */
  consent: boolean;
}

export interface NotificationsData {
  items: NotificationItem[];
  total: number;
  unread: number;
  /** 0-based page, and how many pages there are. */
  page: number;
  pages: number;
}

export const kindSentence = (t: Messages, kind: NotificationKind): string => t[`notificationKind.${kind}`];

const pageHref = (page: number) => (page === 0 ? '/ui/notifications' : `/ui/notifications?page=${page + 1}`);

function About(props: { t: Messages; item: NotificationItem }) {
  const { t, item } = props;
  if (item.referral) return <>{format(t.notificationsCaseReference, { reference: item.referral.caseReference, organisation: item.referral.organisation })}</>;
  return item.consent ? <>{t.notificationsConsent}</> : null;
}

export function NotificationsPage(props: { page: PageContext; data: NotificationsData }) {
  const { t, language, session } = props.page;
  const { data } = props;
  return (
    <Layout page={props.page} title={t.notificationsTitle} nav="/ui/notifications">
      <p>{t.notificationsIntro}</p>
      <p>
        <a href="/ui/settings/notifications">{t.notificationsByEmail}</a>
      </p>
      {data.total === 0 ? (
        <p>{t.notificationsNone}</p>
      ) : (
        <>
          <p>{format(t.notificationsCounts, { count: data.total, unread: data.unread })}</p>
          {data.unread > 0 ? (
            <form method="post" action="/ui/notifications/read-all">
              <input type="hidden" name="_csrf" value={session?.csrf ?? ''} />
              <button type="submit">{t.notificationsMarkAllRead}</button>
            </form>
          ) : null}
          <table>
            <thead>
              <tr>
                <th scope="col">{t.notificationsWhat}</th>
                <th scope="col">{t.notificationsAbout}</th>
                <th scope="col">{t.notificationsWhen}</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((item) => (
                <tr>
                  <td>
                    {item.read ? null : (
                      <>
                        <span class="badge new">{t.notificationsNew}</span>{' '}
                      </>
                    )}
                    <a href={`/ui/notifications/${item.id}`}>{kindSentence(t, item.kind)}</a>
                  </td>
                  <td>
                    <About t={t} item={item} />
                  </td>
                  <td>
                    <time datetime={item.created_at}>{formatDate(item.created_at, language)}</time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {data.pages > 1 ? (
            <nav aria-label={t.notificationsPages} class="actions">
              {data.page > 0 ? <a href={pageHref(data.page - 1)}>{t.notificationsNewer}</a> : null}
              {data.page + 1 < data.pages ? <a href={pageHref(data.page + 1)}>{t.notificationsOlder}</a> : null}
            </nav>
          ) : null}
        </>
      )}
    </Layout>
  );
}
