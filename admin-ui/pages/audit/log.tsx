// The audit log's entries, newest first, with filters: what happened, when, who made it happen and
// the ids it names. Entries hold no personal data, and nothing is shown that is not in them.
import { AUDIT_EVENT_TYPES } from '../../../node/audit-log/events.js';
import { format, formatDate, formatNumber, type Messages } from '../../i18n/catalogue.js';
import { Layout, type PageContext } from '../layout.js';
import { actorLabel, namedValues, specifics, typeLabel, type AuditNames, type NamedId, type ReadEntry } from './describe.js';
import { AuditNav } from './subnav.js';

export interface LogFilters {
  type: string;
  from: string;
  to: string;
  actor: string;
  id: string;
}

export interface LogPageData {
  filters: LogFilters;
  /** Sentences about filters that are not valid (nothing is searched then). */
  errors: string[];
  size: number;
  entries: ReadEntry[];
  /** Where the next page of older entries starts (exclusive index), if there are any. */
  olderBefore?: number | undefined;
  /** True when the search stopped before the page was full (a long stretch without a match). */
  searchStopped: boolean;
  /** Whether this page starts below the newest entry. */
  paged: boolean;
  /** Who and what the entries' ids stand for. */
  names: AuditNames;
  /** Whom the log can be filtered by, by name: this node's users and its peers. */
  actors: ActorChoices;
}

export interface ActorChoices {
  users: Array<{ id: string; name: string }>;
  peers: Array<{ id: string; name: string }>;
}

const query = (filters: LogFilters, before?: number): string => {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(filters)) if (value) params.set(name, value);
  if (before !== undefined) params.set('before', String(before));
  const text = params.toString();
  return text ? `/ui/audit?${text}` : '/ui/audit';
};

function Filters(props: { t: Messages; filters: LogFilters; actors: ActorChoices }) {
  const { t, filters, actors } = props;
  const known = filters.actor === '' || [...actors.users, ...actors.peers].some((a) => a.id === filters.actor);
  return (
    <form method="get" action="/ui/audit" class="filters">
      <label for="audit-type">
        {t.auditFilterType}
        <select id="audit-type" name="type">
          <option value="">{t.any}</option>
          {AUDIT_EVENT_TYPES.map((type) => (
            <option value={type} selected={filters.type === type}>
              {typeLabel(t, type)}
            </option>
          ))}
        </select>
      </label>
      <label for="audit-from">
        {t.auditFilterFrom}
        <input id="audit-from" name="from" type="date" value={filters.from} />
      </label>
      <label for="audit-to">
        {t.auditFilterTo}
        <input id="audit-to" name="to" type="date" value={filters.to} />
      </label>
      <label for="audit-actor">
        {t.auditFilterActor}
        <select id="audit-actor" name="actor">
          <option value="">{t.any}</option>
          <optgroup label={t.auditActorUsers}>
            {actors.users.map((u) => (
              <option value={u.id} selected={filters.actor === u.id}>
                {u.name}
              </option>
            ))}
          </optgroup>
          <optgroup label={t.auditActorPeers}>
            {actors.peers.map((p) => (
              <option value={p.id} selected={filters.actor === p.id}>
                {p.name}
              </option>
            ))}
          </optgroup>
          {known ? null : (
            // An actor given in the address that is no user or peer of this node (a system rule, an
            // id typed by hand): kept, so that the filter in force is shown.
            <option value={filters.actor} selected>
              {filters.actor}
            </option>
          )}
        </select>
      </label>
      <label for="audit-id">
        {t.auditFilterId}
        <input id="audit-id" name="id" type="text" value={filters.id} autocomplete="off" />
      </label>
      <button type="submit">{t.filter}</button>
      <a href="/ui/audit">{t.auditFilterClear}</a>
    </form>
  );
}

/** An id as named: a link where the reader may open it, the id itself beside a name that stands for it. */
function IdValue(props: { named: NamedId }) {
  const { named } = props;
  return (
    <>
      {named.href ? <a href={named.href}>{named.text}</a> : named.text}
      {named.id ? <span class="muted audit-id"> {named.id}</span> : null}
    </>
  );
}

function EntryRow(props: { page: PageContext; entry: ReadEntry; names: AuditNames }) {
  const { t, language, session } = props.page;
  const { entry, names } = props;
  if (!entry.readable) {
    return (
      <tr>
        <td>{formatNumber(entry.index, language)}</td>
        <td>{formatDate(entry.at, language)}</td>
        <td>
          {typeLabel(t, entry.type)}
          <p class="error">{t.auditEntryUnreadable}</p>
        </td>
        <td></td>
        <td></td>
      </tr>
    );
  }
  const said = specifics(t, language, entry, names);
  // Administrators may open a referral's page; auditors read the log only.
  const { ids, other } = namedValues(t, language, entry, names, session?.user.role === 'admin');
  return (
    <tr>
      <td>{formatNumber(entry.index, language)}</td>
      <td>{formatDate(entry.at, language)}</td>
      <td>
        <strong>{typeLabel(t, entry.type)}</strong>
        {said ? <p class="audit-said">{said}</p> : null}
      </td>
      <td>{actorLabel(t, language, names, entry.actor)}</td>
      <td>
        {ids.length + other.length === 0 ? (
          <span class="muted">{t.none}</span>
        ) : (
          <dl class="audit-ids">
            {ids.map((named) => (
              <>
                <dt>{named.label}</dt>
                <dd>
                  <IdValue named={named} />
                </dd>
              </>
            ))}
            {other.map(([name, value]) => (
              <>
                <dt lang="en">{name}</dt>
                <dd class="audit-id" lang="en">
                  {value}
                </dd>
              </>
            ))}
          </dl>
        )}
      </td>
    </tr>
  );
}

export function AuditLogPage(props: { page: PageContext; data: LogPageData }) {
  const { page, data } = props;
  const { t, language } = page;
  return (
    <Layout page={page} title={t.auditTitle} nav="/ui/audit">
      <AuditNav t={t} current="log" />
      <p>{t.auditLogIntro}</p>
      <p>{format(t.auditLogSize, { count: formatNumber(data.size, language) })}</p>
      <h2>{t.auditLogHeading}</h2>
      <Filters t={t} filters={data.filters} actors={data.actors} />
      {data.errors.length > 0 ? (
        <div class="error-box" role="alert">
          {data.errors.map((e) => (
            <p class="error">{e}</p>
          ))}
        </div>
      ) : data.entries.length === 0 ? (
        <p>{data.searchStopped ? t.auditNoEntriesYet : t.auditNoEntries}</p>
      ) : (
        <table class="audit-entries">
          <thead>
            <tr>
              <th scope="col">{t.auditColIndex}</th>
              <th scope="col">{t.auditColTime}</th>
              <th scope="col">{t.auditColWhat}</th>
              <th scope="col">{t.auditColActor}</th>
              <th scope="col">{t.auditColIds}</th>
            </tr>
          </thead>
          <tbody>
            {data.entries.map((entry) => (
              <EntryRow page={page} entry={entry} names={data.names} />
            ))}
          </tbody>
        </table>
      )}
      {data.searchStopped && data.olderBefore !== undefined ? <p>{format(t.auditSearchStopped, { index: formatNumber(data.olderBefore, language) })}</p> : null}
      <p class="actions">
        {data.paged ? <a href={query(data.filters)}>{t.auditNewest}</a> : null}
        {data.olderBefore !== undefined && data.errors.length === 0 ? <a href={query(data.filters, data.olderBefore)}>{data.searchStopped ? t.auditSearchOlder : t.auditOlder}</a> : null}
      </p>
    </Layout>
  );
}
