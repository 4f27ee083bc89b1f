// One user, for administrators: their facts, and a separate form for each change (role,
// disable or enable, a new password, removing the second factor). The last active administrator is told why the first two
// are not offered.
import { MAX_DISPLAY_NAME_LENGTH, shownName, type ApiTokenListing, type UserAccount } from '../../../node/users/service.js';
import { ErrorNote } from '../../router.js';
import { format, formatDate } from '../../i18n/catalogue.js';
import { Layout, roleName, type PageContext } from '../layout.js';
import { Csrf } from './parts.js';
import { languageName, RoleSelect, StateBadge } from './users.js';
import { FieldError, fieldState, type FieldMistake } from '../field-error.js';
import { TokensSection } from './tokens.js';

export function UserPage(props: {
  page: PageContext;
  user: UserAccount;
  lastAdmin: boolean;
  /** The user's API tokens. */
  tokens: ApiTokenListing[];
  now: Date;
  /** When the sign-in lock of failed attempts ends, if the account is locked now (ISO time). */
  lockedUntil?: string | undefined;
  /** Since when the user has a second factor in force (ISO time), if they have one. */
  secondFactorSince?: string | undefined;
  error?: { sentence: string } | undefined;
  /** What was wrong with the role chosen or the display name typed, said beside it. */
  mistake?: FieldMistake | undefined;
  /** The display name as typed, when it was refused. */
  typedName?: string | undefined;
}) {
  const { t, language, session } = props.page;
  const { user } = props;
  const base = `/ui/users/${user.id}`;
  const name = `${shownName(user)}${user.display_name ? ` (${user.username})` : ''}${user.id === session?.user.id ? ` ${t.userYou}` : ''}`;
  return (
    <Layout page={props.page} title={format(t.userTitle, { name })} nav="/ui/users">
      <ErrorNote t={t} error={props.error} />
      <dl class="facts">
        <dt>{t.settingsRole}</dt>
        <dd>{roleName(t, user.role)}</dd>
        <dt>{t.settingsLanguage}</dt>
        <dd>{languageName(user.language)}</dd>
        <dt>{t.usersState}</dt>
        <dd>
          <StateBadge t={t} user={user} />
        </dd>
        <dt>{t.userCreatedOn}</dt>
        <dd>{formatDate(user.created_at, language)}</dd>
        <dt>{t.usersLastSignIn}</dt>
        <dd>{user.last_signed_in_at ? formatDate(user.last_signed_in_at, language) : t.usersNotKnown}</dd>
      </dl>
      {props.lastAdmin ? <p class="notice">{format(t.userLastAdmin, { name: user.username })}</p> : null}
      {props.lockedUntil ? (
        <section aria-labelledby="lock">
          <h2 id="lock">{t.userLockTitle}</h2>
          <p>{format(t.userLockedUntil, { time: formatDate(props.lockedUntil, language) })}</p>
          <form method="post" action={`${base}/unlock`}>
            <Csrf page={props.page} />
            <button type="submit">{t.userUnlock}</button>
          </form>
        </section>
      ) : null}
      <section aria-labelledby="display-name">
        <h2 id="display-name">{t.settingsDisplayName}</h2>
        <form method="post" action={`${base}/name`} class="stack">
          <Csrf page={props.page} />
          <label for="user-display-name">{t.settingsDisplayName}</label>
          <input
            id="user-display-name" name="display_name" type="text" value={props.typedName ?? user.display_name ?? ''} maxlength={MAX_DISPLAY_NAME_LENGTH} autocomplete="off"
            {...fieldState(props.mistake, 'user-display-name', 'user-display-name-hint')}
          />
          <FieldError mistake={props.mistake} id="user-display-name" />
          <p id="user-display-name-hint" class="muted">{t.userDisplayNameHint}</p>
          <button type="submit">{t.save}</button>
        </form>
      </section>
      {props.lastAdmin ? null : (
        <section aria-labelledby="role">
          <h2 id="role">{t.userRoleTitle}</h2>
          <form method="post" action={`${base}/role`} class="stack">
            <Csrf page={props.page} />
            <RoleSelect t={t} id="user-role" label={t.userNewRole} selected={user.role} mistake={props.mistake} />
            <FieldError mistake={props.mistake} id="user-role" />
            <button type="submit">{t.userChangeRole}</button>
          </form>
        </section>
      )}
      {user.disabled_at || !props.lastAdmin ? (
        <section aria-labelledby="state">
          <h2 id="state">{t.userDisableTitle}</h2>
          <p>{t.userDisableHint}</p>
          <form method="post" action={`${base}/${user.disabled_at ? 'enable' : 'disable'}`}>
            <Csrf page={props.page} />
            <button type="submit" class={user.disabled_at ? undefined : 'danger'}>
              {user.disabled_at ? t.userEnable : t.userDisable}
            </button>
          </form>
        </section>
      ) : null}
      <TokensSection page={props.page} tokens={props.tokens} hint={t.tokensUserHint} revokeAt={`${base}/tokens`} now={props.now} />
      <section aria-labelledby="second-factor">
        <h2 id="second-factor">{t.userSecondFactorTitle}</h2>
        {props.secondFactorSince ? (
          <>
            <p>{format(t.userSecondFactorOn, { time: formatDate(props.secondFactorSince, language) })}</p>
            {user.id === session?.user.id ? (
              <p>{t.userSecondFactorOwn}</p>
            ) : (
              <>
                <p>{t.userSecondFactorRemoveHint}</p>
                <form method="post" action={`${base}/second-factor/remove`}>
                  <Csrf page={props.page} />
                  <button type="submit" class="danger">
                    {t.userSecondFactorRemove}
                  </button>
                </form>
              </>
            )}
          </>
        ) : (
          <p>{t.userSecondFactorNone}</p>
        )}
      </section>
      <section aria-labelledby="reset">
        <h2 id="reset">{t.userResetTitle}</h2>
        <p>{t.userResetHint}</p>
        <form method="post" action={`${base}/reset-password`}>
          <Csrf page={props.page} />
          <button type="submit" class="secondary">
            {t.userReset}
          </button>
        </form>
      </section>
      <p>
        <a href="/ui/users">{t.usersBackToList}</a>
      </p>
    </Layout>
  );
}
