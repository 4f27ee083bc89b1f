// The audit log, its checkpoints and cosignatures, verification and export: for auditors and
// administrators, as the local API's /api/v1/audit/... (node/http/audit-api.ts).
import type { Context } from 'hono';
import { b64u } from '../../node/crypto/encoding.js';
import { exportAuditBundle } from '../../node/audit-log/bundle.js';
import { checkpointHistory } from '../../node/audit-log/checkpoints.js';
import { DEFAULT_ERASURE_GRACE_DAYS } from '../../node/audit-log/consent-rules.js';
import { readEntries } from '../../node/audit-log/entries.js';
import { logSize } from '../../node/audit-log/tree-store.js';
import { verifyAuditBundle } from '../../node/audit-log/verify.js';
import { witnessedLogs } from '../../node/audit-log/witnessed.js';
import { listPeers } from '../../node/peers/service.js';
import { userNames, type Role } from '../../node/users/service.js';
import { referralPartners } from '../../node/referrals/state.js';
import { format, type Language, type Messages } from '../i18n/catalogue.js';
import { render, UI_BODY_LIMIT, type FormFields, type UiRouter } from '../router.js';
import { CheckpointsPage, witnessedByPeer } from '../pages/audit/checkpoints.js';
import { isEventType, peerLabel, readEntry, type AuditNames, type ReadEntry } from '../pages/audit/describe.js';
import { AuditLogPage, type ActorChoices, type LogFilters } from '../pages/audit/log.js';
import { VerificationReport, VerifyFormsPage, type VerifyForm } from '../pages/audit/verify.js';

const AUDIT_ROLES: readonly Role[] = ['auditor', 'admin'];
/** Entries on one page of the log. */
const PAGE_SIZE = 50;
/** Entries read at a time while searching backwards. */
const CHUNK = 500;
/** Entries looked at for one page of a filtered search, before offering to search further. */
const SEARCH_LIMIT = 20_000;
const CHECKPOINTS_PER_PAGE = 20;
/** A pasted or uploaded bundle larger than this is refused (a bundle of about a million entries). */
const MAX_BUNDLE_BYTES = UI_BODY_LIMIT;

export function auditPages(ui: UiRouter): void {
  const { db } = ui.ctx.database;

  /** The users and peers by name (the names pages show, and the filter's choices), and the referrals `entries` name. */
  const namesFor = async (entries: readonly ReadEntry[], language: Language): Promise<{ names: AuditNames; actors: ActorChoices }> => {
    const users = await userNames(db, { withUserName: true });
    const peers = await listPeers(db);
    const referralIds = entries.flatMap((e) => (e.readable && typeof e.fields.referral_id === 'string' ? [e.fields.referral_id] : []));
    const names: AuditNames = {
      users,
      peers: new Map(peers.map((p) => [p.id, { name: p.name, country: p.country }])),
      referrals: await referralPartners(db, referralIds),
    };
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name, language);
    const actors: ActorChoices = {
      users: [...users].map(([id, name]) => ({ id, name })).sort(byName),
      peers: peers.map((p) => ({ id: p.id, name: peerLabel(names, language, p.id) })).sort(byName),
    };
    return { names, actors };
  };

  ui.get('/audit', AUDIT_ROLES, async ({ c, page, t }) => {
    const q = c.req.query();
    const filters: LogFilters = { type: one(q.type), from: one(q.from), to: one(q.to), actor: one(q.actor), id: one(q.id) };
    const size = await logSize(db);
    const errors = filterErrors(t, filters, one(q.before));
    if (errors.length > 0) {
      const named = await namesFor([], page.language);
      return render(c, <AuditLogPage page={page} data={{ filters, errors, size, entries: [], searchStopped: false, paged: false, ...named }} />, 400);
    }
    const before = q.before ? Math.min(Number(q.before), size) : size;
    const found = await searchBackwards(before, matcher(filters));
    const named = await namesFor(found.entries, page.language);
    return render(c, <AuditLogPage page={page} data={{ filters, errors, size, ...found, paged: before < size, ...named }} />);
  });

  ui.get('/audit/checkpoints', AUDIT_ROLES, async ({ c, page }) => {
    const before = one(c.req.query('before'));
    const start = /^\d{1,16}$/.test(before) ? Number(before) : undefined;
    const rows = await checkpointHistory(db, { limit: CHECKPOINTS_PER_PAGE + 1, before: start });
    const shown = rows.slice(0, CHECKPOINTS_PER_PAGE);
    const [latest] = await checkpointHistory(db, { limit: 1 });
    const checkpoints = shown.map((cp) => ({
      size: cp.size,
      rootHash: b64u.encode(cp.rootHash),
      createdAt: cp.createdAt,
      cosignatures: cp.cosignatures.map((s) => ({ witnessId: s.witnessId, signedAt: new Date(s.timestamp * 1000).toISOString(), receivedAt: s.receivedAt })),
    }));
    const data = {
      checkpoints,
      olderBefore: rows.length > CHECKPOINTS_PER_PAGE ? shown.at(-1)!.size : undefined,
      paged: start !== undefined,
      unsigned: Math.max(0, (await logSize(db)) - (latest?.size ?? 0)),
      witnessed: witnessedByPeer(await witnessedLogs(db), new Map((await listPeers(db)).map((p) => [p.id, p.name]))),
    };
    return render(c, <CheckpointsPage page={page} data={data} />);
  });

  ui.get('/audit/verify', AUDIT_ROLES, ({ c, page }) => render(c, <VerifyFormsPage page={page} />));

  ui.post('/audit/verify', AUDIT_ROLES, async ({ c, page, t, form }) => {
    const own: VerifyForm = { graceDays: form.text('erasure_grace_days'), fingerprint: '' };
    const graceDays = graceDaysOf(t, own.graceDays);
    if (typeof graceDays === 'string') return render(c, <VerifyFormsPage page={page} own={own} mistake={{ field: 'own-grace', sentence: graceDays }} />, 422);
    const bundle = await exportAuditBundle(ui.ctx);
    const report = await verifyAuditBundle(bundle, { now: ui.ctx.clock.now(), erasureGraceDays: graceDays });
    return render(c, <VerificationReport page={page} report={report} own />);
  });

  ui.post('/audit/verify-bundle', AUDIT_ROLES, async ({ c, page, t, form }) => {
    const entered = { graceDays: form.text('erasure_grace_days'), fingerprint: form.text('fingerprint'), text: form.text('bundle_text') };
    const refuse = (sentence: string, field: 'bundle-grace' | 'bundle-text' = 'bundle-text') =>
      render(c, <VerifyFormsPage page={page} bundle={{ ...entered, text: '' }} mistake={{ field, sentence }} />, 422);
    const graceDays = graceDaysOf(t, entered.graceDays);
    if (typeof graceDays === 'string') return refuse(graceDays, 'bundle-grace');
    const text = await bundleText(c, form);
    if (text === undefined) return refuse(t.auditBundleMissing);
    if (text === 'too-large') return refuse(t.auditBundleTooLarge);
    let bundle: unknown;
    try {
      bundle = JSON.parse(text);
    } catch {
      return refuse(t.auditBundleNotJson);
    }
    const report = await verifyAuditBundle(bundle, {
      now: ui.ctx.clock.now(),
      erasureGraceDays: graceDays,
      expectFingerprint: entered.fingerprint || undefined,
    });
    return render(c, <VerificationReport page={page} report={report} own={false} />);
  });

  ui.get('/audit/export', AUDIT_ROLES, async ({ c }) => {
    const bundle = await exportAuditBundle(ui.ctx);
    const host = hostOf(ui.ctx.self.nodeId).replace(/[^A-Za-z0-9.-]/g, '-');
    const day = ui.ctx.clock.now().toISOString().slice(0, 10);
    return c.body(JSON.stringify(bundle), 200, {
      'content-type': 'application/json; charset=utf-8',
      'content-disposition': `attachment; filename="audit-bundle-${host}-${day}.json"`,
      'cache-control': 'no-store',
    });
  });

  /** Entries below `before`, newest first, that match; at most a page, looking at SEARCH_LIMIT entries at most. */
  async function searchBackwards(before: number, matches: (entry: ReadEntry) => boolean) {
    const entries: ReadEntry[] = [];
    let end = before;
    let looked = 0;
    while (end > 0 && entries.length < PAGE_SIZE && looked < SEARCH_LIMIT) {
      const start = Math.max(0, end - CHUNK);
      const chunk = (await readEntries(db, start, end)).reverse();
      for (const stored of chunk) {
        looked += 1;
        end = stored.index;
        const entry = readEntry(stored);
        if (matches(entry)) entries.push(entry);
        if (entries.length === PAGE_SIZE) break;
      }
      if (chunk.length === 0) end = start;
    }
    return { entries, olderBefore: end > 0 ? end : undefined, searchStopped: entries.length < PAGE_SIZE && end > 0 };
  }
}

function hostOf(nodeId: string): string {
  try {
    return new URL(nodeId).host;
  } catch {
    return nodeId;
  }
}

const one = (value: string | undefined): string => (value ?? '').trim().slice(0, 200);

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const validDay = (value: string) => DAY.test(value) && !Number.isNaN(new Date(`${value}T00:00`).getTime());

function filterErrors(t: Messages, filters: LogFilters, before: string): string[] {
  const errors: string[] = [];
  if (filters.type && !isEventType(filters.type)) errors.push(t.auditFilterTypeInvalid);
  if (filters.from && !validDay(filters.from)) errors.push(format(t.auditFilterDayInvalid, { field: t.auditFilterFrom }));
  if (filters.to && !validDay(filters.to)) errors.push(format(t.auditFilterDayInvalid, { field: t.auditFilterTo }));
  if (errors.length === 0 && filters.from && filters.to && filters.from > filters.to) errors.push(t.auditFilterDaysOrder);
  if (before && !/^\d{1,16}$/.test(before)) errors.push(t.auditFilterPageInvalid);
  return errors;
}

/** Whether an entry passes the filters: days in the node's time zone, actor and id as parts of ids. */
function matcher(filters: LogFilters): (entry: ReadEntry) => boolean {
  const from = filters.from ? new Date(`${filters.from}T00:00`).getTime() : undefined;
  const to = filters.to ? new Date(`${filters.to}T00:00`).getTime() + 86_400_000 : undefined;
  const actor = filters.actor.toLowerCase();
  const id = filters.id.toLowerCase();
  return (entry) => {
    if (filters.type && entry.type !== filters.type) return false;
    const at = new Date(entry.at).getTime();
    if (from !== undefined && !(at >= from)) return false;
    if (to !== undefined && !(at < to)) return false;
    if (!entry.readable) return !actor && !id;
    if (actor && !entry.actor.id.toLowerCase().includes(actor)) return false;
    if (id && !Object.values(entry.fields).some((value) => (Array.isArray(value) ? value : [value]).some((v) => typeof v === 'string' && v.toLowerCase().includes(id)))) {
      return false;
    }
    return true;
  };
}

function graceDaysOf(t: Messages, value: string): number | string {
  if (value === '') return DEFAULT_ERASURE_GRACE_DAYS;
  return /^\d{1,4}$/.test(value) ? Number(value) : t.auditGraceDaysInvalid;
}

/** The bundle's text: the uploaded file, else the pasted text; undefined when neither was given. */
async function bundleText(c: Context, form: FormFields): Promise<string | undefined | 'too-large'> {
  // The router has read the form for its CSRF check; hono keeps the parsed form, so this reads it
  // again without touching the request body (tests/ui/audit.test.ts checks it).
  const body = await c.req.parseBody();
  const file = body.bundle;
  if (file instanceof File && file.size > 0) {
    if (file.size > MAX_BUNDLE_BYTES) return 'too-large';
    return await file.text();
  }
  const pasted = form.text('bundle_text');
  if (pasted.length > MAX_BUNDLE_BYTES) return 'too-large';
  return pasted || undefined;
}
