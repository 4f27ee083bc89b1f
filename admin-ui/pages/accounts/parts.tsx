// Pieces the accounts pages share.
import type { PageContext } from '../layout.js';

/** The session's CSRF token, in every form that changes something. */
export function Csrf(props: { page: PageContext }) {
  return <input type="hidden" name="_csrf" value={props.page.session?.csrf ?? ''} />;
}
