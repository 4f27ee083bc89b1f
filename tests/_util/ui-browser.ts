// A browser of one for the web interface's tests, without a browser: it keeps the cookies a node
// sets and sends them back, submits forms (with repeated fields) and reads a page's CSRF token.
import type { Role } from '../../node/users/service.js';
import { createUser } from '../../node/users/service.js';
import type { TestNode } from './test-node.js';

export type FormInput = Record<string, string | readonly string[]>;

export interface UiBrowser {
  jar: Map<string, string>;
  /** The Cookie header this browser sends, for a request a test builds itself (a multipart upload, a Referer). */
  cookie(): string;
  /** One request, redirects not followed; a form is sent as application/x-www-form-urlencoded. */
  go(path: string, init?: { method?: string; form?: FormInput }): Promise<Response>;
  /** A page's HTML (status checked by the caller through `go` when it matters). */
  html(path: string): Promise<string>;
  /** Submits a form to `action` with the CSRF token of the page at `from` (default: the overview). */
  submit(action: string, fields: FormInput, from?: string): Promise<Response>;
}

/**
 * A browser of a test node (requests go straight to its app), or of a running node at `url`;
 * `headers` go with every request (e.g. the X-Forwarded-For of a proxy in front of the node).
 */
export function uiBrowser(node: TestNode | { url: string }, base = 'url' in node ? node.url : node.id, headers: Record<string, string> = {}): UiBrowser {
  const send = 'app' in node ? (r: Request) => node.app.fetch(r) : (r: Request) => fetch(r);
  const jar = new Map<string, string>();
  const b: UiBrowser = {
    jar,
    cookie: () => [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
    async go(path, init = {}) {
      const body = new URLSearchParams();
      for (const [name, value] of Object.entries(init.form ?? {})) {
        for (const one of typeof value === 'string' ? [value] : value) body.append(name, one);
      }
      const response = await send(
        new Request(`${base}${path}`, {
          method: init.method ?? (init.form ? 'POST' : 'GET'),
          headers: {
            ...headers,
            cookie: b.cookie(),
            ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
          },
          ...(init.form ? { body: body.toString() } : {}),
          redirect: 'manual',
        }),
      );
      for (const cookie of response.headers.getSetCookie()) {
        const [pair] = cookie.split(';');
        const [name, value] = pair!.split('=');
        if (value === '' || /Max-Age=0/i.test(cookie)) jar.delete(name!);
        else jar.set(name!, value!);
      }
      return response;
    },
    async html(path) {
      return (await b.go(path)).text();
    },
    async submit(action, fields, from = '/ui/overview') {
      const csrf = tokenIn(await b.html(from));
      return b.go(action, { form: { _csrf: csrf, ...fields } });
    },
  };
  return b;
}

/** The notice cookie a response set, as sent (URL-encoded), if it set one. */
export const noticeCookie = (response: Response): string | undefined =>
  response.headers.getSetCookie().map((cookie) => /^refnet_notice=([^;]+)/.exec(cookie)?.[1]).find((value) => value !== undefined);

/** The notice a response left for the page it redirects to (the catalogue key in its cookie), if any. */
export const noticeLeft = (response: Response): string | undefined => {
  const value = noticeCookie(response);
  return value === undefined ? undefined : decodeURIComponent(value).split(' ')[0];
};

export const tokenIn = (html: string): string => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

/** Signs in with the sign-in form (its own token first). */
export async function signIn(b: UiBrowser, username: string, password: string, lang = 'en'): Promise<Response> {
  const page = await b.html(`/ui/login?lang=${lang}`);
  return b.go('/ui/login', { form: { _csrf: tokenIn(page), lang, username, password } });
}

/** A user of `role` on `node`, and a browser signed in as that user. */
export async function signedInAs(node: TestNode, role: Role, now: Date, username = `${role}-${Math.random().toString(36).slice(2, 8)}`): Promise<UiBrowser> {
  const { password } = await createUser(node.ctx.database, { username, role }, now);
  const b = uiBrowser(node);
  const response = await signIn(b, username, password);
  if (response.status !== 303) throw new Error(`signing in as ${username} answered ${response.status}`);
  return b;
}

/** The text of a page without its tags, spaces collapsed: what a person reads. */
export const textOf = (html: string): string => html.replace(/<[^>]*>/g, ' ').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/\s+/g, ' ');
