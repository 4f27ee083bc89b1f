// Invitations: make one (its code is shown once, on the page that made it), see each one's state
// and revoke an open one, and redeem a code another organisation gave us.
import type { Invitation, CreatedInvitation } from '../../../node/peers/invitations.js';
import { ErrorNote } from '../../router.js';
import { FieldError, fieldState, onField } from '../field-error.js';
import { format, formatNumber, type Messages } from '../../i18n/catalogue.js';
import { Layout, type PageContext } from '../layout.js';
import { Csrf, Fingerprint, When } from './parts.js';

type Failure = { sentence: string; detail?: string };

export interface InvitationForms {
  create?: { hours: string; error: Failure } | undefined;
  redeem?: { code: string; error: Failure } | undefined;
  revoke?: { error: Failure } | undefined;
}

const statusName = (t: Messages, status: Invitation['status']): string =>
  ({ open: t.invitationOpen, used: t.invitationUsed, expired: t.invitationExpired, revoked: t.invitationRevoked })[status];

export function InvitationsPage(props: { page: PageContext; invitations: Invitation[]; defaultHours: number; maxHours: number; forms?: InvitationForms }) {
  const { t, language, session } = props.page;
  const forms = props.forms ?? {};
  // Each of these forms has one field: what went wrong with it is said beside it.
  const hoursMistake = onField('valid-hours', forms.create?.error);
  const codeMistake = onField('invitation-code', forms.redeem?.error);
  const csrf = session!.csrf;
  return (
    <Layout page={props.page} title={t.invitationsTitle} nav="/ui/peers">
      <p>
        <a href="/ui/peers">{t.peerBackToList}</a>
      </p>
      <p>{t.invitationsIntro}</p>
      <section aria-labelledby="create-invitation">
        <h2 id="create-invitation">{t.invitationCreateTitle}</h2>
        <form method="post" action="/ui/peers/invitations" class="stack">
          <Csrf token={csrf} />
          <label for="valid-hours">{t.invitationValidHours}</label>
          <input id="valid-hours" name="valid_hours" type="number" inputmode="numeric" min="1" max={String(props.maxHours)} value={forms.create?.hours ?? String(props.defaultHours)} required {...fieldState(hoursMistake, 'valid-hours', 'valid-hours-help')} />
          <FieldError mistake={hoursMistake} id="valid-hours" nodeSaid={t.nodeSaid} />
          <p id="valid-hours-help" class="muted">
            {format(t.invitationValidHoursHelp, { max: formatNumber(props.maxHours, language) })}
          </p>
          <button type="submit">{t.invitationCreateButton}</button>
        </form>
      </section>
      <section aria-labelledby="invitation-list">
        <h2 id="invitation-list">{t.invitationListTitle}</h2>
        <ErrorNote t={t} error={forms.revoke?.error} />
        {props.invitations.length === 0 ? (
          <p>{t.invitationNone}</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">{t.invitationStatus}</th>
                <th scope="col">{t.invitationCreatedAt}</th>
                <th scope="col">{t.invitationExpiresAt}</th>
                <th scope="col">{t.invitationUsedBy}</th>
                <th scope="col">{t.peerActionsTitle}</th>
              </tr>
            </thead>
            <tbody>
              {props.invitations.map((i) => (
                <tr>
                  <td>{statusName(t, i.status)}</td>
                  <td>
                    <When at={i.created_at} language={language} t={t} />
                  </td>
                  <td>
                    <When at={i.expires_at} language={language} t={t} />
                  </td>
                  <td>
                    {i.used_by ? (
                      <>
                        <a href={`/ui/peers/peer?id=${encodeURIComponent(i.used_by)}`} lang="en">
                          {i.used_by}
                        </a>
                        {i.used_fingerprint ? (
                          <>
                            <br />
                            <Fingerprint value={i.used_fingerprint} />
                          </>
                        ) : null}
                      </>
                    ) : (
                      <span class="muted">{t.peerNever}</span>
                    )}
                  </td>
                  <td>
                    {i.status === 'open' ? (
                      <form method="post" action="/ui/peers/invitations/revoke">
                        <Csrf token={csrf} />
                        <input type="hidden" name="id" value={i.id} />
                        <button type="submit" class="danger">
                          {t.invitationRevokeButton}
                        </button>
                      </form>
                    ) : (
                      <span class="muted">{t.none}</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="redeem-invitation">
        <h2 id="redeem-invitation">{t.invitationRedeemTitle}</h2>
        <p>{t.invitationRedeemIntro}</p>
        <form method="post" action="/ui/peers/invitations/redeem" class="stack">
          <Csrf token={csrf} />
          <label for="invitation-code">{t.invitationCode}</label>
          <textarea id="invitation-code" name="code" autocomplete="off" spellcheck={false} required {...fieldState(codeMistake, 'invitation-code')}>
            {forms.redeem?.code ?? ''}
          </textarea>
          <FieldError mistake={codeMistake} id="invitation-code" nodeSaid={t.nodeSaid} />
          <button type="submit">{t.invitationRedeemButton}</button>
        </form>
      </section>
    </Layout>
  );
}

/** The page right after making an invitation: the only time its code is shown. */
export function CreatedInvitationPage(props: { page: PageContext; created: CreatedInvitation; ownFingerprint: string }) {
  const { t, language } = props.page;
  return (
    <Layout page={props.page} title={t.invitationCreatedTitle} nav="/ui/peers">
      <p class="notice" role="status">
        {t.invitationShownOnce}
      </p>
      <label for="created-code">{t.invitationCode}</label>
      <textarea id="created-code" readonly class="invitation-code" lang="en">
        {props.created.code}
      </textarea>
      <p>
        {t.invitationValidUntil}{' '}
        <When at={props.created.expires_at} language={language} t={t} />
      </p>
      <h2>{t.invitationPassOnTitle}</h2>
      <ol>
        <li>{t.invitationStepSend}</li>
        <li>
          {t.invitationStepPhone} <Fingerprint value={props.ownFingerprint} large />
        </li>
        <li>{t.invitationStepRedeem}</li>
        <li>{t.invitationStepCheck}</li>
      </ol>
      <p>
        <a href="/ui/peers/invitations">{t.invitationBackToList}</a>
      </p>
    </Layout>
  );
}
