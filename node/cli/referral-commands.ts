// `referral-node referral ...`: sending, reading, and every lifecycle action, for scripts and for
// people at a terminal. Each action is the same operation as its local API endpoint.
import { Option, type Command } from 'commander';
import { readFileSync } from 'node:fs';
import { normaliseNodeUrl } from '../peers/node-url.js';
import type { CreateReferralRequest, ListFilter, OfferContent } from '../referrals/service.js';
import type { LifecycleContent } from '../referrals/messages.js';
import type { CreateInquiryRequest } from '../referrals/inquiry.js';
import type { LifecycleMessage } from '../referrals/lifecycle.js';
import { describeErrors, queryValidatorFor, validatorFor } from '../schema/validators.js';
import { CliError, printTable, type CliIo } from './output.js';
import { dataOption, withNode } from './data-folder.js';
import type { Db } from '../db/database.js';

/** What the referral commands run, loaded when one of them runs. */
const referrals = () => import('./node-functions.js');

export async function actingUser(db: Db, username: string): Promise<string> {
  const { findUserByName } = await import('./node-functions.js');
  const user = await findUserByName(db, username);
  if (!user || user.disabled_at || user.role === 'auditor') throw new CliError(`${username} is not an active administrator or caseworker of this node.`);
  return user.id;
}

interface ActionSpec {
  message: LifecycleMessage;
  schema: string;
  description: string;
  /** The option that carries the text (questions, answer) or code (reason, status, outcome). */
  options: Array<{ flags: string; description: string; field: keyof LifecycleContent; required?: boolean; choices?: string[] }>;
}

const NOTE = { flags: '--note <text>', description: 'a note to the other organisation (sent encrypted)', field: 'note' as const };

const ACTIONS: ActionSpec[] = [
  {
    message: 'referral.inquiry-answer', schema: 'InquiryAnswerRequest', description: 'Say whether you can help (receiver of an inquiry).',
    options: [
      { flags: '--capacity <code>', description: 'your answer', field: 'capacity', required: true, choices: ['can-help', 'waiting-list', 'cannot-help'] },
      { flags: '--available-from <date>', description: 'from when (YYYY-MM-DD)', field: 'available_from' },
      { flags: '--reason <code>', description: 'why not', field: 'reason', choices: ['no-capacity', 'not-eligible', 'out-of-area', 'client-unreachable', 'other'] },
      NOTE,
    ],
  },
  { message: 'referral.info-request', schema: 'InfoRequestRequest', description: 'Ask the sender for more information (receiver).', options: [{ flags: '--questions <text>', description: 'what you need to know', field: 'questions', required: true }] },
  { message: 'referral.info-response', schema: 'InfoResponseRequest', description: 'Answer an information request (sender).', options: [{ flags: '--answer <text>', description: 'the answer', field: 'answer', required: true }] },
  { message: 'referral.accept', schema: 'AcceptRequest', description: 'Accept the referral (receiver).', options: [NOTE] },
  { message: 'referral.decline', schema: 'DeclineRequest', description: 'Decline the referral (receiver).', options: [{ flags: '--reason <code>', description: 'why', field: 'reason', required: true, choices: ['no-capacity', 'not-eligible', 'out-of-area', 'client-unreachable', 'other'] }, NOTE] },
  { message: 'referral.update', schema: 'UpdateRequest', description: 'Report progress (receiver).', options: [{ flags: '--status <code>', description: 'where it stands', field: 'status', required: true, choices: ['first-contact-made', 'service-started', 'on-hold', 'resumed', 'other'] }, NOTE] },
  { message: 'referral.complete', schema: 'CompleteRequest', description: 'Report the outcome and close the referral (receiver).', options: [{ flags: '--outcome <code>', description: 'the outcome', field: 'outcome', required: true, choices: ['service-completed', 'goals-partly-met', 'client-stopped', 'client-unreachable', 'referred-elsewhere', 'other'] }, NOTE] },
  { message: 'referral.withdraw', schema: 'WithdrawRequest', description: 'Withdraw the referral (sender).', options: [{ flags: '--reason <code>', description: 'why', field: 'reason', required: true, choices: ['client-request', 'need-met-elsewhere', 'sent-in-error', 'other'] }, NOTE] },
];

export function readJsonFile(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file === '-' ? 0 : file, 'utf8'));
  } catch {
    throw new CliError(`${file} cannot be read as JSON.`);
  }
}

export function checkAgainst(schema: string, value: unknown): void {
  const check = validatorFor('local', schema);
  if (!check(value)) {
    throw new CliError(`The file does not match ${schema}:\n${describeErrors(check.errors).map((e) => `  ${e.path}: ${e.message}`).join('\n')}`);
  }
}

export function addReferralCommands(program: Command, io: CliIo): void {
  const referral = program.command('referral').description('Referrals: send, list, show, and act on them (accept, decline, ...).');
  referral
    .command('send')
    .description('Send a referral offer to a trusted peer, from a JSON file in the local API\'s CreateReferralRequest form.')
    .addOption(dataOption())
    .requiredOption('--file <path>', 'the referral as JSON (`-` for standard input)')
    .option('--to <peer>', 'the peer\'s id (overrides "to" in the file)')
    .requiredOption('--user <name>', 'the user recording the consent and sending')
    .option('--draft', 'save it as a draft instead of sending it (send later with `referral send-draft`)')
    .option('--json', 'print JSON')
    .action(async (options: { data?: string; file: string; to?: string; user: string; draft?: boolean; json?: boolean }) => {
      const request = readJsonFile(options.file);
      if (request && typeof request === 'object') {
        if (options.to) (request as Record<string, unknown>).to = normaliseNodeUrl(options.to);
        if (options.draft) (request as Record<string, unknown>).draft = true;
      }
      checkAgainst('CreateReferralRequest', request);
      await withNode(options, async ({ ctx, delivery }) => {
        const { createReferral, getReferralSummary } = await referrals();
        const userId = await actingUser(ctx.database.db, options.user);
        const created = await createReferral(ctx, { userId }, request as CreateReferralRequest);
        await delivery.deliverDueEnvelopes();
        const summary = (await getReferralSummary(ctx, created.id)) ?? created;
        if (options.json) return io.out(JSON.stringify(summary, null, 2));
        io.out(`Referral ${summary.id} to ${summary.peer.name}: ${summary.state}${summary.delivery?.last_error ? ` (last error: ${summary.delivery.last_error}; the running node retries)` : ''}`);
      });
    });
  referral
    .command('inquire')
    .description('Ask a trusted peer whether it can help, sending no personal data (a CreateInquiryRequest JSON file).')
    .addOption(dataOption())
    .requiredOption('--file <path>', 'the inquiry as JSON (`-` for standard input)')
    .option('--to <peer>', 'the peer\'s id (overrides "to" in the file)')
    .requiredOption('--user <name>', 'the user asking')
    .option('--json', 'print JSON')
    .action(async (options: { data?: string; file: string; to?: string; user: string; json?: boolean }) => {
      const request = readJsonFile(options.file);
      if (options.to && request && typeof request === 'object') (request as Record<string, unknown>).to = normaliseNodeUrl(options.to);
      checkAgainst('CreateInquiryRequest', request);
      await withNode(options, async ({ ctx, delivery }) => {
        const { createInquiry, getReferralSummary } = await referrals();
        const created = await createInquiry(ctx, { userId: await actingUser(ctx.database.db, options.user) }, request as CreateInquiryRequest);
        await delivery.deliverDueEnvelopes();
        const summary = (await getReferralSummary(ctx, created.id)) ?? created;
        if (options.json) return io.out(JSON.stringify(summary, null, 2));
        io.out(`Inquiry ${summary.id} to ${summary.peer.name}: ${summary.state}.`);
      });
    });
  referral
    .command('offer <id>')
    .description('Make the offer after an answered inquiry (an OfferRequest JSON file: the referral without "to").')
    .addOption(dataOption())
    .requiredOption('--file <path>', 'the offer as JSON (`-` for standard input)')
    .requiredOption('--user <name>', 'the user recording the consent and sending')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { data?: string; file: string; user: string; json?: boolean }) => {
      const request = readJsonFile(options.file);
      checkAgainst('OfferRequest', request);
      await withNode(options, async ({ ctx, delivery }) => {
        const { getReferralSummary, offerAfterInquiry } = await referrals();
        await offerAfterInquiry(ctx, { userId: await actingUser(ctx.database.db, options.user) }, id, request as OfferContent);
        await delivery.deliverDueEnvelopes();
        const summary = await getReferralSummary(ctx, id);
        if (options.json) return io.out(JSON.stringify(summary, null, 2));
        io.out(`Referral ${id}: ${summary?.state}.`);
      });
    });
  referral
    .command('refer-onward <id>')
    .description('Refer a received case on to a third organisation, when the client\'s consent allows it (receiver).')
    .addOption(dataOption())
    .requiredOption('--to <peer>', 'the third organisation\'s node id')
    .requiredOption('--reason <text>', 'why, for the third organisation')
    .option('--note <text>', 'a note to the original sender')
    .requiredOption('--user <name>', 'the user acting')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { data?: string; to: string; reason: string; note?: string; user: string; json?: boolean }) => {
      const request = { to: normaliseNodeUrl(options.to), reason: options.reason, ...(options.note ? { note: options.note } : {}) };
      checkAgainst('ReferOnwardRequest', request);
      await withNode(options, async ({ ctx, delivery }) => {
        const { getReferralSummary, referOnward } = await referrals();
        const created = await referOnward(ctx, { userId: await actingUser(ctx.database.db, options.user) }, id, request);
        await delivery.deliverDueEnvelopes();
        const summary = (await getReferralSummary(ctx, created.id)) ?? created;
        if (options.json) return io.out(JSON.stringify(summary, null, 2));
        io.out(`Referred on to ${summary.peer.name} as referral ${summary.id}: ${summary.state}.`);
      });
    });
  referral
    .command('send-draft <id>')
    .description('Send a draft referral (the peer must be trusted and the consent in force).')
    .addOption(dataOption())
    .requiredOption('--user <name>', 'the user sending')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { data?: string; user: string; json?: boolean }) => {
      await withNode(options, async ({ ctx, delivery }) => {
        const { getReferralSummary, sendDraft } = await referrals();
        const userId = await actingUser(ctx.database.db, options.user);
        await sendDraft(ctx, { userId }, id);
        await delivery.deliverDueEnvelopes();
        const summary = await getReferralSummary(ctx, id);
        if (options.json) return io.out(JSON.stringify(summary, null, 2));
        io.out(`Referral ${id}: ${summary?.state}.`);
      });
    });
  referral
    .command('list')
    .description('List referrals, newest first.')
    .addOption(dataOption())
    .addOption(new Option('--direction <d>', 'incoming or outgoing').choices(['incoming', 'outgoing']))
    .option('--state <state>', 'only referrals in this state')
    .option('--peer <id>', 'only referrals with this peer')
    .option('--needs-action', 'only referrals waiting for this organisation')
    .option('--updated-since <time>', 'only referrals changed at or after this time (ISO 8601)')
    .option('--limit <n>', 'how many', '50')
    .option('--json', 'print JSON')
    .action(async (options: { data?: string; direction?: 'incoming' | 'outgoing'; state?: string; peer?: string; needsAction?: boolean; updatedSince?: string; limit: string; json?: boolean }) => {
      // The same filter, checked by the same schema, as GET /api/v1/referrals.
      const filter = {
        ...(options.direction ? { direction: options.direction } : {}),
        ...(options.state ? { state: options.state } : {}),
        ...(options.peer ? { peer: normaliseNodeUrl(options.peer) } : {}),
        ...(options.needsAction ? { needs_action: 'true' } : {}),
        ...(options.updatedSince ? { updated_since: options.updatedSince } : {}),
        limit: /^\d+$/.test(options.limit) ? Number(options.limit) : options.limit,
      };
      const check = queryValidatorFor('local', '/api/v1/referrals', 'get');
      if (!check(filter)) throw new CliError(`Invalid filter: ${describeErrors(check.errors).map((e) => `${e.path} ${e.message}`).join('; ')}`);
      await withNode(options, async (node) => {
        const { listReferrals } = await referrals();
        const page = await listReferrals(node.ctx, filter as ListFilter);
        if (options.json) return io.out(JSON.stringify(page, null, 2));
        io.out(
          page.items.length === 0
            ? 'No referrals.'
            : printTable(
                page.items.map((r) => ({
                  case: r.case_reference, id: r.id, direction: r.direction, peer: r.peer.name, state: r.state, urgency: r.urgency,
                  owed: r.attention ? `${r.attention.reason}${r.attention.overdue ? ' (late)' : ''}` : '', updated: r.updated_at,
                })),
                ['case', 'id', 'direction', 'peer', 'state', 'urgency', 'owed', 'updated'],
              ),
        );
      });
    });
  referral
    .command('retry <id> <envelope>')
    .description('Send a message the peer refused for good once more, after its cause was dealt with (see last_error in `referral show --json`).')
    .addOption(dataOption())
    .action(async (id: string, envelope: string, options: { data?: string }) => {
      await withNode(options, async ({ ctx, delivery }) => {
        const { getReferralSummary, requeueFailedMessage } = await referrals();
        await requeueFailedMessage(ctx, id, envelope);
        await delivery.deliverDueEnvelopes();
        const summary = await getReferralSummary(ctx, id);
        io.out(`Message ${envelope} queued again; referral ${id} is ${summary?.state}.`);
      });
    });
  referral
    .command('show <id>')
    .description('Show one referral with its content (decrypted) and messages.')
    .addOption(dataOption())
    .option('--json', 'print JSON')
    .action(async (id: string, options: { data?: string; json?: boolean }) => {
      await withNode(options, async (node) => {
        const { allowedActions, getReferralDetail, partyOf } = await referrals();
        const detail = await getReferralDetail(node.ctx, id);
        if (!detail) throw new CliError(`No referral ${id} on this node.`);
        if (options.json) return io.out(JSON.stringify(detail, null, 2));
        const { content, inquiry } = detail;
        io.out(
          [
            `Referral ${detail.id} (${detail.direction}, ${detail.direction === 'incoming' ? 'from' : 'to'} ${detail.peer.name})`,
            `State:    ${detail.state}${detail.delivery ? `, delivery ${detail.delivery.state} after ${detail.delivery.attempts} attempt(s)` : ''}`,
            ...(inquiry
              ? [
                  `Inquiry:  ${inquiry.needs.join(', ')}; ${inquiry.urgency}; profile ${JSON.stringify(inquiry.profile)}`,
                  ...(inquiry.answer ? [`Answer:   ${inquiry.answer.capacity}${inquiry.answer.available_from ? ` from ${inquiry.answer.available_from}` : ''}${inquiry.answer.note ? `: ${inquiry.answer.note}` : ''}`] : []),
                ]
              : []),
            ...(content
              ? [
                  `Urgency:  ${content.urgency}${content.reply_by ? `, reply by ${content.reply_by}` : ''}`,
                  `Needs:    ${content.needs.join(', ')}`,
                  `Reason:   ${content.reason}`,
                  `Consent:  ${content.consent.categories.join(', ') || 'no personal data'}; ${content.consent.method}; valid until ${content.consent.valid_until}`,
                  `Client:`,
                  ...JSON.stringify(content.client, null, 2).split('\n').map((l) => `  ${l}`),
                ]
              : []),
            ...(detail.information ?? []).map((i) => `${i.action === 'referral.info-request' ? 'Asked' : 'Answered'} ${i.at}: ${i.text ?? ''}`),
            ...(detail.erased_at ? [`Erased:   ${detail.erased_at} (${detail.erasure_reason}); only the record of what happened is kept`] : []),
            ...(detail.erasures ?? []).map(
              (e) => `Erasure:  ${e.node_id}${e.onward_referral_id ? ` (onward)` : ''}: ${e.status === 'confirmed' ? `confirmed ${e.confirmed_at}, signed statement held` : `outstanding since ${e.requested_at}`}`,
            ),
            'Timeline:',
            ...detail.timeline.map((t) => `  ${t.at}  ${t.action.padEnd(22)} ${(t.from_state ?? '').padStart(14)} -> ${t.to_state.padEnd(14)} by ${t.by.kind} ${t.by.id}${t.code ? `  [${t.code}]` : ''}${t.note ? `  "${t.note}"` : ''}`),
            `Next:     ${[
              ...(detail.direction === 'outgoing' && detail.state === 'inquiry-answered' ? ['referral offer'] : []),
              ...(detail.direction === 'outgoing' && detail.state === 'draft' ? ['referral send-draft'] : []),
              ...allowedActions(partyOf(detail.direction), detail.state).map((m) => (m === 'referral.onward' ? 'referral refer-onward' : `referral ${m.slice('referral.'.length)}`)),
            ].join(', ') || 'nothing: the referral is closed or waits for the other organisation'}`,
          ].join('\n'),
        );
      });
    });


  for (const action of ACTIONS) {
    const name = action.message.slice('referral.'.length);
    const command = referral
      .command(`${name} <id>`)
      .description(action.description)
      .addOption(dataOption())
      .requiredOption('--user <name>', 'the user acting')
      .option('--json', 'print JSON');
    for (const spec of action.options) {
      const option = new Option(spec.flags, spec.description);
      if (spec.choices) option.choices(spec.choices);
      if (spec.required) option.makeOptionMandatory();
      command.addOption(option);
    }
    command.action(async (id: string, options: Record<string, string | boolean | undefined>) => {
      const content: LifecycleContent = {};
      for (const spec of action.options) {
        const key = spec.flags.slice(2).split(' ')[0]!.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
        const value = options[key];
        if (typeof value === 'string') (content as Record<string, string>)[spec.field] = value;
      }
      const check = validatorFor('local', action.schema);
      if (!check(content)) throw new CliError(`Invalid ${name}: ${describeErrors(check.errors).map((e) => `${e.path} ${e.message}`).join('; ')}`);
      await withNode({ data: options.data as string | undefined }, async (node) => {
        const { getReferralSummary, sendLifecycleMessage } = await referrals();
        const userId = await actingUser(node.ctx.database.db, options.user as string);
        await sendLifecycleMessage(node.ctx, { userId }, id, action.message, content);
        await node.delivery.deliverDueEnvelopes();
        const summary = await getReferralSummary(node.ctx, id);
        if (options.json) return io.out(JSON.stringify(summary, null, 2));
        io.out(`Referral ${id}: ${summary?.state}.`);
      });
    });
  }
}
