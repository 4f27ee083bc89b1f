// The sign-in page: user name and password, the form's own CSRF token, and in a failed attempt a
// sentence that does not say which of the two was wrong. For a user with a second factor, a second
// page asks for the code.
import { Layout, type PageContext } from './layout.js';

export function LoginPage(props: { page: PageContext; token: string; error?: string | undefined; username?: string | undefined; next?: string | undefined }) {
  const { t } = props.page;
  return (
    <Layout page={props.page} title={t.signInTitle}>
      {props.error ? (
        <p class="error" role="alert">
          {props.error}
        </p>
      ) : null}
      <form method="post" action="/ui/login" class="stack">
        <input type="hidden" name="_csrf" value={props.token} />
        <input type="hidden" name="lang" value={props.page.language} />
        {props.next ? <input type="hidden" name="next" value={props.next} /> : null}
        <label for="username">{t.username}</label>
        <input id="username" name="username" autocomplete="username" required value={props.username ?? ''} />
        <label for="password">{t.password}</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required />
        <button type="submit">{t.signIn}</button>
      </form>
    </Layout>
  );
}

/** The second step of a sign-in with a second factor: the code (or a recovery code), with the pending sign-in's token. */
export function SignInCodePage(props: { page: PageContext; token: string; error?: string | undefined; next?: string | undefined }) {
  const { t } = props.page;
  return (
    <Layout page={props.page} title={t.signInCodeTitle}>
      {props.error ? (
        <p class="error" role="alert">
          {props.error}
        </p>
      ) : null}
      <p id="code-hint">{t.signInCodeHint}</p>
      <form method="post" action="/ui/login/code" class="stack">
        <input type="hidden" name="_csrf" value={props.token} />
        {props.next ? <input type="hidden" name="next" value={props.next} /> : null}
        <label for="code">{t.sfCode}</label>
        <input id="code" name="code" autocomplete="one-time-code" spellcheck={false} maxlength={40} aria-describedby="code-hint" required autofocus />
        <button type="submit">{t.signIn}</button>
      </form>
      <p>
        <a href={`/ui/login?lang=${props.page.language}`}>{t.signInCodeCancel}</a>
      </p>
    </Layout>
  );
}
