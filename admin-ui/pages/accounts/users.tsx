// User management for administrators: the users with their role, language and state, a form to
// add one, and the page that shows a new password once.
import type { Role, UserAccount } from '../../../node/users/service.js';
import { MAX_DISPLAY_NAME_LENGTH, ROLES } from '../../../node/users/service.js';
import { ErrorNote } from '../../router.js';
import { FieldError, fieldState, type FieldMistake } from '../field-error.js';
import { format, formatDate, isLanguage, LANGUAGE_NAMES, type Messages } from '../../i18n/catalogue.js';
import { Layout, roleName, type PageContext } from '../layout.js';
import { Csrf } from './parts.js';

export interface NewUserForm {
  username: string;
  role: string;
  displayName: string;
}

export const languageName = (language: string | null): string => (isLanguage(language) ? LANGUAGE_NAMES[language] : LANGUAGE_NAMES.en);

export function StateBadge(props: { t: Messages; user: UserAccount }) {
  return props.user.disabled_at ? <span class="badge bad">{props.t.usersDisabled}</span> : <span class="badge good">{props.t.usersActive}</span>;
}

export function RoleSelect(props: { t: Messages; id: string; label: string; selected: string; mistake?: FieldMistake | undefined }) {
  const { t } = props;
  return (
    <>
      <label for={props.id}>{props.label}</label>
      <select id={props.id} name="role" required {...fieldState(props.mistake, props.id)}>
        <option value="" selected={props.selected === ''}>
          {t.usersRoleMissing}
        </option>
        {ROLES.map((role: Role) => (
          <option value={role} selected={props.selected === role}>
            {roleName(t, role)}
          </option>
        ))}
      </select>
    </>
  );
}

export function UsersPage(props: {
  page: PageContext;
  users: UserAccount[];
  form?: NewUserForm;
  /** A refusal of the whole form (the node's), said above it. */
  error?: { sentence: string; detail?: string } | undefined;
  /** What was wrong with the name or the role typed, said beside it; what was typed is kept. */
  mistake?: FieldMistake | undefined;
}) {
  const { t, language, session } = props.page;
  const { mistake } = props;
  const form = props.form ?? { username: '', role: '', displayName: '' };
  return (
    <Layout page={props.page} title={t.usersTitle} nav="/ui/users">
      <table>
        <thead>
          <tr>
            <th scope="col">{t.settingsUsername}</th>
            <th scope="col">{t.settingsDisplayName}</th>
            <th scope="col">{t.settingsRole}</th>
            <th scope="col">{t.settingsLanguage}</th>
            <th scope="col">{t.usersState}</th>
            <th scope="col">{t.usersLastSignIn}</th>
          </tr>
        </thead>
        <tbody>
          {props.users.map((user) => (
            <tr>
              <td>
                <a href={`/ui/users/${user.id}`}>{format(t.usersManage, { name: user.username })}</a>
                {user.id === session?.user.id ? ` ${t.userYou}` : ''}
              </td>
              <td>{user.display_name ?? <span class="muted">{t.none}</span>}</td>
              <td>{roleName(t, user.role)}</td>
              <td>{languageName(user.language)}</td>
              <td>
                <StateBadge t={t} user={user} />
              </td>
              <td>{user.last_signed_in_at ? formatDate(user.last_signed_in_at, language) : t.usersNotKnown}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <section aria-labelledby="add-user">
        <h2 id="add-user">{t.usersAddTitle}</h2>
        <ErrorNote t={t} error={props.error} />
        <form method="post" action="/ui/users" class="stack">
          <Csrf page={props.page} />
          <label for="new-username">{t.settingsUsername}</label>
          <input id="new-username" name="username" type="text" value={form.username} autocomplete="off" required {...fieldState(mistake, 'new-username', 'new-username-hint')} />
          <FieldError mistake={mistake} id="new-username" nodeSaid={t.nodeSaid} />
          <p id="new-username-hint" class="muted">{t.usersNameHint}</p>
          <label for="new-display-name">{t.usersDisplayNameOptional}</label>
          <input
            id="new-display-name" name="display_name" type="text" value={form.displayName} maxlength={MAX_DISPLAY_NAME_LENGTH} autocomplete="off"
            {...fieldState(mistake, 'new-display-name', 'new-display-name-hint')}
          />
          <FieldError mistake={mistake} id="new-display-name" />
          <p id="new-display-name-hint" class="muted">{t.userDisplayNameHint}</p>
          <RoleSelect t={t} id="new-role" label={t.settingsRole} selected={form.role} mistake={mistake} />
          <FieldError mistake={mistake} id="new-role" nodeSaid={t.nodeSaid} />
          <button type="submit">{t.usersAdd}</button>
        </form>
      </section>
    </Layout>
  );
}

/** A password shown once: after a user was added, or after an administrator made a new one. */
export function PasswordOncePage(props: { page: PageContext; title: string; sentence: string; password: string; userId: string }) {
  const { t } = props.page;
  return (
    <Layout page={props.page} title={props.title} nav="/ui/users">
      <p class="notice" role="status">
        {props.sentence}
      </p>
      <dl class="facts">
        <dt>{t.usersPassword}</dt>
        <dd class="fingerprint">{props.password}</dd>
      </dl>
      <p>{t.usersPasswordAdvice}</p>
      <p>
        <a href={`/ui/users/${props.userId}`}>{t.backTo}</a> · <a href="/ui/users">{t.usersBackToList}</a>
      </p>
    </Layout>
  );
}
