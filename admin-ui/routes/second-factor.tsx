// The user's own second factor, under Settings: set it up, confirm it, new recovery codes, turn it
// off. Every role has one to set up; an administrator on a node that requires it reaches only
// these pages until it is in force (router.tsx).
import type { Context } from 'hono';
import type { Role } from '../../node/users/service.js';
import { ROLES } from '../../node/users/service.js';
import {
  confirmEnrolment,
  pendingEnrolment,
  renewRecoveryCodes,
  secondFactorStatus,
  startEnrolment,
  turnOffSecondFactor,
} from '../../node/users/second-factor.js';
import { clientAddress } from '../../node/http/client-address.js';
import { redirect, render, signInRefusal, type UiRequest, type UiRouter } from '../router.js';
import { RecoveryCodesPage, SecondFactorPage, type SecondFactorData } from '../pages/accounts/second-factor.js';

/** Where an administrator without a second factor is sent while the node requires one. */
export const SECOND_FACTOR_PAGE = '/ui/settings/second-factor';

/** Whether the node requires a second factor of a user of this role. */
export const secondFactorRequired = (ctx: { requireTotpForAdmins: boolean }, role: Role): boolean => ctx.requireTotpForAdmins && role === 'admin';

/** The QR code of an otpauth:// URI, as an SVG document (drawn here: the page has no script and loads no image). */
async function qrCodeSvg(uri: string): Promise<string> {
  // A CommonJS package: its exports are the default export (in the bundle, scripts/bundle.js, only there).
  const qrcode = (await import('qrcode')).default;
  return qrcode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}

/** A password as typed: FormFields trims, and spaces are part of a password. */
async function rawPassword(c: Context): Promise<string> {
  const body = await c.req.parseBody();
  return typeof body.password === 'string' ? body.password : '';
}

export function secondFactorPages(ui: UiRouter): void {
  const { ctx } = ui;

  const pageData = async (r: UiRequest, error?: SecondFactorData['error']): Promise<SecondFactorData> => {
    const user = r.session.user;
    const status = await secondFactorStatus(ctx.database.db, user.id);
    const pending = status.pending ? await pendingEnrolment(ctx, user, ctx.self.name) : undefined;
    return {
      status,
      required: secondFactorRequired(ctx, user.role),
      enrolment: pending ? { key: pending.key, qrSvg: await qrCodeSvg(pending.uri) } : undefined,
      error,
    };
  };
  const page = async (r: UiRequest, error?: SecondFactorData['error']) =>
    render(r.c, <SecondFactorPage page={r.page} data={await pageData(r, error)} />, error ? 422 : 200);

  ui.get('/settings/second-factor', ROLES, (r) => page(r));

  ui.post('/settings/second-factor/start', ROLES, async (r) => {
    await startEnrolment(ctx, r.session.user.id, ctx.clock.now());
    return redirect(r.c, SECOND_FACTOR_PAGE);
  });

  ui.post('/settings/second-factor/confirm', ROLES, async (r) => {
    const result = await confirmEnrolment(ctx, r.session.user.id, { password: await rawPassword(r.c), code: r.form.text('code') }, ctx.clock.now());
    if (result.ok) {
      ctx.logger.info({ subsystem: 'ui', user: r.session.user.id }, 'second factor turned on');
      return render(r.c, <RecoveryCodesPage page={r.page} title={r.t.sfEnabledTitle} codes={result.recoveryCodes} />);
    }
    if (result.why === 'no-enrolment') return redirect(r.c, SECOND_FACTOR_PAGE);
    return page(r, { sentence: result.why === 'wrong-password' ? r.t.sfPasswordWrong : r.t.sfCodeWrong, form: 'confirm' });
  });

  /**
   * The forms that ask for the password and a code go through the sign-in throttle, as the
   * sign-in page does: a wrong password or code counts as a failed sign-in, so whoever holds a
   * session cannot try passwords or codes without end. Undefined: go on; otherwise the page to send.
   */
  const throttled = async (r: UiRequest, form: 'renew' | 'off') => {
    const gate = await ctx.throttles.signIn.gate(r.session.user.username, clientAddress(r.c, ctx));
    return gate.open ? undefined : page(r, { sentence: signInRefusal(r.c, r.t, gate), form });
  };
  const failed = (r: UiRequest, now: Date) => ctx.throttles.signIn.failed(r.session.user.username, clientAddress(r.c, ctx), r.session.user.id, now);

  ui.post('/settings/second-factor/recovery-codes', ROLES, async (r) => {
    const refused = await throttled(r, 'renew');
    if (refused) return refused;
    const now = ctx.clock.now();
    const result = await renewRecoveryCodes(ctx, r.session.user.id, { password: await rawPassword(r.c), code: r.form.text('code') }, now);
    if (result === 'not-enrolled') return redirect(r.c, SECOND_FACTOR_PAGE);
    if (result === 'wrong-password' || result === 'wrong-code') {
      await failed(r, now);
      return page(r, { sentence: result === 'wrong-password' ? r.t.sfPasswordWrong : r.t.sfCodeWrong, form: 'renew' });
    }
    return render(r.c, <RecoveryCodesPage page={r.page} title={r.t.sfRenewedTitle} codes={result} />);
  });

  ui.post('/settings/second-factor/off', ROLES, async (r) => {
    const { user } = r.session;
    if (secondFactorRequired(ctx, user.role)) return page(r, { sentence: r.t.sfOffRequired, form: 'off' });
    const refused = await throttled(r, 'off');
    if (refused) return refused;
    const now = ctx.clock.now();
    const result = await turnOffSecondFactor(ctx, user.id, { password: await rawPassword(r.c), code: r.form.text('code') }, now);
    switch (result) {
      case 'removed':
        ctx.logger.info({ subsystem: 'ui', user: user.id }, 'second factor turned off');
        return redirect(r.c, SECOND_FACTOR_PAGE, 'sfOffDone');
      case 'not-enrolled':
        return redirect(r.c, SECOND_FACTOR_PAGE);
      case 'wrong-password':
      case 'wrong-code':
        await failed(r, now);
        return page(r, { sentence: result === 'wrong-password' ? r.t.sfPasswordWrong : r.t.sfCodeWrong, form: 'off' });
    }
  });
}
