// Where a sign-in leads: back to the page that was asked for while signed out (a link in a
// notification e-mail, a bookmark), not always to the overview. Only a page of this interface is
// followed: anything else in `next` (another site, `//host`, a sign-in page) leads to the overview,
// so that no link can use the sign-in to send someone elsewhere.

/** Longer than any page's path with its filters. */
const MAX_NEXT_LENGTH = 1000;
const PAGE = /^\/ui\/[A-Za-z0-9\-._~%/?=&+]*$/;

/** `next` if it is a page of this interface to go back to after signing in; undefined otherwise. */
export function returnPath(next: unknown): string | undefined {
  if (typeof next !== 'string' || next.length > MAX_NEXT_LENGTH || !PAGE.test(next)) return undefined;
  const path = next.split('?')[0]!;
  // No dot segment and no encoded dot, slash or backslash: a browser would resolve `/ui/%2e%2e/x` to `/x`.
  if (/(^|\/)\.\.?(\/|$)/.test(path) || /%(2e|2f|5c)/i.test(next)) return undefined;
  if (next.includes('//') || next.startsWith('/ui/login') || next.startsWith('/ui/logout')) return undefined;
  // What a browser makes of it must still be that page of this interface.
  if (new URL(next, 'http://node.invalid').pathname !== path) return undefined;
  return next;
}

/** The sign-in page, remembering `path` (a GET of a page while signed out) to go back to. */
export function signInFor(path: string): string {
  const next = returnPath(path);
  return next && next !== '/ui/overview' ? `/ui/login?next=${encodeURIComponent(next)}` : '/ui/login';
}
