// A user's API tokens, on Settings (her own) and on a user's page (for administrators): what each
// is for, when it was made and last used, until when it works, and a form to revoke it. Never the
// token itself: the node does not have it.
import type { ApiTokenListing } from '../../../node/users/service.js';
import { format, formatDate } from '../../i18n/catalogue.js';
import type { PageContext } from '../layout.js';
import { Csrf } from './parts.js';

export function TokensSection(props: {
  page: PageContext;
  tokens: ApiTokenListing[];
  hint: string;
  /** Where a token's revocation is posted: `${revokeAt}/${token.id}/revoke`. */
  revokeAt: string;
  now: Date;
}) {
  const { t, language } = props.page;
  return (
    <section aria-labelledby="tokens">
      <h2 id="tokens">{t.tokensTitle}</h2>
      <p>{props.hint}</p>
      {props.tokens.length === 0 ? (
        <p class="muted">{t.tokensNone}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t.tokensLabel}</th>
              <th scope="col">{t.tokensCreated}</th>
              <th scope="col">{t.tokensLastUsed}</th>
              <th scope="col">{t.tokensExpires}</th>
              <th scope="col">
                <span class="visually-hidden">{t.tokensRevoke}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {props.tokens.map((token) => {
              const expired = !(Date.parse(token.expires_at) > props.now.getTime());
              return (
                <tr>
                  <td>{token.label}</td>
                  <td>{formatDate(token.created_at, language)}</td>
                  <td>{token.last_used_at ? formatDate(token.last_used_at, language) : t.tokensNeverUsed}</td>
                  <td>
                    {expired ? <span class="badge bad">{t.tokensExpired}</span> : null} {formatDate(token.expires_at, language)}
                  </td>
                  <td>
                    <form method="post" action={`${props.revokeAt}/${token.id}/revoke`}>
                      <Csrf page={props.page} />
                      <button type="submit" class="secondary" aria-label={format(t.tokensRevokeNamed, { label: token.label })}>
                        {t.tokensRevoke}
                      </button>
                    </form>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
