// Settings, the user's own password, and user management for administrators. Roles as the node
// has them: every user has settings; only administrators see the node's facts and manage users.
import { readableFingerprint } from '../../node/identity/keys.js';
import {
  changeOwnPassword,
  changeRole,
  createUser,
  displayNameOf,
  findUser,
  listApiTokens,
  listUsers,
  MAX_DISPLAY_NAME_LENGTH,
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  resetPassword,
  revokeApiToken,
  ROLES,
  setDisplayName,
  setWorkContact,
  workContactOf,
  MAX_WORK_CONTACT_LENGTH,
  setUserDisabled,
  setUserLanguage,
  UserError,
  type AccountChange,
  type Role,
  type UserAccount,
} from '../../node/users/service.js';
import { format, isLanguage, type Messages } from '../i18n/catalogue.js';
import { explain, notFound, redirect, render, userActor, type UiRequest, type UiRouter } from '../router.js';
import { SettingsPage, type SettingsData } from '../pages/accounts/settings.js';
import { PasswordOncePage, UsersPage } from '../pages/accounts/users.js';
import { UserPage } from '../pages/accounts/user.js';
import { isUuid } from '../../node/http/request.js';
import { removeSecondFactor, secondFactorStatus } from '../../node/users/second-factor.js';

const ADMIN: readonly Role[] = ['admin'];
/** The user name rule of createUser, checked here first to say it in the user's language. */
const USERNAME = /^[a-z0-9][a-z0-9._-]{1,63}$/;

const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);

/** Why a display name typed in a form cannot be one, in the reader's language; undefined when it can ('' takes it away). */
function nameRefusal(t: Messages, given: string): string | undefined {
  if (given === '') return undefined;
  const checked = displayNameOf(given);
  if (checked.ok) return undefined;
  return checked.problem === 'too-long' ? format(t.displayNameTooLong, { max: MAX_DISPLAY_NAME_LENGTH }) : t.displayNameOneLine;
}

export function accountPages(ui: UiRouter): void {
  const { ctx } = ui;
  const { db } = ctx.database;

  const settingsData = async (r: UiRequest): Promise<SettingsData> => {
    const { self } = ctx;
    return {
      ...(await findUser(db, r.session.user.id).then((user) => ({ displayName: user?.display_name ?? '', workContact: user?.work_contact ?? '' }))),
      minLength: MIN_PASSWORD_LENGTH,
      tokens: await listApiTokens(db, r.session.user.username),
      now: ctx.clock.now(),
      secondFactorSince: (await secondFactorStatus(db, r.session.user.id)).since,
      node:
        r.session.user.role === 'admin'
          ? { id: self.nodeId, name: self.name, country: self.country, languages: self.languages, fingerprint: readableFingerprint(self.signingKey.kid) }
          : undefined,
    };
  };

  ui.get('/settings', ROLES, async (r) => render(r.c, <SettingsPage page={r.page} data={await settingsData(r)} />));

  ui.post('/settings/tokens/:token/revoke', ROLES, async (r) => {
    const tokenId = r.c.req.param('token') ?? '';
    const revoked = isUuid(tokenId) && (await revokeApiToken(ctx.database, tokenId, ctx.clock.now(), userActor(r), r.session.user.id));
    return revoked ? redirect(r.c, '/ui/settings', 'tokensRevokedNotice') : notFound(r);
  });

  ui.post('/settings/language', ROLES, async (r) => {
    const language = r.form.text('language');
    if (!isLanguage(language)) {
      return render(r.c, <SettingsPage page={r.page} data={{ ...(await settingsData(r)), languageError: { sentence: r.t.problemInvalidRequest } }} />, 422);
    }
    await setUserLanguage(db, r.session.user.id, language);
    return redirect(r.c, '/ui/settings', 'settingsLanguageSaved');
  });

  ui.post('/settings/name', ROLES, async (r) => {
    const given = r.form.text('display_name');
    const refused = nameRefusal(r.t, given);
    if (refused) {
      return render(r.c, <SettingsPage page={r.page} data={{ ...(await settingsData(r)), displayName: given, displayNameError: { sentence: refused } }} />, 422);
    }
    const change = await setDisplayName(ctx.database, r.session.user.id, given === '' ? null : given, ctx.clock.now(), userActor(r));
    return change === 'not-found' ? notFound(r) : redirect(r.c, '/ui/settings', 'settingsDisplayNameSaved');
  });

  ui.post('/settings/contact', ['admin', 'caseworker'], async (r) => {
    const given = r.form.text('work_contact');
    const checked = given === '' ? undefined : workContactOf(given);
    if (checked && !checked.ok) {
      const sentence = checked.problem === 'too-long' ? format(r.t.workContactTooLong, { max: MAX_WORK_CONTACT_LENGTH }) : r.t.workContactOneLine;
      return render(r.c, <SettingsPage page={r.page} data={{ ...(await settingsData(r)), workContact: given, workContactError: { sentence } }} />, 422);
    }
    const change = await setWorkContact(ctx.database, r.session.user.id, given === '' ? null : given, ctx.clock.now(), userActor(r));
    return change === 'not-found' ? notFound(r) : redirect(r.c, '/ui/settings', 'settingsWorkContactSaved');
  });

  ui.post('/settings/password', ROLES, async (r) => {
    const { t } = r;
    // Passwords as typed: FormFields trims, and spaces are part of a password (sign-in keeps them).
    const body = await r.c.req.parseBody();
    const raw = (name: string) => (typeof body[name] === 'string' ? body[name] : '');
    const current = raw('current_password');
    const next = raw('new_password');
    type Field = 'current-password' | 'new-password' | 'repeat-password';
    const refuse = async (sentence: string, field: Field = 'new-password') =>
      render(r.c, <SettingsPage page={r.page} data={{ ...(await settingsData(r)), passwordError: { field, sentence } }} />, 422);
    if (current === '') return refuse(format(t.fieldRequired, { field: t.settingsPasswordCurrent }), 'current-password');
    if (next === '') return refuse(format(t.fieldRequired, { field: t.settingsPasswordNew }));
    if (next !== raw('repeat_password')) return refuse(t.settingsPasswordMismatch, 'repeat-password');
    const result = await changeOwnPassword(ctx.database, r.session.user.id, { current, next }, ctx.clock.now(), r.session.csrf);
    switch (result) {
      case 'changed':
        ctx.logger.info({ subsystem: 'ui', user: r.session.user.id }, 'password changed');
        return redirect(r.c, '/ui/settings', 'settingsPasswordChanged');
      case 'wrong-password':
        return refuse(t.settingsPasswordWrong, 'current-password');
      case 'too-short':
        return refuse(format(t.settingsPasswordShort, { min: MIN_PASSWORD_LENGTH }));
      case 'too-long':
        return refuse(format(t.settingsPasswordLong, { max: MAX_PASSWORD_LENGTH }));
      case 'guessable':
        return refuse(t.settingsPasswordGuessable);
      case 'not-found':
        return notFound(r);
    }
  });

  ui.get('/users', ADMIN, async (r) => render(r.c, <UsersPage page={r.page} users={await listUsers(db)} />));

  ui.post('/users', ADMIN, async (r) => {
    const { t } = r;
    const entered = { username: r.form.text('username'), role: r.form.text('role'), displayName: r.form.text('display_name') };
    const refuse = async (sentence: string, detail?: string) =>
      render(r.c, <UsersPage page={r.page} users={await listUsers(db)} form={entered} error={{ sentence, ...(detail ? { detail } : {}) }} />, 422);
    const wrong = async (field: 'new-username' | 'new-role' | 'new-display-name', sentence: string) =>
      render(r.c, <UsersPage page={r.page} users={await listUsers(db)} form={entered} mistake={{ field, sentence }} />, 422);
    if (entered.username === '') return wrong('new-username', format(t.fieldRequired, { field: t.settingsUsername }));
    if (!USERNAME.test(entered.username)) return wrong('new-username', t.usersNameInvalid);
    const nameRefused = nameRefusal(t, entered.displayName);
    if (nameRefused) return wrong('new-display-name', nameRefused);
    if (!isRole(entered.role)) return wrong('new-role', t.usersRoleMissing);
    if ((await listUsers(db)).some((u) => u.username === entered.username)) return wrong('new-username', format(t.usersNameTaken, { name: entered.username }));
    try {
      const { user, password } = await createUser(
        ctx.database,
        { username: entered.username, role: entered.role, ...(entered.displayName ? { displayName: entered.displayName } : {}) },
        ctx.clock.now(),
        userActor(r),
      );
      return render(
        r.c,
        <PasswordOncePage page={r.page} title={t.usersAddTitle} sentence={`${format(t.usersCreated, { name: user.username })} ${t.usersPasswordOnce}`} password={password} userId={user.id} />,
      );
    } catch (error) {
      if (error instanceof UserError) return refuse(explain(t, error)!.sentence, error.message);
      throw error;
    }
  });

  /** The user of the path, or undefined (a path that is no UUID, or no such user). */
  const userOf = async (r: UiRequest): Promise<UserAccount | undefined> => {
    const id = r.c.req.param('id') ?? '';
    return isUuid(id) ? findUser(db, id) : undefined;
  };
  const isLastActiveAdmin = async (user: UserAccount) =>
    user.role === 'admin' && !user.disabled_at && (await listUsers(db)).filter((u) => u.role === 'admin' && !u.disabled_at).length === 1;
  const userPage = async (r: UiRequest, user: UserAccount, error?: string) =>
    render(
      r.c,
      <UserPage
        page={r.page}
        user={user}
        lastAdmin={await isLastActiveAdmin(user)}
        tokens={await listApiTokens(db, user.username)}
        now={ctx.clock.now()}
        lockedUntil={(await ctx.throttles.signIn.lockedUntil(user.username))?.toISOString()}
        secondFactorSince={(await secondFactorStatus(db, user.id)).since}
        error={error ? { sentence: error } : undefined}
      />,
      error ? 409 : 200,
    );

  /** After a change: to the user's page with the notice, or the page again with a sentence why nothing changed. */
  const afterChange = async (r: UiRequest, user: UserAccount, result: AccountChange, notice: keyof Messages) => {
    if (result === 'not-found') return notFound(r);
    if (result === 'last-admin') return userPage(r, user, format(r.t.userLastAdmin, { name: user.username }));
    if (result === 'unchanged' && notice === 'userRoleChanged') return redirect(r.c, `/ui/users/${user.id}`, 'userRoleUnchanged');
    // A user who disabled their own account has no session any more: the sign-in page follows.
    return redirect(r.c, `/ui/users/${user.id}`, notice);
  };

  ui.get('/users/:id', ADMIN, async (r) => {
    const user = await userOf(r);
    return user ? userPage(r, user) : notFound(r);
  });

  ui.post('/users/:id/role', ADMIN, async (r) => {
    const user = await userOf(r);
    if (!user) return notFound(r);
    const role = r.form.text('role');
    if (!isRole(role)) {
      return render(
        r.c,
        <UserPage page={r.page} user={user} lastAdmin={await isLastActiveAdmin(user)} tokens={await listApiTokens(db, user.username)} now={ctx.clock.now()} mistake={{ field: 'user-role', sentence: r.t.usersRoleMissing }} />,
        422,
      );
    }
    return afterChange(r, user, await changeRole(ctx.database, user.id, role, ctx.clock.now(), userActor(r)), 'userRoleChanged');
  });

  ui.post('/users/:id/name', ADMIN, async (r) => {
    const user = await userOf(r);
    if (!user) return notFound(r);
    const given = r.form.text('display_name');
    const refused = nameRefusal(r.t, given);
    if (refused) {
      return render(
        r.c,
        <UserPage page={r.page} user={user} lastAdmin={await isLastActiveAdmin(user)} tokens={await listApiTokens(db, user.username)} now={ctx.clock.now()} mistake={{ field: 'user-display-name', sentence: refused }} typedName={given} />,
        422,
      );
    }
    const change = await setDisplayName(ctx.database, user.id, given === '' ? null : given, ctx.clock.now(), userActor(r));
    return change === 'not-found' ? notFound(r) : redirect(r.c, `/ui/users/${user.id}`, 'userDisplayNameSaved');
  });

  ui.post('/users/:id/disable', ADMIN, async (r) => {
    const user = await userOf(r);
    if (!user) return notFound(r);
    return afterChange(r, user, await setUserDisabled(ctx.database, user.id, true, ctx.clock.now(), userActor(r)), 'userDisabledNotice');
  });

  ui.post('/users/:id/enable', ADMIN, async (r) => {
    const user = await userOf(r);
    if (!user) return notFound(r);
    return afterChange(r, user, await setUserDisabled(ctx.database, user.id, false, ctx.clock.now(), userActor(r)), 'userEnabledNotice');
  });

  ui.post('/users/:id/unlock', ADMIN, async (r) => {
    const user = await userOf(r);
    if (!user) return notFound(r);
    await ctx.throttles.signIn.unlock(user.username, user.id, ctx.clock.now(), userActor(r));
    return redirect(r.c, `/ui/users/${user.id}`, 'userUnlockedNotice');
  });

  ui.post('/users/:id/tokens/:token/revoke', ADMIN, async (r) => {
    const user = await userOf(r);
    const tokenId = r.c.req.param('token') ?? '';
    if (!user || !isUuid(tokenId) || !(await revokeApiToken(ctx.database, tokenId, ctx.clock.now(), userActor(r), user.id))) return notFound(r);
    return redirect(r.c, `/ui/users/${user.id}`, 'tokensRevokedNotice');
  });

  ui.post('/users/:id/second-factor/remove', ADMIN, async (r) => {
    const user = await userOf(r);
    if (!user) return notFound(r);
    // Her own is turned off on Settings, with her password and a code: an open session is not enough.
    if (user.id === r.session.user.id) return userPage(r, user, r.t.userSecondFactorOwn);
    // Nothing in force (already removed, by another administrator say): the page as it is now.
    if (!(await removeSecondFactor(ctx.database, user.id, ctx.clock.now(), userActor(r)))) return redirect(r.c, `/ui/users/${user.id}`);
    return redirect(r.c, `/ui/users/${user.id}`, 'userSecondFactorRemoved');
  });

  ui.post('/users/:id/reset-password', ADMIN, async (r) => {
    const user = await userOf(r);
    const reset = user ? await resetPassword(ctx.database, user.id, ctx.clock.now(), userActor(r)) : undefined;
    if (!user || !reset) return notFound(r);
    return render(
      r.c,
      <PasswordOncePage page={r.page} title={r.t.userResetTitle} sentence={format(r.t.userResetDone, { name: user.username })} password={reset.password} userId={user.id} />,
    );
  });
}
