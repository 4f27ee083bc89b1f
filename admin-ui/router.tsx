// How every page of the web interface is registered: with the roles it is for. The router
// checks, on the server and before any handler runs, that there is a session (or sends to the
// sign-in page), that the user's role is one the page is for (or answers 403 with a page that
// says so), and, for every POST, that the form carries the session's CSRF token. On a node that
// requires a second factor of administrators, an administrator without one reaches only the pages
// that set it up. It keeps the list of what it registered, so that a test can try every page and
// action with every role.
import { signInFor } from './return-to.js';
import type { Child } from 'hono/jsx';
import type { Context, Hono } from 'hono';
import type { NodeContext } from '../node/context.js';
import type { Role } from '../node/users/service.js';
import type { AuditActor } from '../node/audit-log/events.js';
import { DomainError } from '../node/errors.js';
import { PeerError } from '../node/peers/service.js';
import { UserError } from '../node/users/service.js';
import { KeyError } from '../node/identity/rotation.js';
import { TrustListError } from '../node/peers/trust-list.js';
import { catalogues, format, type Language, type Messages } from './i18n/catalogue.js';
import { currentSession, leaveNotice, sameToken, takeNotice, type Session } from './session.js';
import { servedOverHttps } from '../node/http/response-headers.js';
import { Layout, roleName, type PageContext } from './pages/layout.js';
import { NotFoundPage } from './pages/not-found.js';
import { unreadCount } from '../node/notifications/store.js';

/** The pages an administrator without a second factor reaches while the node requires one (routes/second-factor.tsx). */
const SECOND_FACTOR_PATHS = '/settings/second-factor';

/** The largest request body a page accepts: an audit bundle to verify; every other form, FORM_BODY_LIMIT. */
export const UI_BODY_LIMIT = 64 * 1024 * 1024;
export const FORM_BODY_LIMIT = 1024 * 1024;
/** A scanned consent form (10 MiB at most) and the rest of its form. */
const CONSENT_FORM_BODY_LIMIT = 11 * 1024 * 1024;

/** How large a body the form at `path` may send: the two forms that upload a file take more. */
export function bodyLimitFor(path: string): number {
  if (path === '/ui/audit/verify-bundle') return UI_BODY_LIMIT;
  if (/^\/ui\/consents\/[0-9a-f-]{36}\/form$/i.test(path)) return CONSENT_FORM_BODY_LIMIT;
  return FORM_BODY_LIMIT;
}

/** A submitted form: each field's text values (a form that uploads a file reads it with parseForm). */
export class FormFields {
  constructor(private readonly values: ReadonlyMap<string, readonly string[]>) {}

  /** The field's text, trimmed; '' when absent. */
  text(name: string): string {
    return (this.values.get(name)?.[0] ?? '').trim();
  }

  /** The field's text, or undefined when absent or blank. */
  optional(name: string): string | undefined {
    return this.text(name) || undefined;
  }

  /** Every value of a repeated field (checkboxes, multiple selects), trimmed, blanks left out. */
  all(name: string): string[] {
    return (this.values.get(name) ?? []).map((v) => v.trim()).filter((v) => v !== '');
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  names(): string[] {
    return [...this.values.keys()];
  }
}

/** A request's form, or an empty one when the body is not a form that can be read (which the CSRF check then refuses). */
export async function parseForm(c: Context): Promise<Record<string, string | File | (string | File)[]>> {
  const type = c.req.header('content-type') ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded') && !type.startsWith('multipart/form-data')) return {};
  try {
    return await c.req.parseBody({ all: true });
  } catch {
    return {};
  }
}

async function readForm(c: Context): Promise<FormFields> {
  const values = new Map<string, string[]>();
  for (const [name, value] of Object.entries(await parseForm(c))) {
    const list = (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
    values.set(name.replace(/\[\]$/, ''), list);
  }
  return new FormFields(values);
}

/** What a handler is given: the request, the signed-in user's session, their texts and the form (on POST). */
export interface UiRequest {
  c: Context;
  session: Session;
  page: PageContext;
  t: Messages;
  language: Language;
  form: FormFields;
}

export type UiHandler = (r: UiRequest) => Response | Promise<Response>;

export interface UiRouteInfo {
  method: 'GET' | 'POST';
  path: string;
  roles: readonly Role[];
}

type Status = 200 | 400 | 401 | 403 | 404 | 409 | 413 | 422 | 429 | 500 | 502 | 503;

/** A page: HTML that is never cached (it shows what only this user may see). */
export function render(c: Context, body: Child, status: Status = 200): Response {
  return c.html(body as string, status, { 'cache-control': 'no-store' });
}

/** The page for a path that names nothing (an unknown id, or one not written as an id). */
export const notFound = (r: UiRequest): Response => render(r.c, <NotFoundPage page={r.page} />, 404);

/** Requests to a node whose public address is https (its cookies are Secure behind a proxy that speaks http to it). */
const overHttps = new WeakSet<Request>();

/** After a successful POST, to a page (Post/Redirect/Get), with a notice for it to show once. */
export function redirect(c: Context, path: string, notice?: string): Response {
  if (notice) leaveNotice(c, path, notice, overHttps.has(c.req.raw));
  return c.redirect(path, 303);
}

/** What went wrong, said to the person: a sentence in their language, and the node's own detail when it has one. */
export type Explained = { sentence: string; detail?: string };

/**
 * What a closed sign-in gate tells the person (how long to wait, or that the account is locked),
 * with `Retry-After` set: told at once rather than held, since a held answer holds a connection too.
 */
export function signInRefusal(c: Context, t: Messages, closed: { why: 'wait' | 'locked'; retryAfterSeconds: number }): string {
  c.header('retry-after', String(closed.retryAfterSeconds));
  return closed.why === 'wait' ? format(t.signInWait, { seconds: closed.retryAfterSeconds }) : format(t.signInLocked, { minutes: Math.ceil(closed.retryAfterSeconds / 60) });
}

/** A sentence for what went wrong, in the user's language, with the node's own detail when it has one. */
export function explain(t: Messages, error: unknown): Explained | undefined {
  if (error instanceof DomainError) {
    const sentences: Record<string, string> = {
      'invalid-request': t.problemInvalidRequest,
      'illegal-transition': t.problemIllegalTransition,
      'not-found': t.problemNotFound,
      'consent-violation': t.problemConsentViolation,
      'peer-not-trusted': t.problemPeerNotTrusted,
      'peer-state': t.problemPeerState,
    };
    return { sentence: sentences[error.problem] ?? t.problemOther, ...(error.detail ? { detail: error.detail } : {}) };
  }
  // The services' own errors (peers, users, keys, trust lists) say in English what was wrong;
  // their messages are written for the person acting and carry no personal data.
  if (error instanceof PeerError || error instanceof UserError || error instanceof KeyError || error instanceof TrustListError) {
    return { sentence: t.problemOther, detail: error.message };
  }
  return undefined;
}

/** explain(), for a catch block: what the node's services cannot explain is no refusal to show, and is thrown on. */
export function explainOrThrow(t: Messages, error: unknown): Explained {
  const explained = explain(t, error);
  if (!explained) throw error;
  return explained;
}

/** The signed-in user, as the audit log records who made a change. */
export const userActor = (r: UiRequest): AuditActor => ({ kind: 'user', id: r.session.user.id });

/** A box that says what went wrong (for a form shown again with its error). */
export function ErrorNote(props: { t: Messages; error: Explained | undefined }) {
  if (!props.error) return null;
  return (
    <div class="error-box" role="alert">
      <p class="error">{props.error.sentence}</p>
      {props.error.detail ? (
        <p>
          {props.t.nodeSaid} <span lang="en">{props.error.detail}</span>
        </p>
      ) : null}
    </div>
  );
}

/** A page that only says something (a refusal, a failure), with the way back to the overview. */
export function MessagePage(props: { page: PageContext; title: string; children: Child }) {
  return (
    <Layout page={props.page} title={props.title}>
      {props.children}
      <p>
        <a href="/ui/overview">{props.page.t.navOverview}</a>
      </p>
    </Layout>
  );
}

const statusOf = (error: unknown): Status => {
  if (error instanceof DomainError && [400, 403, 404, 409, 422].includes(error.status)) return error.status as Status;
  return 422;
};

export class UiRouter {
  readonly routes: UiRouteInfo[] = [];

  constructor(
    private readonly hono: Hono,
    readonly ctx: NodeContext,
    readonly onQueued: () => void,
  ) {}

  get(path: string, roles: readonly Role[], handler: UiHandler): void {
    this.add('GET', path, roles, handler);
  }

  post(path: string, roles: readonly Role[], handler: UiHandler): void {
    this.add('POST', path, roles, handler);
  }

  private add(method: 'GET' | 'POST', path: string, roles: readonly Role[], handler: UiHandler): void {
    this.routes.push({ method, path, roles });
    const { ctx } = this;
    const route = async (c: Context): Promise<Response> => {
      if (servedOverHttps(ctx.self.nodeId)) overHttps.add(c.req.raw);
      const session = await currentSession(c, ctx);
      // Signed out: the sign-in page, which comes back here afterwards (a page, not a form sent).
      if (!session) {
        const { pathname, search } = new URL(c.req.url);
        return c.redirect(method === 'GET' ? signInFor(pathname + search) : '/ui/login', 303);
      }
      const { language } = session.user;
      const t = catalogues[language];
      if (ctx.requireTotpForAdmins && session.user.role === 'admin' && !session.secondFactor && !path.startsWith(SECOND_FACTOR_PATHS)) {
        return c.redirect(`/ui${SECOND_FACTOR_PATHS}`, 303);
      }
      // A notice is the page's that a redirect sent here (a GET of the path it named).
      const page: PageContext = {
        t, language, session, notice: method === 'GET' ? noticeOf(c, t) : undefined,
        // The navigation's count: one indexed query, for those who are told (auditors are not).
        unreadNotifications: session.user.role === 'auditor' ? undefined : await unreadCount(ctx.database.db, session.user.id),
      };
      if (!roles.includes(session.user.role)) {
        return render(c, <MessagePage page={page} title={t.forbiddenTitle}><p>{format(t.forbidden, { role: roleName(t, session.user.role) })}</p></MessagePage>, 403);
      }
      const form = method === 'POST' ? await readForm(c) : new FormFields(new Map());
      if (method === 'POST' && !sameToken(form.text('_csrf'), session.csrf)) {
        return render(c, <MessagePage page={page} title={t.forbiddenTitle}><p>{t.formExpired}</p></MessagePage>, 403);
      }
      try {
        return await handler({ c, session, page, t, language, form });
      } catch (error) {
        return render(c, <MessagePage page={page} title={t.failedTitle}><ErrorNote t={t} error={explainOrThrow(t, error)} /></MessagePage>, statusOf(error));
      }
    };
    if (method === 'GET') this.hono.get(path, route);
    else this.hono.post(path, route);
  }
}

/** The notice a redirect left, when it is one of the catalogue's texts (never text from the request itself). */
function noticeOf(c: Context, t: Messages): string | undefined {
  const key = takeNotice(c);
  return key && Object.hasOwn(t, key) ? t[key as keyof Messages] : undefined;
}
