// The frame of every page: the language, a skip link, the header with who is signed in, the
// language switcher and sign-out (forms that work without JavaScript), the navigation the
// user's role may use, a notice left by the last action, and the one stylesheet.
import type { Child } from 'hono/jsx';
import type { Role } from '../../node/users/service.js';
import { format, LANGUAGE_NAMES, LANGUAGES, type Language, type Messages } from '../i18n/catalogue.js';
import type { Session } from '../session.js';

export interface PageContext {
  t: Messages;
  language: Language;
  session?: Session | undefined;
  /** A sentence from the catalogue saying what the last action did. */
  notice?: string | undefined;
  /** The signed-in user's unread notifications (administrators and caseworkers; the router counts them). */
  unreadNotifications?: number | undefined;
}

export const roleName = (t: Messages, role: Role): string => ({ admin: t.roleAdmin, caseworker: t.roleCaseworker, auditor: t.roleAuditor })[role];

/** The navigation, each entry for the roles whose pages it leads to (the pages check again). */
const NAVIGATION: ReadonlyArray<readonly [href: string, label: (t: Messages) => string, roles: readonly Role[]]> = [
  ['/ui/overview', (t) => t.navOverview, ['admin', 'caseworker', 'auditor']],
  ['/ui/notifications', (t) => t.navNotifications, ['admin', 'caseworker']],
  ['/ui/referrals', (t) => t.navReferrals, ['admin', 'caseworker']],
  ['/ui/referrals/new', (t) => t.navNewReferral, ['admin', 'caseworker']],
  ['/ui/consents', (t) => t.navConsents, ['admin', 'caseworker', 'auditor']],
  ['/ui/peers', (t) => t.navPeers, ['admin']],
  ['/ui/services', (t) => t.navServices, ['admin', 'caseworker']],
  ['/ui/audit', (t) => t.navAudit, ['admin', 'auditor']],
  ['/ui/users', (t) => t.navUsers, ['admin']],
  ['/ui/settings', (t) => t.navSettings, ['admin', 'caseworker', 'auditor']],
];

/** The count beside "Notifications": seen as a number, read out with the word "unread". */
function UnreadCount(props: { t: Messages; count: number | undefined }) {
  if (!props.count) return null;
  return (
    <>
      {' '}
      <span class="badge new">
        {props.count}
        <span class="visually-hidden"> {props.t.notificationsUnread}</span>
      </span>
    </>
  );
}

function Navigation(props: { t: Messages; role: Role; current: string | undefined; unread: number | undefined }) {
  return (
    <nav aria-label={props.t.navMain} class="main-nav">
      <ul>
        {NAVIGATION.filter(([, , roles]) => roles.includes(props.role)).map(([href, label]) => (
          <li>
            <a href={href} aria-current={props.current === href ? 'page' : undefined}>
              {label(props.t)}
              {href === '/ui/notifications' ? <UnreadCount t={props.t} count={props.unread} /> : null}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function Layout(props: { page: PageContext; title: string; children: Child; nav?: string }) {
  const { t, language, session, notice } = props.page;
  return (
    <html lang={language}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · ${t.appName}`}</title>
        <link rel="stylesheet" href="/ui/style.css" />
      </head>
      <body>
        <a class="skip" href="#main">{t.skipToContent}</a>
        <header>
          <p class="app">{t.appName}</p>
          {session ? (
            <div class="account">
              <span>{format(t.signedInAs, { name: session.user.username })}</span>
              <form method="post" action="/ui/language">
                <input type="hidden" name="_csrf" value={session.csrf} />
                <label for="language">{t.language}</label>
                <select id="language" name="language">
                  {LANGUAGES.map((code) => (
                    <option value={code} selected={code === language}>
                      {LANGUAGE_NAMES[code]}
                    </option>
                  ))}
                </select>
                <button type="submit">{t.change}</button>
              </form>
              <form method="post" action="/ui/logout">
                <input type="hidden" name="_csrf" value={session.csrf} />
                <button type="submit">{t.signOut}</button>
              </form>
            </div>
          ) : (
            <nav aria-label={t.language} class="languages">
              {LANGUAGES.map((code) => (
                <a href={`/ui/login?lang=${code}`} lang={code} aria-current={code === language ? 'true' : undefined}>
                  {LANGUAGE_NAMES[code]}
                </a>
              ))}
            </nav>
          )}
        </header>
        {session ? <Navigation t={t} role={session.user.role} current={props.nav} unread={props.page.unreadNotifications} /> : null}
        <main id="main">
          <h1>{props.title}</h1>
          {notice ? (
            <p class="notice" role="status">
              {notice}
            </p>
          ) : null}
          {props.children}
        </main>
      </body>
    </html>
  );
}
