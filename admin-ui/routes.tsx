// The web interface's routes, under /ui: sign-in and sign-out, the language switcher and the
// overview. Pages are rendered on the server; every form works without JavaScript and carries a
// CSRF token; every page checks the session (and the role) on the server.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono, type Context } from 'hono';
import type { NodeContext } from '../node/context.js';
import { referralSummaries } from '../node/referrals/service.js';
import { inboxPages } from '../node/referrals/inbox.js';
import { changedSinceRead } from '../node/referrals/reads.js';
import { whoOfReferrals } from '../node/referrals/pseudonym.js';
import { projectRoot } from '../node/schema/validators.js';
import { catalogues, format, isLanguage, type Language } from './i18n/catalogue.js';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import { servedOverHttps } from '../node/http/response-headers.js';
import { clientAddress } from '../node/http/client-address.js';
import { bodyLimitFor, MessagePage, parseForm, render, signInRefusal, UiRouter } from './router.js';
import { ROLES, setUserLanguage } from '../node/users/service.js';
import { referralPages } from './routes/referrals.js';
import { newReferralPages } from './routes/new-referral.js';
import { peerPages } from './routes/peers.js';
import { servicePages } from './routes/services.js';
import { auditPages } from './routes/audit.js';
import { consentPages } from './routes/consents.js';
import { accountPages } from './routes/accounts.js';
import { notificationPages } from './routes/notifications.js';
import { SECOND_FACTOR_PAGE, secondFactorPages, secondFactorRequired } from './routes/second-factor.js';
import { LoginPage, SignInCodePage } from './pages/login.js';
import { returnPath } from './return-to.js';
import { verifySecondFactor } from '../node/users/second-factor.js';
import { OverviewPage, type OverviewData } from './pages/overview.js';
import { deliveryProblems, pendingErasures } from './dashboard.js';
import { peerAlerts } from '../node/peers/alerts.js';
import { NotFoundPage } from './pages/not-found.js';
import {
  checkCredentials,
  currentPendingSignIn,
  currentSession,
  endPendingSignIn,
  endSession,
  sameToken,
  signInToken,
  signInTokenMatches,
  startPendingSignIn,
  startSession,
  type Session,
} from './session.js';

let stylesheetText: string | undefined;
/** The one stylesheet, read when it is first asked for. */
const stylesheet = (): string => (stylesheetText ??= readFileSync(join(projectRoot(), 'admin-ui', 'style.css'), 'utf8'));

/** The page a form was sent from (its path only, and only a page of the interface), else the overview. */
function backTo(referer: string | undefined): string {
  try {
    const { pathname } = new URL(referer ?? '');
    return pathname.startsWith('/ui/') && !pathname.startsWith('//') ? pathname : '/ui/overview';
  } catch {
    return '/ui/overview';
  }
}

const languageOf = (value: unknown, fallback: Language = 'en'): Language => (isLanguage(value) ? value : fallback);

/** The interface's pages, and the list of those the router checks the role of (for the role-matrix test). */
export function uiRoutes(ctx: NodeContext, onQueued: () => void): Hono & { pages: UiRouter } {
  const ui = new Hono() as Hono & { pages: UiRouter };
  // The node's public address is https: its cookies are Secure even when a proxy speaks http to it.
  const publicHttps = servedOverHttps(ctx.self.nodeId);
  const { db } = ctx.database;

  /** The session, or a redirect to the sign-in page. */
  const signedIn = async (c: Context): Promise<Session | Response> => (await currentSession(c, ctx)) ?? c.redirect('/ui/login', 303);
  /** A form's fields, and whether its CSRF token is the session's. */
  const form = async (c: Context, session: Session) => {
    const fields = await parseForm(c);
    return { fields, valid: sameToken(fields._csrf, session.csrf) };
  };
  // Refusals are pages, as every other of the interface's answers.
  const expired = (c: Context, session: Session) => {
    const { language } = session.user;
    const t = catalogues[language];
    return render(c, <MessagePage page={{ t, language, session }} title={t.forbiddenTitle}><p>{t.formExpired}</p></MessagePage>, 403);
  };

  // A body larger than its form can need is refused before it is read: an uploaded audit bundle
  // may be large, every other form (the sign-in form, before anyone is signed in, too) is small.
  const tooLarge = (limit: number) =>
    bodyLimit({
      maxSize: limit,
      onError: async (c) => {
        const session = await currentSession(c, ctx);
        const language = session?.user.language ?? 'en';
        const t = catalogues[language];
        return render(c, <MessagePage page={{ t, language, session }} title={t.failedTitle}><p>{format(t.bodyTooLarge, { megabytes: limit / 1024 / 1024 })}</p></MessagePage>, 413);
      },
    });
  ui.use('*', (c, next) => tooLarge(bodyLimitFor(c.req.path))(c, next));
  // Pages come from this node only: no script at all, styles from the one stylesheet, never in a
  // frame, and the address of a page is not sent to other sites. HSTS is the node's app's, which
  // sends it only when the node's address is https (node/http/response-headers.ts), as it sends
  // no-store to every page that does not say otherwise.
  ui.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: { defaultSrc: ["'none'"], styleSrc: ["'self'"], imgSrc: ["'self'"], formAction: ["'self'"], frameAncestors: ["'none'"], baseUri: ["'none'"] },
      referrerPolicy: 'same-origin',
      crossOriginEmbedderPolicy: false,
      strictTransportSecurity: false,
    }),
  );

  ui.get('/style.css', (c) => c.body(stylesheet(), 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=300' }));

  ui.get('/', async (c) => c.redirect((await currentSession(c, ctx)) ? '/ui/overview' : '/ui/login', 303));

  ui.get('/login', (c) => {
    const language = languageOf(c.req.query('lang'));
    return render(c, <LoginPage page={{ t: catalogues[language], language }} token={signInToken(c, publicHttps)} next={returnPath(c.req.query('next'))} />);
  });

  ui.post('/login', async (c) => {
    const fields = await parseForm(c);
    const language = languageOf(fields.lang);
    const t = catalogues[language];
    if (!signInTokenMatches(c, fields._csrf)) {
      return render(c, <LoginPage page={{ t, language }} token={signInToken(c, publicHttps)} error={t.formExpired} />, 403);
    }
    const username = typeof fields.username === 'string' ? fields.username.slice(0, 100) : '';
    const password = typeof fields.password === 'string' ? fields.password : '';
    const next = returnPath(fields.next);
    const outcome = await checkCredentials(ctx, { username, password, address: clientAddress(c, ctx) });
    if (!outcome.ok) {
      ctx.logger.info({ subsystem: 'ui', refused: outcome.why }, 'sign-in refused');
      const page = (error: string, status: 401 | 429) => render(c, <LoginPage page={{ t, language }} token={signInToken(c, publicHttps)} error={error} username={username} next={next} />, status);
      if (outcome.why === 'credentials') return page(t.signInFailed, 401);
      return page(signInRefusal(c, t, { why: outcome.why, retryAfterSeconds: outcome.retryAfterSeconds }), 429);
    }
    if (outcome.secondFactor) {
      // Half signed in: the password was right, the code is still to come. Nothing else is open yet.
      await startPendingSignIn(c, ctx, outcome.user, publicHttps);
      return c.redirect(next ? `/ui/login/code?next=${encodeURIComponent(next)}` : '/ui/login/code', 303);
    }
    await startSession(c, ctx, outcome.user, publicHttps);
    return c.redirect(secondFactorRequired(ctx, outcome.user.role) ? SECOND_FACTOR_PAGE : (next ?? '/ui/overview'), 303);
  });

  ui.get('/login/code', async (c) => {
    const pending = await currentPendingSignIn(c, ctx);
    if (!pending) return c.redirect('/ui/login', 303);
    const { language } = pending.user;
    return render(c, <SignInCodePage page={{ t: catalogues[language], language }} token={pending.csrf} next={returnPath(c.req.query('next'))} />);
  });

  ui.post('/login/code', async (c) => {
    const fields = await parseForm(c);
    const pending = await currentPendingSignIn(c, ctx);
    if (!pending) {
      const language = languageOf(fields.lang);
      const t = catalogues[language];
      return render(c, <LoginPage page={{ t, language }} token={signInToken(c, publicHttps)} error={t.signInCodeExpired} />, 401);
    }
    const { user } = pending;
    const { language } = user;
    const t = catalogues[language];
    const next = returnPath(fields.next);
    const page = (error: string, status: 401 | 403 | 429) => render(c, <SignInCodePage page={{ t, language }} token={pending.csrf} error={error} next={next} />, status);
    if (!sameToken(fields._csrf, pending.csrf)) return page(t.formExpired, 403);
    // The code's attempts go through the same throttle as the passwords': a wrong one is a failed sign-in.
    const guard = ctx.throttles.signIn;
    const address = clientAddress(c, ctx);
    const gate = await guard.gate(user.username, address);
    if (!gate.open) return page(signInRefusal(c, t, gate), 429);
    const code = typeof fields.code === 'string' ? fields.code.slice(0, 100) : '';
    const now = ctx.clock.now();
    const factor = await verifySecondFactor(ctx, user.id, code, now);
    if (!factor) {
      ctx.logger.info({ subsystem: 'ui', refused: 'second-factor' }, 'sign-in refused');
      await guard.failed(user.username, address, user.id, now);
      return page(t.signInCodeWrong, 401);
    }
    // Used once: a second request with the same pending sign-in finds it gone.
    if (!(await endPendingSignIn(c, ctx))) return render(c, <LoginPage page={{ t, language }} token={signInToken(c, publicHttps)} error={t.signInCodeExpired} />, 401);
    await guard.succeeded(user.username);
    await startSession(c, ctx, user, publicHttps);
    return c.redirect(next ?? '/ui/overview', 303);
  });

  ui.post('/logout', async (c) => {
    const session = await signedIn(c);
    if (session instanceof Response) return session;
    if (!(await form(c, session)).valid) return expired(c, session);
    await endSession(c, ctx, session.user);
    return c.redirect(`/ui/login?lang=${session.user.language}`, 303);
  });

  ui.post('/language', async (c) => {
    const session = await signedIn(c);
    if (session instanceof Response) return session;
    const { fields, valid } = await form(c, session);
    if (!valid) return expired(c, session);
    if (isLanguage(fields.language)) await setUserLanguage(db, session.user.id, fields.language);
    return c.redirect(backTo(c.req.header('referer')), 303);
  });

  const pages = new UiRouter(ui, ctx, onQueued);
  ui.pages = pages;
  pages.get('/overview', ROLES, async ({ c, session, page }) => {
    const { role } = session.user;
    // Auditors never see referrals, not even their list.
    const seesReferrals = role !== 'auditor';
    // What is owed and what is late, in the list's order (due day first), each from all the referrals.
    const [owed, late] = seesReferrals ? await inboxPages(ctx, [{ filters: { owed: true }, page: 0, pageSize: 50 }, { filters: { overdue: true }, page: 0, pageSize: 50 }], session.user.id) : [];
    const waiting = owed?.items;
    const overdue = late?.items;
    const changed = seesReferrals ? await referralSummaries(ctx, await changedSinceRead(db, session.user.id, 10)) : undefined;
    const data: OverviewData = {
      waiting,
      overdue,
      changed,
      who: await whoOfReferrals(ctx, [...new Set([...(waiting ?? []), ...(overdue ?? []), ...(changed ?? [])].map((r) => r.id))]),
      deliveryProblems: seesReferrals ? await deliveryProblems(ctx) : undefined,
      pendingErasures: await pendingErasures(ctx),
      openAlerts: role === 'admin' ? (await peerAlerts(db, { openOnly: true })).length : undefined,
    };
    return render(c, <OverviewPage page={page} data={data} />);
  });
  // The new-referral flow first: its /referrals/new must not be taken for a referral's id.
  newReferralPages(pages);
  referralPages(pages);
  peerPages(pages);
  servicePages(pages);
  auditPages(pages);
  consentPages(pages);
  notificationPages(pages);
  accountPages(pages);
  secondFactorPages(pages);

  // An address under /ui/ that is no page (registered last): a page that says so, not an API
  // problem document.
  ui.get('*', (c) => {
    const language = languageOf(c.req.query('lang'));
    return c.html(<NotFoundPage page={{ t: catalogues[language], language }} />, 404);
  });

  return ui;
}
