// The forms for what can be done on a referral now: only those its state and this node's side
// allow (the route asks the lifecycle table), each a separate POST form that works without
// JavaScript. Declining and withdrawing ask for a reason and are marked as destructive.
import type { Child } from 'hono/jsx';
import { FieldError, fieldState, type FieldMistake } from '../field-error.js';
import type { ReferralDetail } from '../../../node/referrals/service.js';
import { format, type Messages } from '../../i18n/catalogue.js';
import { labelOf } from './labels.js';

export type ActionName =
  | 'inquiry-answer'
  | 'accept'
  | 'info-request'
  | 'info-response'
  | 'update'
  | 'complete'
  | 'refer-onward'
  | 'send'
  | 'offer'
  | 'decline'
  | 'withdraw';

/** The order the forms are shown in: what moves the referral on first, what ends it last. */
export const ACTION_ORDER: readonly ActionName[] = [
  'inquiry-answer', 'accept', 'info-request', 'info-response', 'update', 'complete', 'refer-onward', 'send', 'offer', 'decline', 'withdraw',
];

export const CAPACITIES = ['can-help', 'waiting-list', 'cannot-help'] as const;
export const DECLINE_REASONS = ['no-capacity', 'not-eligible', 'out-of-area', 'client-unreachable', 'other'] as const;
export const UPDATE_STATUSES = ['first-contact-made', 'service-started', 'on-hold', 'resumed', 'other'] as const;
export const OUTCOMES = ['service-completed', 'goals-partly-met', 'client-stopped', 'client-unreachable', 'referred-elsewhere', 'other'] as const;
export const WITHDRAW_REASONS = ['client-request', 'need-met-elsewhere', 'sent-in-error', 'other'] as const;

/** The further details an answer may carry, by the consent category they belong to: a form field each. */
export const FURTHER_DETAILS = [
  ['contact', 'client.contact.phone', 'refPhone'],
  ['contact', 'client.contact.email', 'refEmail'],
  ['contact', 'client.contact.safe_to_contact', 'refSafeToContact'],
  ['situation', 'client.situation.summary', 'refSituation'],
  ['health', 'client.health.note', 'refHealth'],
] as const satisfies ReadonlyArray<readonly [string, string, keyof Messages]>;

export interface OnwardChoices {
  /** Whether her consent allows referring her on at all. */
  allowed: boolean;
  peers: ReadonlyArray<{ id: string; name: string }>;
  services: ReadonlyArray<{ peerId: string; peerName: string; id: string; name: string }>;
}

/** A form that was refused, shown again with what was entered. */
export interface FailedAction {
  action: ActionName;
  values: Readonly<Record<string, string>>;
  /** The form field that was wrong, and what was wrong with it (said beside it). */
  field?: string;
  sentence?: string;
}

export interface ActionsProps {
  t: Messages;
  csrf: string;
  referral: ReferralDetail;
  actions: readonly ActionName[];
  onward?: OnwardChoices | undefined;
  failed?: FailedAction | undefined;
}

interface FieldProps {
  action: ActionName;
  name: string;
  label: string;
  required?: boolean;
  /** The action's form as it was refused, if it was: what was typed in this field, and whether it was wrong. */
  failed: FailedAction | undefined;
}

const idOf = (action: string, name: string) => `${action}-${name}`;

/** What was typed in this field, when the refused form was this action's. */
const typedIn = (props: FieldProps): string => (props.failed?.action === props.action ? props.failed.values[props.name] : undefined) ?? '';

/** The mistake of this field, when the refused form was this action's and this field was wrong. */
const mistakeOf = (props: FieldProps): FieldMistake | undefined =>
  props.failed?.action === props.action && props.failed.field === props.name && props.failed.sentence
    ? { field: idOf(props.action, props.name), sentence: props.failed.sentence }
    : undefined;

function TextArea(props: FieldProps) {
  const id = idOf(props.action, props.name);
  return (
    <>
      <label for={id}>{props.label}</label>
      <textarea id={id} name={props.name} required={props.required} {...fieldState(mistakeOf(props), id)}>
        {typedIn(props)}
      </textarea>
      <FieldError mistake={mistakeOf(props)} id={id} />
    </>
  );
}

function TextInput(props: FieldProps & { type?: string }) {
  const id = idOf(props.action, props.name);
  return (
    <>
      <label for={id}>{props.label}</label>
      <input id={id} name={props.name} type={props.type ?? 'text'} required={props.required} value={typedIn(props)} {...fieldState(mistakeOf(props), id)} />
      <FieldError mistake={mistakeOf(props)} id={id} />
    </>
  );
}

function Select(props: FieldProps & { t: Messages; options: ReadonlyArray<readonly [value: string, label: string]> }) {
  const id = idOf(props.action, props.name);
  const chosen = typedIn(props);
  return (
    <>
      <label for={id}>{props.label}</label>
      <select id={id} name={props.name} required={props.required} {...fieldState(mistakeOf(props), id)}>
        <option value="">{props.t.refChoose}</option>
        {props.options.map(([value, label]) => (
          <option value={value} selected={chosen === value}>
            {label}
          </option>
        ))}
      </select>
      <FieldError mistake={mistakeOf(props)} id={id} />
    </>
  );
}

const coded = (t: Messages, prefix: string, codes: readonly string[]) => codes.map((code) => [code, labelOf(t, prefix, code) ?? code] as const);

function ActionForm(props: { id: string; action: ActionName; heading: string; csrf: string; button: string; danger?: boolean; children?: Child }) {
  return (
    <section class="referral-action" aria-labelledby={`${props.action}-heading`}>
      <h3 id={`${props.action}-heading`}>{props.heading}</h3>
      <form method="post" action={`/ui/referrals/${props.id}/${props.action}`}>
        <input type="hidden" name="_csrf" value={props.csrf} />
        {props.children}
        <button type="submit" class={props.danger ? 'danger' : undefined}>
          {props.button}
        </button>
      </form>
    </section>
  );
}

export function ActionForms(props: ActionsProps) {
  const { t, csrf, referral } = props;
  const id = referral.id;
  const note = (action: ActionName, label = t.refNoteOptional) => <TextArea failed={props.failed} action={action} name="note" label={label} />;

  const forms: Record<ActionName, () => Child> = {
    'inquiry-answer': () => (
      <ActionForm id={id} action="inquiry-answer" heading={t.refInquiryAnswerHeading} csrf={csrf} button={t.refInquiryAnswerButton}>
        <Select failed={props.failed} t={t} action="inquiry-answer" name="capacity" label={t.refCapacity} required options={coded(t, 'ref.capacity.', CAPACITIES)} />
        <TextInput failed={props.failed} action="inquiry-answer" name="available_from" type="date" label={t.refAvailableFromField} />
        <Select failed={props.failed} t={t} action="inquiry-answer" name="reason" label={t.refCannotHelpReason} options={coded(t, 'ref.decline.', DECLINE_REASONS)} />
        {note('inquiry-answer')}
      </ActionForm>
    ),
    accept: () => (
      <ActionForm id={id} action="accept" heading={t.refAcceptHeading} csrf={csrf} button={t.refAcceptButton}>
        {note('accept')}
      </ActionForm>
    ),
    'info-request': () => (
      <ActionForm id={id} action="info-request" heading={t.refAskHeading} csrf={csrf} button={t.refAskButton}>
        <TextArea failed={props.failed} action="info-request" name="questions" label={t.refQuestions} required />
      </ActionForm>
    ),
    'info-response': () => {
      const covered = referral.content?.consent.categories ?? [];
      const fields = FURTHER_DETAILS.filter(([category]) => (covered as readonly string[]).includes(category));
      return (
        <ActionForm id={id} action="info-response" heading={t.refAnswerHeading} csrf={csrf} button={t.refAnswerButton}>
          <TextArea failed={props.failed} action="info-response" name="answer" label={t.refAnswer} required />
          {fields.length > 0 ? (
            <details>
              <summary>{t.refFurtherDetails}</summary>
              <p class="muted">{t.refFurtherDetailsHint}</p>
              {fields.map(([, name, label]) =>
                name.endsWith('summary') || name.endsWith('note') ? (
                  <TextArea failed={props.failed} action="info-response" name={name} label={t[label]} />
                ) : (
                  <TextInput failed={props.failed} action="info-response" name={name} label={t[label]} type={name.endsWith('email') ? 'email' : 'text'} />
                ),
              )}
            </details>
          ) : null}
        </ActionForm>
      );
    },
    update: () => (
      <ActionForm id={id} action="update" heading={t.refUpdateHeading} csrf={csrf} button={t.refUpdateButton}>
        <Select failed={props.failed} t={t} action="update" name="status" label={t.refStatus} required options={coded(t, 'ref.status.', UPDATE_STATUSES)} />
        {note('update')}
      </ActionForm>
    ),
    complete: () => (
      <ActionForm id={id} action="complete" heading={t.refCompleteHeading} csrf={csrf} button={t.refCompleteButton}>
        <Select failed={props.failed} t={t} action="complete" name="outcome" label={t.refOutcome} required options={coded(t, 'ref.outcome.', OUTCOMES)} />
        {note('complete')}
      </ActionForm>
    ),
    'refer-onward': () => {
      const onward = props.onward;
      if (!onward?.allowed) {
        return (
          <section class="referral-action" aria-labelledby="refer-onward-heading">
            <h3 id="refer-onward-heading">{t.refOnwardHeading}</h3>
            <p>{t.refOnwardForbidden}</p>
          </section>
        );
      }
      if (onward.peers.length === 0) {
        return (
          <section class="referral-action" aria-labelledby="refer-onward-heading">
            <h3 id="refer-onward-heading">{t.refOnwardHeading}</h3>
            <p>{t.refOnwardNoPeers}</p>
          </section>
        );
      }
      const chosenService = props.failed?.action === 'refer-onward' ? props.failed.values.service_id : undefined;
      return (
        <ActionForm id={id} action="refer-onward" heading={t.refOnwardHeading} csrf={csrf} button={t.refOnwardButton}>
          <Select failed={props.failed} t={t} action="refer-onward" name="to" label={t.refOnwardPeer} required options={onward.peers.map((p) => [p.id, p.name] as const)} />
          <label for="refer-onward-service_id">{t.refOnwardService}</label>
          <select id="refer-onward-service_id" name="service_id">
            <option value="">{t.refAnyService}</option>
            {onward.services.map((s) => (
              <option value={s.id} selected={chosenService === s.id}>
                {`${s.peerName}: ${s.name}`}
              </option>
            ))}
          </select>
          <TextArea failed={props.failed} action="refer-onward" name="reason" label={t.refOnwardReason} required />
          {note('refer-onward', format(t.refOnwardNote, { org: referral.peer.name }))}
        </ActionForm>
      );
    },
    send: () => <ActionForm id={id} action="send" heading={t.refDraftHeading} csrf={csrf} button={t.refDraftButton} />,
    offer: () => (
      <section class="referral-action" aria-labelledby="offer-heading">
        <h3 id="offer-heading">{t.refOfferHeading}</h3>
        <p>{t.refOfferText}</p>
        {/* The new-referral flow, from her consent on: the inquiry gives the needs and the organisation. */}
        <form method="post" action="/ui/referrals/new/consent">
          <input type="hidden" name="_csrf" value={csrf} />
          <input type="hidden" name="inquiry" value={id} />
          <button type="submit">{t.nrOfferButton}</button>
        </form>
      </section>
    ),
    decline: () => (
      <ActionForm id={id} action="decline" heading={t.refDeclineHeading} csrf={csrf} button={t.refDeclineButton} danger>
        <Select failed={props.failed} t={t} action="decline" name="reason" label={t.refDeclineReason} required options={coded(t, 'ref.decline.', DECLINE_REASONS)} />
        {note('decline')}
      </ActionForm>
    ),
    withdraw: () => (
      <ActionForm id={id} action="withdraw" heading={t.refWithdrawHeading} csrf={csrf} button={t.refWithdrawButton} danger>
        <Select failed={props.failed} t={t} action="withdraw" name="reason" label={t.refWithdrawReason} required options={coded(t, 'ref.withdraw.', WITHDRAW_REASONS)} />
        {note('withdraw')}
      </ActionForm>
    ),
  };

  const shown = ACTION_ORDER.filter((action) => props.actions.includes(action));
  return (
    <section aria-labelledby="actions" class="referral-actions">
      <h2 id="actions">{t.refActionsHeading}</h2>
      {shown.length === 0 ? <p>{t.refNoActions}</p> : shown.map((action) => forms[action]())}
    </section>
  );
}
