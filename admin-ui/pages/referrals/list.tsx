// The inbox (referrals received) and the outbox (referrals sent): a switch between the two, a
// filter form that works without JavaScript, one page of rows and a link to the next.
import type { ReferralState, ReferralSummary } from '../../../node/referrals/service.js';
import type { Messages } from '../../i18n/catalogue.js';
import { Layout, type PageContext } from '../layout.js';
import { Code, needsText, stateLabel, When } from './labels.js';

export type Direction = 'incoming' | 'outgoing';

export const STATES: readonly ReferralState[] = [
  'draft', 'inquiry', 'inquiry-answered', 'sent', 'delivered', 'info-requested', 'accepted', 'in-progress',
  'completed', 'declined', 'withdrawn', 'expired', 'consent-withdrawn',
];

export interface ListFilters {
  direction: Direction;
  state?: ReferralState | undefined;
  peer?: string | undefined;
  mine: boolean;
}

export interface ListRow {
  summary: ReferralSummary;
  needs: string[];
  service?: string | undefined;
}

/** The address of the list with these filters (and a page's cursor). */
export function listHref(filters: ListFilters, cursor?: string): string {
  const query = new URLSearchParams({ direction: filters.direction });
  if (filters.state) query.set('state', filters.state);
  if (filters.peer) query.set('peer', filters.peer);
  if (filters.mine) query.set('needs_action', 'true');
  if (cursor) query.set('cursor', cursor);
  return `/ui/referrals?${query.toString()}`;
}

function DirectionSwitch(props: { t: Messages; filters: ListFilters }) {
  const { t, filters } = props;
  const link = (direction: Direction, text: string) => (
    <li>
      <a href={listHref({ ...filters, direction })} aria-current={filters.direction === direction ? 'page' : undefined}>
        {text}
      </a>
    </li>
  );
  return (
    <nav aria-label={t.refDirectionSwitch} class="referral-switch">
      <ul>
        {link('incoming', t.incoming)}
        {link('outgoing', t.outgoing)}
      </ul>
    </nav>
  );
}

function Filters(props: { t: Messages; filters: ListFilters; peers: ReadonlyArray<{ id: string; name: string }> }) {
  const { t, filters } = props;
  return (
    <form method="get" action="/ui/referrals" class="filters">
      <input type="hidden" name="direction" value={filters.direction} />
      <label for="filter-state">
        {t.state}
        <select id="filter-state" name="state">
          <option value="">{t.any}</option>
          {STATES.map((state) => (
            <option value={state} selected={filters.state === state}>
              {stateLabel(t, state)}
            </option>
          ))}
        </select>
      </label>
      <label for="filter-peer">
        {t.organisation}
        <select id="filter-peer" name="peer">
          <option value="">{t.any}</option>
          {props.peers.map((peer) => (
            <option value={peer.id} selected={filters.peer === peer.id}>
              {peer.name}
            </option>
          ))}
        </select>
      </label>
      <div class="choices">
        <label for="filter-mine">
          <input type="checkbox" id="filter-mine" name="needs_action" value="true" checked={filters.mine} />
          {t.refOnlyMine}
        </label>
      </div>
      <button type="submit">{t.filter}</button>
    </form>
  );
}

export function ReferralListPage(props: {
  page: PageContext;
  filters: ListFilters;
  peers: ReadonlyArray<{ id: string; name: string }>;
  rows: ListRow[];
  nextCursor?: string | undefined;
  paged: boolean;
}) {
  const { t, language } = props.page;
  const { filters } = props;
  return (
    <Layout page={props.page} title={t.referralsTitle} nav="/ui/referrals">
      <DirectionSwitch t={t} filters={filters} />
      <Filters t={t} filters={filters} peers={props.peers} />
      {props.rows.length === 0 ? (
        <p>{filters.direction === 'incoming' ? t.refEmptyIncoming : t.refEmptyOutgoing}</p>
      ) : (
        <table class="referral-list">
          <thead>
            <tr>
              <th scope="col">{t.organisation}</th>
              <th scope="col">{t.refNeeds}</th>
              <th scope="col">{t.state}</th>
              <th scope="col">{t.refUrgency}</th>
              <th scope="col">{t.lastChange}</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map(({ summary, needs, service }) => (
              <tr>
                <td>
                  <a href={`/ui/referrals/${summary.id}`}>{summary.peer.name}</a>
                </td>
                <td>
                  {service ? <>{service}: </> : null}
                  {needsText(needs, language)}
                </td>
                <td>{stateLabel(t, summary.state)}</td>
                <td>
                  <Code t={t} prefix="ref.urgency." code={summary.urgency} />
                </td>
                <td>
                  <When iso={summary.updated_at} language={language} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {props.paged || props.nextCursor ? (
        <p class="actions">
          {props.paged ? <a href={listHref(filters)}>{t.refFirstPage}</a> : null}
          {props.nextCursor ? <a href={listHref(filters, props.nextCursor)}>{t.refNextPage}</a> : null}
        </p>
      ) : null}
    </Layout>
  );
}
