// Consent records: the list, one record, and withdrawal. Roles as the local API's
// (node/http/consent-api.ts): admins, caseworkers and auditors read the records (metadata only),
// caseworkers and admins withdraw them.
import { getConsent, listConsents, type Consent, type ConsentStatus } from '../../node/consents/service.js';
import { attachConsentForm, formFileName, isFormMediaType, MAX_FORM_BYTES, readConsentForm } from '../../node/consents/form.js';
import { withdrawConsent } from '../../node/consents/withdrawal.js';
import { DomainError } from '../../node/errors.js';
import { listPeers } from '../../node/peers/service.js';
import { userNames, type Role } from '../../node/users/service.js';
import { explainOrThrow, notFound, parseForm, redirect, render, type Explained, type UiRequest, type UiRouter } from '../router.js';
import { ConsentListPage, type ConsentFilters } from '../pages/consents/list.js';
import { ConsentDetailPage, type ConsentDetailData } from '../pages/consents/detail.js';
import { CONSENT_STATES, type OrganisationNames } from '../pages/consents/parts.js';
import { isUuid } from '../../node/http/request.js';
import { format } from '../i18n/catalogue.js';
import { whoOfReferrals } from '../../node/referrals/pseudonym.js';

const READERS: readonly Role[] = ['admin', 'caseworker', 'auditor'];
const WITHDRAWERS: readonly Role[] = ['admin', 'caseworker'];
const PAGE_SIZE = 50;
/** Pages of the API's list looked through for one page filtered by organisation. */
const MAX_PAGES_SEARCHED = 20;

const isState = (value: string): value is ConsentStatus => (CONSENT_STATES as readonly string[]).includes(value);

export function consentPages(ui: UiRouter): void {
  const { ctx } = ui;
  const { db } = ctx.database;

  const organisationNames = async (): Promise<OrganisationNames> =>
    new Map([[ctx.self.nodeId, ctx.self.name], ...(await listPeers(db)).map((p) => [p.id, p.name] as const)]);

  ui.get('/consents', READERS, async (r) => {
    const q = r.c.req.query();
    const filters: ConsentFilters = { state: isState(q.state ?? '') ? (q.state as ConsentStatus) : '', recipient: q.recipient ?? '' };
    // The API filters by state; the organisation is filtered here, over as many of its pages as it takes.
    const consents: Consent[] = [];
    let cursor = q.cursor || undefined;
    for (let searched = 0; searched < MAX_PAGES_SEARCHED; searched++) {
      const page = await listConsents(ctx, { limit: PAGE_SIZE, status: filters.state || undefined, cursor });
      consents.push(...page.items.filter((c) => !filters.recipient || c.recipients.includes(filters.recipient)));
      cursor = page.next_cursor;
      if (!cursor || consents.length >= PAGE_SIZE || !filters.recipient) break;
    }
    const peers = (await listPeers(db)).map((p) => ({ id: p.id, name: p.name }));
    // Whose consent: her pseudonym or initials, from the first referral under it (not for auditors, who see metadata only).
    const who = WITHDRAWERS.includes(r.session.user.role) ? await whoseConsents(consents) : undefined;
    return render(r.c, <ConsentListPage page={r.page} data={{ filters, consents, names: await organisationNames(), peers, nextCursor: cursor, who }} />);
  });

  /** Each consent's person, as the lists name her: from the first of its referrals that names her. */
  const whoseConsents = async (consents: readonly Consent[]): Promise<Map<string, string>> => {
    const who = await whoOfReferrals(ctx, [...new Set(consents.flatMap((c) => c.referrals.map((ref) => ref.id)))]);
    const named = new Map<string, string>();
    for (const consent of consents) {
      const first = consent.referrals.map((ref) => who.get(ref.id)).find((w) => w !== undefined);
      if (first) named.set(consent.id, first);
    }
    return named;
  };

  const detailData = async (r: UiRequest, consent: Consent): Promise<ConsentDetailData> => {
    const names = await organisationNames();
    // A user of this node by name; one of the organisation the consent came from, whom this node does not know, by that organisation.
    const obtainedBy =
      consent.origin === 'self'
        ? ((await userNames(db)).get(consent.obtained_by) ?? r.t.auditUserUnknown)
        : format(r.t.auditCaseworkerAt, { org: names.get(consent.origin) ?? consent.origin });
    return {
      consent,
      names,
      obtainedBy,
      mayAct: WITHDRAWERS.includes(r.session.user.role),
      who: WITHDRAWERS.includes(r.session.user.role) ? (await whoseConsents([consent])).get(consent.id) : undefined,
    };
  };
  const consentOf = async (r: UiRequest): Promise<Consent | undefined> => {
    const id = r.c.req.param('id') ?? '';
    return isUuid(id) ? getConsent(ctx, id) : undefined;
  };

  ui.get('/consents/:id', READERS, async (r) => {
    const consent = await consentOf(r);
    return consent ? render(r.c, <ConsentDetailPage page={r.page} data={await detailData(r, consent)} />) : notFound(r);
  });

  // The scanned form holds personal data: for caseworkers and administrators, as in the API.
  ui.get('/consents/:id/form', WITHDRAWERS, async (r) => {
    const consent = await consentOf(r);
    const form = consent?.form ? await readConsentForm(ctx, consent.id) : undefined;
    if (!consent || !form) return notFound(r);
    return r.c.body(Buffer.from(form.bytes), 200, {
      'content-type': form.mediaType,
      'content-disposition': `attachment; filename="${formFileName(consent.id, form.mediaType)}"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
  });

  // The signed form of a consent given here, scanned: stored encrypted, as PUT /consents/:id/form.
  ui.post('/consents/:id/form', WITHDRAWERS, async (r) => {
    const consent = await consentOf(r);
    if (!consent) return notFound(r);
    const again = async (error: Explained, status: 409 | 422) =>
      render(r.c, <ConsentDetailPage page={r.page} data={{ ...(await detailData(r, consent)), attachError: error }} />, status);
    // The router read the form for its CSRF check; hono keeps it parsed, so the file is here again.
    const file = (await parseForm(r.c)).form_file;
    if (!(file instanceof File) || file.size === 0) return again({ sentence: r.t.consentAttachMissing }, 422);
    if (!isFormMediaType(file.type)) return again({ sentence: r.t.consentAttachWrongType }, 422);
    if (file.size > MAX_FORM_BYTES) return again({ sentence: r.t.consentAttachTooLarge }, 422);
    try {
      await attachConsentForm(ctx, { userId: r.session.user.id }, consent.id, file.type, new Uint8Array(await file.arrayBuffer()));
    } catch (error) {
      const explained = explainOrThrow(r.t, error);
      return again(error instanceof DomainError && error.problem === 'invalid-request' ? { sentence: r.t.consentAttachWrongType } : explained, 422);
    }
    return redirect(r.c, `/ui/consents/${consent.id}`, 'consentAttachedNotice');
  });

  ui.post('/consents/:id/withdraw', WITHDRAWERS, async (r) => {
    const consent = await consentOf(r);
    if (!consent) return notFound(r);
    const chosen = r.form.all('recipients');
    const again = async (error: Explained & { field?: 'withdraw-recipients' | 'withdraw-confirm' }, status: 409 | 422) =>
      render(r.c, <ConsentDetailPage page={r.page} data={{ ...(await detailData(r, consent)), error, chosen }} />, status);
    if (chosen.length === 0) return again({ sentence: r.t.consentWithdrawPickOne, field: 'withdraw-recipients' }, 422);
    if (chosen.some((id) => !consent.recipients.includes(id))) return again({ sentence: r.t.consentWithdrawPickOne, field: 'withdraw-recipients' }, 422);
    if (r.form.text('confirm') !== 'yes') return again({ sentence: r.t.consentWithdrawConfirmMissing, field: 'withdraw-confirm' }, 422);
    try {
      await withdrawConsent(ctx, { userId: r.session.user.id }, consent.id, { recipients: chosen });
    } catch (error) {
      return again(explainOrThrow(r.t, error), error instanceof DomainError && error.status === 409 ? 409 : 422);
    }
    return redirect(r.c, `/ui/consents/${consent.id}`, 'consentWithdrawnNotice');
  });
}
