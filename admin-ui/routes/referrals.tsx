// A referral's pages: the inbox and outbox, one referral with its timeline, and its actions.
// Every action's form is turned into the very request body the local API would receive, checked
// against the same schema (spec/local.yaml), and given to the same service function; a refused
// action (bad input, a state that does not allow it) changes nothing and says why.
import type { Context } from 'hono';
import { appendAuditEvent } from '../../node/audit-log/append.js';
import { DomainError } from '../../node/errors.js';
import { requeueFailedMessage } from '../../node/delivery/requeue.js';
import { matchServices } from '../../node/directory/matching.js';
import { listServices } from '../../node/directory/services.js';
import { heldServiceOf } from '../../node/directory/sync.js';
import { listPeers } from '../../node/peers/service.js';
import { allowedActions, partyOf, type LifecycleMessage } from '../../node/referrals/lifecycle.js';
import { sendLifecycleMessage, type LifecycleContent } from '../../node/referrals/messages.js';
import { referOnward, type ReferOnwardRequest } from '../../node/referrals/onward.js';
import { readPayload } from '../../node/referrals/payload-store.js';
import {
  getReferralDetail,
  getReferralSummary,
  referralSummaries,
  sendDraft,
  type ReferralDetail,
  type ReferralOfferBody,
  type ReferralState,
} from '../../node/referrals/service.js';
import type { ReferralInquiryBody } from '../../node/referrals/inquiry.js';
import { listUsers, shownName, userNames } from '../../node/users/service.js';
import { assignReferral, MAX_HANDOVER_NOTE } from '../../node/referrals/assignment.js';
import { validatorFor } from '../../node/schema/validators.js';
import { format, type Language, type Messages } from '../i18n/catalogue.js';
import { directoryText } from '../i18n/names.js';
import { Layout, type PageContext } from '../pages/layout.js';
import {
  CAPACITIES,
  DECLINE_REASONS,
  FURTHER_DETAILS,
  OUTCOMES,
  UPDATE_STATUSES,
  WITHDRAW_REASONS,
  type ActionName,
  type FailedAction,
  type OnwardChoices,
} from '../pages/referrals/actions.js';
import { ReferralPage } from '../pages/referrals/detail.js';
import { ReferralListPage, STATES, URGENCIES, type ListData, type ListRow } from '../pages/referrals/list.js';
import { inboxPage, type InboxFilters } from '../../node/referrals/inbox.js';
import { markReferralRead, unreadAmong } from '../../node/referrals/reads.js';
import { markAllNotificationsRead } from '../../node/notifications/store.js';
import { pseudonymFor, pseudonymOf, setPseudonym, whoFor, MAX_PSEUDONYM_LENGTH } from '../../node/referrals/pseudonym.js';
import { searchReferrals, type SearchOutcome } from '../../node/referrals/search.js';
import { SearchPage, type SearchHit } from '../pages/referrals/search.js';
import type { ConsentWithdrawal, PseudonymForm, Responsibility } from '../pages/referrals/detail.js';
import type { FieldMistake } from '../pages/field-error.js';
import { getConsent } from '../../node/consents/service.js';
import { withdrawConsent } from '../../node/consents/withdrawal.js';
import { withdrawnHere } from '../pages/consents/detail.js';
import { countryName } from '../i18n/names.js';
import { taxonomy } from '../../node/directory/taxonomy.js';
import { explainOrThrow, redirect, render, type Explained, type FormFields, type UiRequest, type UiRouter } from '../router.js';
import { isUuid } from '../../node/http/request.js';

const ROLES = ['admin', 'caseworker'] as const;
const PAGE_SIZE = 25;
/** The needs the list filters by: the taxonomy's broader categories (each finds its narrower kinds too). */
const NEEDS = (): string[] => taxonomy().categories.filter((c) => !c.parent).map((c) => c.code);

type Sentence = Explained;
/** Built from the form, or what was wrong with it (with the form field's name when one field was). */
type Built<T> = { content: T } | { error: Sentence & { field?: string } };

/** The lifecycle actions with a form: the local API's ACTIONS, each with its request schema. */
const LIFECYCLE_FORMS = [
  ['inquiry-answer', 'InquiryAnswerRequest', 'refNoticeInquiryAnswer'],
  ['info-request', 'InfoRequestRequest', 'refNoticeInfoRequest'],
  ['info-response', 'InfoResponseRequest', 'refNoticeInfoResponse'],
  ['accept', 'AcceptRequest', 'refNoticeAccept'],
  ['decline', 'DeclineRequest', 'refNoticeDecline'],
  ['update', 'UpdateRequest', 'refNoticeUpdate'],
  ['complete', 'CompleteRequest', 'refNoticeComplete'],
  ['withdraw', 'WithdrawRequest', 'refNoticeWithdraw'],
] as const satisfies ReadonlyArray<readonly [ActionName, string, keyof Messages]>;

type LifecycleForm = (typeof LIFECYCLE_FORMS)[number][0];

const required = (t: Messages, label: string, field: string): Built<never> => ({ error: { sentence: format(t.fieldRequired, { field: label }), field } });

/** A code chosen from a list: required or not, and one of the list. */
function chosen(form: FormFields, t: Messages, name: string, label: string, codes: readonly string[], must: boolean): Built<string | undefined> {
  const value = form.optional(name);
  if (value === undefined) return must ? required(t, label, name) : { content: undefined };
  if (!codes.includes(value)) return { error: { sentence: format(t.refChooseValid, { field: label }), field: name } };
  return { content: value };
}

/** The further client data an answer carries, grouped as ClientData; only the groups filled in. */
function furtherDetails(form: FormFields): LifecycleContent['client'] {
  const groups: Record<string, Record<string, string>> = {};
  for (const [category, name] of FURTHER_DETAILS) {
    const value = form.optional(name);
    if (value === undefined) continue;
    const group = category.replace('-', '_');
    (groups[group] ??= {})[name.split('.')[2]!] = value;
  }
  return Object.keys(groups).length > 0 ? (groups as LifecycleContent['client']) : undefined;
}

/** The request body the local API would receive for the lifecycle action, from its form. */
function lifecycleContent(action: LifecycleForm, form: FormFields, t: Messages): Built<LifecycleContent> {
  const note = form.optional('note');
  const withNote = (content: LifecycleContent): Built<LifecycleContent> => ({ content: note ? { ...content, note } : content });
  const text = (name: string, label: string): Built<string> => {
    const value = form.optional(name);
    return value === undefined ? required(t, label, name) : { content: value };
  };
  const code = (name: string, label: string, codes: readonly string[]) => chosen(form, t, name, label, codes, true) as Built<string>;
  const then = <V,>(built: Built<V>, make: (value: V) => Built<LifecycleContent>): Built<LifecycleContent> => ('error' in built ? built : make(built.content));
  switch (action) {
    case 'inquiry-answer': {
      const capacity = code('capacity', t.refCapacity, CAPACITIES);
      if ('error' in capacity) return capacity;
      const reason = chosen(form, t, 'reason', t.refCannotHelpReason, DECLINE_REASONS, false);
      if ('error' in reason) return reason;
      const availableFrom = form.optional('available_from');
      if (availableFrom !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(availableFrom)) return { error: { sentence: format(t.refDateInvalid, { field: t.refAvailableFrom }), field: 'available_from' } };
      return withNote({
        capacity: capacity.content,
        ...(availableFrom ? { available_from: availableFrom } : {}),
        ...(reason.content ? { reason: reason.content } : {}),
      });
    }
    case 'info-request':
      return then(text('questions', t.refQuestions), (questions) => ({ content: { questions } }));
    case 'info-response':
      return then(text('answer', t.refAnswer), (answer) => {
        const client = furtherDetails(form);
        return { content: client ? { answer, client } : { answer } };
      });
    case 'accept':
      return withNote({});
    case 'decline':
      return then(code('reason', t.refDeclineReason, DECLINE_REASONS), (reason) => withNote({ reason }));
    case 'update':
      return then(code('status', t.refStatus, UPDATE_STATUSES), (status) => withNote({ status }));
    case 'complete':
      return then(code('outcome', t.refOutcome, OUTCOMES), (outcome) => withNote({ outcome }));
    case 'withdraw':
      return then(code('reason', t.refWithdrawReason, WITHDRAW_REASONS), (reason) => withNote({ reason }));
  }
}

/** The request's shape checked as the local API checks it; what is wrong is said, never echoed. */
function matchesSchema<T>(t: Messages, schema: string, built: Built<T>): Built<T> {
  if ('error' in built) return built;
  const check = validatorFor('local', schema);
  return check(built.content) ? built : { error: { sentence: t.problemInvalidRequest } };
}

/** The actions the lifecycle table allows this node's side now, plus sending a draft and the offer after an inquiry. */
function actionsFor(referral: ReferralDetail): ActionName[] {
  const lifecycle = allowedActions(partyOf(referral.direction), referral.state).map((message: LifecycleMessage): ActionName => {
    const action = message.slice('referral.'.length);
    return action === 'onward' ? 'refer-onward' : (action as ActionName);
  });
  // Referring on sends her data on: only while this node still holds it.
  const actions = lifecycle.filter((action) => action !== 'refer-onward' || referral.content !== undefined);
  if (referral.direction === 'outgoing' && referral.state === 'draft') actions.push('send');
  if (referral.direction === 'outgoing' && referral.state === 'inquiry-answered') actions.push('offer');
  return actions;
}

/** A path parameter ('' when absent). */
const paramOf = (r: UiRequest, name: string): string => r.c.req.param(name) ?? '';

const textIn = (text: Readonly<Record<string, string>>, language: Language) => directoryText(text, language).text;

export function referralPages(ui: UiRouter): void {
  const { ctx } = ui;
  const { db } = ctx.database;

  function notFound(c: Context, page: PageContext) {
    const { t } = page;
    return render(
      c,
      <Layout page={page} title={t.refNotFoundTitle} nav="/ui/referrals">
        <p>{t.refNotFound}</p>
        <p>
          <a href="/ui/referrals">{t.referralsTitle}</a>
        </p>
      </Layout>,
      404,
    );
  }

  async function onwardChoices(referral: ReferralDetail, peers: Awaited<ReturnType<typeof listPeers>>, language: Language): Promise<OnwardChoices> {
    const permission = referral.content?.consent.onward_referral;
    const candidates = peers.filter(
      (p) => p.state === 'trusted' && p.id !== referral.peer.id && p.id !== ctx.self.nodeId && (!permission?.recipients || permission.recipients.includes(p.id)),
    );
    const ids = new Set(candidates.map((p) => p.id));
    const matches = referral.content ? await matchServices(ctx, { needs: referral.content.needs, limit: 100 }) : { results: [] };
    return {
      allowed: permission?.allowed === true,
      peers: candidates.map((p) => ({ id: p.id, name: p.name })),
      services: matches.results
        .filter((m) => m.referable && ids.has(m.organization.node_id))
        .map((m) => ({ peerId: m.organization.node_id, peerName: m.organization.name, id: m.service.id, name: textIn(m.service.name, language) })),
    };
  }

  /** The service a referral is for, by name, when this node knows it (its own, or a peer's in a directory held). */
  async function serviceName(referral: ReferralDetail, language: Language): Promise<string | undefined> {
    const id = referral.content?.service_id;
    if (!id) return undefined;
    if (referral.direction === 'incoming') {
      const own = (await listServices(db)).find((s) => s.id === id);
      return own ? textIn(own.name, language) : undefined;
    }
    const held = await heldServiceOf(ctx, referral.peer.id, id);
    return held ? textIn(held.name, language) : undefined;
  }

  /**
   * The referral's page. Showing her data is an event the audit log records (`referral.opened`),
   * as the local API does; a form refused is shown again without her data, so that a refusal
   * changes nothing at all.
   */
  async function referralPage(
    r: UiRequest,
    id: string,
    refused?: { error: Sentence; failed?: FailedAction; status: 404 | 409 | 422; pseudonym?: PseudonymForm; withdrawMistake?: FieldMistake; assignment?: Pick<Responsibility, 'typed' | 'mistake'> },
  ): Promise<Response> {
    const { c, page, session, language } = r;
    // Before the referral is read: what is told to her after this moment, she has not seen here.
    const readFrom = ctx.clock.now();
    const full = await getReferralDetail(ctx, id);
    if (!full) return notFound(c, page);
    let referral = full;
    if (refused) {
      const { content: _content, inquiry: _inquiry, information: _information, ...rest } = full;
      referral = { ...rest, timeline: full.timeline.map(({ note: _note, ...entry }) => entry) };
    } else {
      // Seen by her as it is now (its unread mark goes); showing her data is in the audit log.
      const showsData = full.content !== undefined || full.inquiry !== undefined || full.information !== undefined;
      await ctx.database.transaction(async (tx) => {
        // As of the change shown: one that arrived while the page was made stays new to her.
        await markReferralRead(tx, session.user.id, id, new Date(full.updated_at));
        await markAllNotificationsRead(tx, session.user.id, ctx.clock.now(), { referralId: id, madeBy: readFrom });
        if (showsData) await appendAuditEvent(tx, ctx.clock.now(), { kind: 'user', id: session.user.id }, { type: 'referral.opened', referral_id: id, user_id: session.user.id });
      });
    }
    const peers = await listPeers(db);
    const actions = actionsFor(full);
    return render(
      c,
      <ReferralPage
        page={page}
        referral={referral}
        limited={refused !== undefined}
        needs={full.content?.needs ?? full.inquiry?.needs ?? []}
        actions={actions}
        onward={actions.includes('refer-onward') ? await onwardChoices(full, peers, language) : undefined}
        failed={refused?.failed}
        error={refused?.error}
        peerNames={new Map(peers.map((p) => [p.id, p.name]))}
        userNames={await userNames(db)}
        serviceName={await serviceName(full, language)}
        pseudonym={full.erased_at ? undefined : (refused?.pseudonym ?? (refused ? undefined : { value: (await pseudonymFor(ctx, id)) ?? '' }))}
        withdrawal={await consentWithdrawal(full, peers, language, refused?.withdrawMistake)}
        responsibility={await responsibilityOf(full, refused?.assignment)}
      />,
      refused?.status ?? 200,
    );
  }

  /** Runs a service call for an action; a refusal the node explains shows the page again with the sentence. */
  async function act(r: UiRequest, id: string, action: ActionName, run: () => Promise<unknown>, notice: keyof Messages): Promise<Response> {
    try {
      await run();
    } catch (error) {
      const explained = explainOrThrow(r.t, error);
      const status = error instanceof DomainError && (error.status === 404 || error.status === 409) ? error.status : 422;
      return referralPage(r, id, { error: explained, failed: { action, values: valuesOf(r.form) }, status });
    }
    return redirect(r.c, `/ui/referrals/${id}`, notice);
  }

  const valuesOf = (form: FormFields): Record<string, string> =>
    Object.fromEntries(form.names().filter((name) => name !== '_csrf').map((name) => [name, form.text(name)]));

  /** The action's form as it was sent, and the field that was wrong with its sentence (said beside it), if one was. */
  const failedAt = (action: ActionName, form: FormFields, error: Sentence & { field?: string }): FailedAction => ({
    action,
    values: valuesOf(form),
    ...(error.field ? { field: error.field, sentence: error.sentence } : {}),
  });

  /** The referral the path names, or undefined (then the caller answers 404). */
  const knownReferral = async (id: string) => (isUuid(id) ? getReferralSummary(ctx, id) : undefined);

  ui.get('/referrals', ROLES, async ({ c, page, language, session }) => {
    const query = c.req.query();
    const peers = await listPeers(db);
    // Values that are not one of the choices are left out rather than refused.
    const filters: InboxFilters = {
      direction: query.direction === 'incoming' || query.direction === 'outgoing' ? query.direction : undefined,
      state: (STATES as readonly string[]).includes(query.state ?? '') ? (query.state as ReferralState) : undefined,
      peer: peers.some((p) => p.id === query.peer) ? query.peer : undefined,
      urgency: (URGENCIES as readonly string[]).includes(query.urgency ?? '') ? (query.urgency as InboxFilters['urgency']) : undefined,
      need: NEEDS().includes(query.need ?? '') ? query.need : undefined,
      owed: query.needs_action === 'true' || undefined,
      overdue: query.overdue === 'true' || undefined,
      assignee: query.assignee === 'mine' ? { userId: session.user.id } : query.assignee === 'unassigned' ? 'unassigned' : undefined,
    };
    const asked = /^\d{1,6}$/.test(query.page ?? '') ? Number(query.page) - 1 : 0;
    let found = await inboxPage(ctx, filters, Math.max(0, asked), PAGE_SIZE, session.user.id);
    // A page past the last shows the last.
    const last = Math.max(0, Math.ceil(found.total / PAGE_SIZE) - 1);
    if (asked > last) found = await inboxPage(ctx, filters, last, PAGE_SIZE, session.user.id);
    const own = new Map((await listServices(db)).map((s) => [s.id, textIn(s.name, language)]));
    const countries = new Map(peers.map((p) => [p.id, p.country]));
    const rows: ListRow[] = [];
    for (const summary of found.items) {
      // The needs and the service are no personal data; the rest of the payload is not shown here.
      const offer = await readPayload<ReferralOfferBody>(db, ctx.dataKeys, summary.id, 'referral.offer');
      const inquiry = offer ? undefined : await readPayload<ReferralInquiryBody>(db, ctx.dataKeys, summary.id, 'referral.inquiry');
      rows.push({
        summary,
        who: await whoFor(ctx, summary.id, offer),
        needs: offer?.needs ?? inquiry?.needs ?? [],
        country: countries.get(summary.peer.id),
        service: summary.direction === 'incoming' && offer?.service_id ? own.get(offer.service_id) : undefined,
      });
    }
    const data: ListData = {
      filters, page: Math.min(Math.max(0, asked), last), pageSize: PAGE_SIZE, total: found.total, counts: found.counts, rows,
      peers: peers.map((p) => ({ id: p.id, name: p.name, country: p.country })), needs: NEEDS(), now: ctx.clock.now(),
      unread: await unreadAmong(db, session.user.id, found.items),
      people: await userNames(db),
      you: session.user.id,
    };
    return render(c, <ReferralListPage page={page} data={data} />);
  });

  // Finding her referral (node/referrals/search.ts): posted, so that what is typed stays out of addresses.
  ui.get('/search', ROLES, async (r) => render(r.c, <SearchPage page={r.page} data={{ query: '' }} />));
  ui.post('/search', ROLES, async (r) => {
    const { t } = r;
    const query = r.form.text('query');
    const outcome: SearchOutcome = await searchReferrals(ctx, query);
    if (!outcome.ok) {
      const sentence = { 'too-many': t.searchTooMany, 'too-long': t.searchTooLong, 'too-short': t.searchTooShort }[outcome.reason];
      return render(r.c, <SearchPage page={r.page} data={{ query, mistake: { field: 'search-query', sentence } }} />, 422);
    }
    const peers = new Map((await listPeers(db)).map((p) => [p.id, p.country]));
    const ids = outcome.hits.map((hit) => hit.id);
    const consents = new Map(outcome.hits.map((hit) => [hit.id, hit.consentId]));
    // Her pseudonym if the caseworker chose one, else the initials the search read already.
    const who = new Map<string, string>();
    for (const hit of outcome.hits) {
      const named = (await pseudonymFor(ctx, hit.id)) ?? hit.initials;
      if (named) who.set(hit.id, named);
    }
    const hits: SearchHit[] = (await referralSummaries(ctx, ids)).map((summary) => ({
      summary, who: who.get(summary.id), country: peers.get(summary.peer.id), consentId: consents.get(summary.id),
    }));
    return render(r.c, <SearchPage page={r.page} data={{ query, hits }} />);
  });

  ui.get('/referrals/:id', ROLES, async (r) => {
    const id = paramOf(r, 'id');
    if (!isUuid(id)) return notFound(r.c, r.page);
    return referralPage(r, id);
  });

  /** Who is responsible for the referral here, and whom it can be handed over to. */
  async function responsibilityOf(referral: ReferralDetail, refused?: Pick<Responsibility, 'typed' | 'mistake'>): Promise<Responsibility> {
    const users = await listUsers(db);
    const colleagues = users.filter((u) => !u.disabled_at && (u.role === 'admin' || u.role === 'caseworker')).map((u) => ({ id: u.id, name: shownName(u) }));
    const current = referral.assignee_id ? users.find((u) => u.id === referral.assignee_id) : undefined;
    return {
      ...(referral.assignee_id ? { current: { id: referral.assignee_id, name: current ? shownName(current) : '' } } : {}),
      colleagues: colleagues.sort((a, b) => a.name.localeCompare(b.name)),
      ...refused,
    };
  }

  ui.post('/referrals/:id/assign', ROLES, async (r) => {
    const { t, form } = r;
    const id = paramOf(r, 'id');
    if (!(await knownReferral(id))) return notFound(r.c, r.page);
    const to = form.text('to');
    const note = form.text('note');
    const again = (field: 'assign-to' | 'assign-note', sentence: string) =>
      referralPage(r, id, { error: { sentence }, status: 422, assignment: { typed: { to, note }, mistake: { field, sentence } } });
    if (to !== '' && !isUuid(to)) return again('assign-to', t.refNotAColleague);
    if (note.length > MAX_HANDOVER_NOTE) return again('assign-note', format(t.refHandOverNoteTooLong, { max: MAX_HANDOVER_NOTE }));
    try {
      await assignReferral(ctx, { userId: r.session.user.id }, id, { to: to === '' ? null : to, note });
    } catch (error) {
      if (error instanceof DomainError && error.problem === 'invalid-request') return again('assign-to', t.refNotAColleague);
      return referralPage(r, id, { error: explainOrThrow(t, error), status: error instanceof DomainError && error.status === 409 ? 409 : 422 });
    }
    return redirect(r.c, `/ui/referrals/${id}`, 'refAssignedNotice');
  });

  /**
   * Withdrawing her consent for the referral's organisation, offered on a sent referral whose
   * consent was given here and is still in force for that organisation: which referrals to it rest
   * on the consent, said by case reference.
   */
  async function consentWithdrawal(
    referral: ReferralDetail,
    peers: ReadonlyArray<{ id: string; name: string; country: string }>,
    language: Language,
    mistake?: FieldMistake,
  ): Promise<ConsentWithdrawal | undefined> {
    if (referral.direction !== 'outgoing' || !referral.consent_id || referral.state === 'draft' || referral.state === 'consent-withdrawn') return undefined;
    const consent = await getConsent(ctx, referral.consent_id);
    if (!consent || !withdrawnHere(consent) || consent.withdrawn_for.includes(referral.peer.id) || !consent.recipients.includes(referral.peer.id)) return undefined;
    const peer = peers.find((p) => p.id === referral.peer.id);
    const cases = consent.referrals.filter((ref) => ref.direction === 'outgoing' && ref.peer_id === referral.peer.id && !ref.erased_at).map((ref) => ref.case_reference);
    return { consentId: consent.id, organisation: peer ? `${peer.name} (${countryName(peer.country, language)})` : referral.peer.name, cases, mistake };
  }

  ui.post('/referrals/:id/withdraw-consent', ROLES, async (r) => {
    const { t } = r;
    const id = paramOf(r, 'id');
    const summary = await knownReferral(id);
    if (!summary) return notFound(r.c, r.page);
    const detail = await getReferralDetail(ctx, id);
    const withdrawal = detail ? await consentWithdrawal(detail, await listPeers(db), r.language) : undefined;
    if (!withdrawal) return referralPage(r, id, { error: { sentence: t.refConsentNotWithdrawable }, status: 409 });
    if (r.form.text('confirm') !== 'yes') {
      const sentence = t.consentWithdrawConfirmMissing;
      return referralPage(r, id, { error: { sentence }, status: 422, withdrawMistake: { field: 'withdraw-consent-confirm', sentence } });
    }
    try {
      await withdrawConsent(ctx, { userId: r.session.user.id }, withdrawal.consentId, { recipients: [summary.peer.id] });
    } catch (error) {
      return referralPage(r, id, { error: explainOrThrow(t, error), status: error instanceof DomainError && error.status === 409 ? 409 : 422 });
    }
    return redirect(r.c, `/ui/referrals/${id}`, 'consentWithdrawnNotice');
  });

  // A name for her in the lists: only this node sees it (node/referrals/pseudonym.ts).
  ui.post('/referrals/:id/pseudonym', ROLES, async (r) => {
    const { t } = r;
    const id = paramOf(r, 'id');
    if (!(await knownReferral(id))) return notFound(r.c, r.page);
    const given = r.form.text('pseudonym');
    const checked = given === '' ? undefined : pseudonymOf(given);
    if (checked && !checked.ok) {
      const sentence = checked.problem === 'too-long' ? format(t.refPseudonymTooLong, { max: MAX_PSEUDONYM_LENGTH }) : t.refPseudonymOneLine;
      return referralPage(r, id, { error: { sentence }, status: 422, pseudonym: { value: given, mistake: { field: 'pseudonym', sentence } } });
    }
    try {
      await setPseudonym(ctx, id, checked ? checked.text : null);
    } catch (error) {
      return referralPage(r, id, { error: explainOrThrow(t, error), status: error instanceof DomainError && error.status === 409 ? 409 : 422 });
    }
    return redirect(r.c, `/ui/referrals/${id}`, checked ? 'refPseudonymSaved' : 'refPseudonymRemoved');
  });

  for (const [action, schema, notice] of LIFECYCLE_FORMS) {
    ui.post(`/referrals/:id/${action}`, ROLES, async (r) => {
      const id = paramOf(r, 'id');
      if (!(await knownReferral(id))) return notFound(r.c, r.page);
      const built = matchesSchema(r.t, schema, lifecycleContent(action, r.form, r.t));
      if ('error' in built) return referralPage(r, id, { error: built.error, failed: failedAt(action, r.form, built.error), status: 422 });
      const message = `referral.${action}` as LifecycleMessage;
      return act(r, id, action, () => sendLifecycleMessage(ctx, { userId: r.session.user.id }, id, message, built.content), notice);
    });
  }

  ui.post('/referrals/:id/refer-onward', ROLES, async (r) => {
    const { form, t } = r;
    const id = paramOf(r, 'id');
    if (!(await knownReferral(id))) return notFound(r.c, r.page);
    const to = form.optional('to');
    const reason = form.optional('reason');
    const serviceId = form.optional('service_id');
    const note = form.optional('note');
    const built: Built<ReferOnwardRequest> = !to
      ? required(t, t.refOnwardPeer, 'to')
      : !reason
        ? required(t, t.refOnwardReason, 'reason')
        : serviceId !== undefined && !isUuid(serviceId)
          ? { error: { sentence: format(t.refChooseValid, { field: t.refOnwardService }), field: 'service_id' } }
          : { content: { to, reason, ...(serviceId ? { service_id: serviceId } : {}), ...(note ? { note } : {}) } };
    const checked = matchesSchema(t, 'ReferOnwardRequest', built);
    if ('error' in checked) return referralPage(r, id, { error: checked.error, failed: failedAt('refer-onward', form, checked.error), status: 422 });
    return act(r, id, 'refer-onward', () => referOnward(ctx, { userId: r.session.user.id }, id, checked.content), 'refNoticeOnward');
  });

  ui.post('/referrals/:id/send', ROLES, async (r) => {
    const id = paramOf(r, 'id');
    if (!(await knownReferral(id))) return notFound(r.c, r.page);
    return act(r, id, 'send', () => sendDraft(ctx, { userId: r.session.user.id }, id), 'refNoticeDraftSent');
  });

  ui.post('/referrals/:id/messages/:envelope/retry', ROLES, async (r) => {
    const id = paramOf(r, 'id');
    const envelope = paramOf(r, 'envelope');
    if (!(await knownReferral(id)) || !isUuid(envelope)) return notFound(r.c, r.page);
    return act(
      r,
      id,
      'send',
      async () => {
        await requeueFailedMessage(ctx, id, envelope);
        ui.onQueued();
      },
      'refNoticeRetry',
    );
  });
}
