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
import { format } from '../i18n/catalogue.js';
import { redirect, render, type UiRequest, type UiRouter } from '../router.js';
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

  ui.post('/settings/second-factor/recovery-codes', ROLES, async (r) => {
    const result = await renewRecoveryCodes(ctx, r.session.user.id, await rawPassword(r.c), ctx.clock.now());
    if (result === 'not-enrolled') return redirect(r.c, SECOND_FACTOR_PAGE);
    if (result === 'wrong-password') return page(r, { sentence: r.t.sfPasswordWrong, form: 'renew' });
    return render(r.c, <RecoveryCodesPage page={r.page} title={r.t.sfRenewedTitle} codes={result} />);
  });

  ui.post('/settings/second-factor/off', ROLES, async (r) => {
    const { user } = r.session;
    if (secondFactorRequired(ctx, user.role)) return page(r, { sentence: r.t.sfOffRequired, form: 'off' });
    // A wrong code here counts as a failed sign-in, as on the sign-in page: whoever holds a session
    // and the password cannot try codes without end.
    const guard = ctx.throttles.signIn;
    const address = clientAddress(r.c, ctx);
    const gate = await guard.gate(user.username, address);
    if (!gate.open) {
      r.c.header('retry-after', String(gate.retryAfterSeconds));
      const sentence = gate.why === 'wait' ? format(r.t.signInWait, { seconds: gate.retryAfterSeconds }) : format(r.t.signInLocked, { minutes: Math.ceil(gate.retryAfterSeconds / 60) });
      return page(r, { sentence, form: 'off' });
    }
    const now = ctx.clock.now();
    const result = await turnOffSecondFactor(ctx, user.id, { password: await rawPassword(r.c), code: r.form.text('code') }, now);
    switch (result) {
      case 'removed':
        ctx.logger.info({ subsystem: 'ui', user: user.id }, 'second factor turned off');
        return redirect(r.c, SECOND_FACTOR_PAGE, 'sfOffDone');
      case 'not-enrolled':
        return redirect(r.c, SECOND_FACTOR_PAGE);
      case 'wrong-password':
        return page(r, { sentence: r.t.sfPasswordWrong, form: 'off' });
      case 'wrong-code':
        await guard.failed(user.username, address, user.id, now);
        return page(r, { sentence: r.t.sfCodeWrong, form: 'off' });
    }
  });
}
