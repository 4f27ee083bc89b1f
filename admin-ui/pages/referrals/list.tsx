// The referrals, received and sent (issue 18 item 1): what this organisation owes first, by the
// day it is due, then the most urgent. Each row says its case reference, the partner and its
// country, the needs, the state, what we owe and why, the day an answer is wanted and its age.
// Filters in a GET form that works without JavaScript, each choice with how many it would show;
// pages by number.
import type { Attention } from '../../../node/referrals/attention.js';
import type { InboxCounts, InboxFilters } from '../../../node/referrals/inbox.js';
import type { ReferralState, ReferralSummary } from '../../../node/referrals/service.js';
import { format, formatDay, formatNumber, type Language, type Messages } from '../../i18n/catalogue.js';
import { categoryLabel, countryName } from '../../i18n/names.js';
import { Layout, type PageContext } from '../layout.js';
import { Code, needsText, stateLabel } from './labels.js';
import { SearchForm } from './search.js';

export type Direction = 'incoming' | 'outgoing';

export const STATES: readonly ReferralState[] = [
  'draft', 'inquiry', 'inquiry-answered', 'sent', 'delivered', 'info-requested', 'accepted', 'in-progress',
  'completed', 'declined', 'withdrawn', 'expired', 'consent-withdrawn',
];

export const URGENCIES = ['emergency', 'urgent', 'routine'] as const;

export interface ListRow {
  summary: ReferralSummary;
  /** Her pseudonym or initials, opened for this page only. */
  who?: string | undefined;
  needs: string[];
  /** The partner's country (ISO code), when this node knows the partner. */
  country?: string | undefined;
  service?: string | undefined;
}

export interface ListData {
  filters: InboxFilters;
  /** 0-based. */
  page: number;
  pageSize: number;
  total: number;
  counts: InboxCounts;
  rows: ListRow[];
  peers: ReadonlyArray<{ id: string; name: string; country: string }>;
  /** The needs a referral can ask for (top-level categories of the taxonomy, with their narrower kinds). */
  needs: readonly string[];
  now: Date;
  /** The referrals of the page changed since this user last opened them. */
  unread: ReadonlySet<string>;
  /** Users by id, as pages name them (the responsible caseworkers). */
  people: ReadonlyMap<string, string>;
  /** The user reading the list. */
  you: string;
}

/** The address of the list with these filters (and a page, 0-based). */
export function listHref(filters: InboxFilters, page = 0): string {
  const query = new URLSearchParams();
  if (filters.direction) query.set('direction', filters.direction);
  if (filters.state) query.set('state', filters.state);
  if (filters.peer) query.set('peer', filters.peer);
  if (filters.urgency) query.set('urgency', filters.urgency);
  if (filters.need) query.set('need', filters.need);
  if (filters.owed) query.set('needs_action', 'true');
  if (filters.overdue) query.set('overdue', 'true');
  if (filters.assignee) query.set('assignee', filters.assignee === 'unassigned' ? 'unassigned' : 'mine');
  if (page > 0) query.set('page', String(page + 1));
  const text = query.toString();
  return text ? `/ui/referrals?${text}` : '/ui/referrals';
}

const counted = (text: string, count: number | undefined, language: Language) => `${text} (${formatNumber(count ?? 0, language)})`;

function DirectionSwitch(props: { t: Messages; language: Language; filters: InboxFilters; counts: InboxCounts }) {
  const { t, language, filters, counts } = props;
  const all = counts.direction.incoming + counts.direction.outgoing;
  const link = (direction: Direction | undefined, text: string, count: number) => (
    <li>
      <a href={listHref({ ...filters, direction })} aria-current={filters.direction === direction ? 'page' : undefined}>
        {counted(text, count, language)}
      </a>
    </li>
  );
  return (
    <nav aria-label={t.refDirectionSwitch} class="referral-switch">
      <ul>
        {link(undefined, t.refBothWays, all)}
        {link('incoming', t.incoming, counts.direction.incoming)}
        {link('outgoing', t.outgoing, counts.direction.outgoing)}
      </ul>
    </nav>
  );
}

function Filters(props: { page: PageContext; data: ListData }) {
  const { t, language } = props.page;
  const { filters, counts, peers } = props.data;
  return (
    <form method="get" action="/ui/referrals" class="filters">
      {filters.direction ? <input type="hidden" name="direction" value={filters.direction} /> : null}
      <label for="filter-state">
        {t.state}
        <select id="filter-state" name="state">
          <option value="">{t.any}</option>
          {STATES.map((state) => (
            <option value={state} selected={filters.state === state}>
              {counted(stateLabel(t, state), counts.state.get(state), language)}
            </option>
          ))}
        </select>
      </label>
      <label for="filter-peer">
        {t.organisation}
        <select id="filter-peer" name="peer">
          <option value="">{t.any}</option>
          {peers.map((peer) => (
            <option value={peer.id} selected={filters.peer === peer.id}>
              {counted(`${peer.name} (${countryName(peer.country, language)})`, counts.peer.get(peer.id), language)}
            </option>
          ))}
        </select>
      </label>
      <label for="filter-urgency">
        {t.refUrgency}
        <select id="filter-urgency" name="urgency">
          <option value="">{t.any}</option>
          {URGENCIES.map((urgency) => (
            <option value={urgency} selected={filters.urgency === urgency}>
              {counted(t[`ref.urgency.${urgency}`], counts.urgency.get(urgency), language)}
            </option>
          ))}
        </select>
      </label>
      <label for="filter-need">
        {t.refNeeds}
        <select id="filter-need" name="need">
          <option value="">{t.any}</option>
          {props.data.needs.map((code) => (
            <option value={code} selected={filters.need === code}>
              {categoryLabel(code, language)}
            </option>
          ))}
        </select>
      </label>
      <label for="filter-assignee">
        {t.refResponsible}
        <select id="filter-assignee" name="assignee">
          <option value="">{t.any}</option>
          <option value="mine" selected={filters.assignee !== undefined && filters.assignee !== 'unassigned'}>
            {counted(t.refResponsibleMine, counts.mine, language)}
          </option>
          <option value="unassigned" selected={filters.assignee === 'unassigned'}>
            {counted(t.refResponsibleNobody, counts.unassigned, language)}
          </option>
        </select>
      </label>
      <div class="choices">
        <label for="filter-mine">
          <input type="checkbox" id="filter-mine" name="needs_action" value="true" checked={filters.owed === true} />
          {counted(t.refOnlyMine, counts.owed, language)}
        </label>
        <label for="filter-overdue">
          <input type="checkbox" id="filter-overdue" name="overdue" value="true" checked={filters.overdue === true} />
          {counted(t.refOverdueOnly, counts.overdue, language)}
        </label>
      </div>
      <button type="submit">{t.filter}</button>
      <a href={listHref({})}>{t.refClearFilters}</a>
    </form>
  );
}

/** What we owe and why, with "late" when the day has passed. */
export function Owed(props: { t: Messages; attention: Attention | undefined }) {
  const { t, attention } = props;
  if (!attention) return <span class="muted">{t.refNothingOwed}</span>;
  return (
    <>
      {t[`ref.attention.${attention.reason}`]}
      {attention.overdue ? (
        <>
          {' '}
          <span class="badge bad">{t.refOverdue}</span>
        </>
      ) : null}
    </>
  );
}

/** Changed since this user last opened it. */
export function NewMark(props: { t: Messages }) {
  return (
    <>
      {' '}
      <span class="badge new">{props.t.refNew}</span>
    </>
  );
}

/** How long ago, in words ("3 days ago", "today"). */
export function age(iso: string, now: Date, language: Language): string {
  const days = Math.floor((now.getTime() - Date.parse(iso)) / 86_400_000);
  return new Intl.RelativeTimeFormat(language, { numeric: 'auto' }).format(-Math.max(0, days), 'day');
}

export function ReferralListPage(props: { page: PageContext; data: ListData }) {
  const { t, language } = props.page;
  const { data } = props;
  const { filters } = data;
  const pages = Math.max(1, Math.ceil(data.total / data.pageSize));
  const empty = filters.direction === 'incoming' ? t.refEmptyIncoming : filters.direction === 'outgoing' ? t.refEmptyOutgoing : t.refEmptyBoth;
  return (
    <Layout page={props.page} title={t.referralsTitle} nav="/ui/referrals">
      <SearchForm t={t} csrf={props.page.session?.csrf ?? ''} />
      <DirectionSwitch t={t} language={language} filters={filters} counts={data.counts} />
      <Filters page={props.page} data={data} />
      <p>{format(t.refFound, { count: formatNumber(data.total, language) })}</p>
      {data.rows.length === 0 ? (
        <p>{empty}</p>
      ) : (
        <table class="referral-list">
          <thead>
            <tr>
              <th scope="col">{t.refCaseReference}</th>
              <th scope="col">{t.organisation}</th>
              <th scope="col">{t.refNeeds}</th>
              <th scope="col">{t.state}</th>
              <th scope="col">{t.refOwed}</th>
              <th scope="col">{t.refReplyBy}</th>
              <th scope="col">{t.refAge}</th>
              <th scope="col">{t.refUrgency}</th>
            </tr>
          </thead>
          <tbody>
            {data.rows.map(({ summary, who, needs, service, country }) => (
              <tr>
                <th scope="row">
                  <a href={`/ui/referrals/${summary.id}`} class="case-ref">{summary.case_reference}</a>
                  {data.unread.has(summary.id) ? <NewMark t={t} /> : null}
                  {summary.partner_case_reference ? <span class="case-who muted">{format(t.refTheirReference, { ref: summary.partner_case_reference })}</span> : null}
                  {who ? <span class="case-who">{who}</span> : null}
                </th>
                <td>
                  {summary.direction === 'incoming' ? t.refFrom : t.refTo} {summary.peer.name}
                  {country ? ` (${countryName(country, language)})` : null}
                </td>
                <td>
                  {service ? <>{service}: </> : null}
                  {needsText(needs, language)}
                </td>
                <td>{stateLabel(t, summary.state)}</td>
                <td>
                  <Owed t={t} attention={summary.attention} />
                  <span class="case-who muted">
                    {summary.assignee_id
                      ? format(t.refResponsibleIs, { name: summary.assignee_id === data.you ? t.refByYou : (data.people.get(summary.assignee_id) ?? t.auditUserUnknown) })
                      : t.refResponsibleNobody}
                  </span>
                </td>
                <td>{summary.reply_by ? <time datetime={summary.reply_by}>{formatDay(summary.reply_by, language)}</time> : <span class="muted">{t.none}</span>}</td>
                <td>
                  <time datetime={summary.created_at}>{age(summary.created_at, data.now, language)}</time>
                </td>
                <td>
                  <Code t={t} prefix="ref.urgency." code={summary.urgency} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {pages > 1 ? (
        <nav aria-label={t.refPages} class="actions">
          {data.page > 0 ? <a href={listHref(filters, data.page - 1)}>{t.refPreviousPage}</a> : null}
          <span>{format(t.refPageOf, { page: formatNumber(data.page + 1, language), pages: formatNumber(pages, language) })}</span>
          {data.page + 1 < pages ? <a href={listHref(filters, data.page + 1)}>{t.refNextPage}</a> : null}
        </nav>
      ) : null}
    </Layout>
  );
}
