// The frame of every page: the language, a skip link, the header with who is signed in, the
// language switcher and sign-out (forms that work without JavaScript), and the one stylesheet.
import type { Child } from 'hono/jsx';
import { format, LANGUAGE_NAMES, LANGUAGES, type Language, type Messages } from '../i18n/catalogue.js';
import type { Session } from '../session.js';

export interface PageContext {
  t: Messages;
  language: Language;
  session?: Session | undefined;
}

export function Layout(props: { page: PageContext; title: string; children: Child }) {
  const { t, language, session } = props.page;
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
        <main id="main">
          <h1>{props.title}</h1>
          {props.children}
        </main>
      </body>
    </html>
  );
}
