// The frame of each step of the new-referral flow: where the caseworker is among the steps, what
// was wrong with the last answers, and the step's POST form with the session's CSRF token.
import type { Child } from 'hono/jsx';
import { format, type Messages } from '../../i18n/catalogue.js';
import { ErrorNote } from '../../router.js';
import { Layout, type PageContext } from '../layout.js';
import type { InquiryTarget } from '../../answered-inquiry.js';
import { FieldError, fieldState, type FieldMistake } from '../field-error.js';
import type { StepMistake } from './flow.js';

export const STEPS = ['needs', 'matches', 'consent', 'details', 'review'] as const;
export type Step = (typeof STEPS)[number];
/** After an answered inquiry the needs are the inquiry's and the organisation is the one that answered. */
export const INQUIRY_STEPS: readonly Step[] = ['consent', 'details', 'review'];

export const stepName = (t: Messages, step: Step): string => t[`nr.step.${step}`];

/** Where each step's form is posted to show that step (with the answers it carries). */
export const STEP_ACTION: Readonly<Record<Step, string>> = {
  needs: '/ui/referrals/new',
  matches: '/ui/referrals/new/match',
  consent: '/ui/referrals/new/consent',
  details: '/ui/referrals/new/details',
  review: '/ui/referrals/new/review',
};

export interface StepProps {
  page: PageContext;
  /** What is wrong with the answers given: listed at the top, and said beside each control concerned. */
  errors?: readonly StepMistake[] | undefined;
  /** What the node said when it refused (sending). */
  problem?: { sentence: string; detail?: string } | undefined;
  /** The answered inquiry the referral is made for, if it is. */
  inquiry?: InquiryTarget | undefined;
}

export function StepFrame(props: StepProps & { step: Step; children: Child }) {
  const { t } = props.page;
  const errors = props.errors ?? [];
  const steps = props.inquiry ? INQUIRY_STEPS : STEPS;
  const index = steps.indexOf(props.step);
  return (
    <Layout page={props.page} title={t.newReferralTitle} nav="/ui/referrals/new">
      <nav aria-label={t.nrStepsLabel}>
        <ol class="nr-steps">
          {steps.map((step, i) => (
            <li aria-current={i === index ? 'step' : undefined} class={i < index ? 'nr-done' : undefined}>
              {stepName(t, step)}
            </li>
          ))}
        </ol>
      </nav>
      <h2>{format(t.nrStepOf, { n: index + 1, total: steps.length, name: stepName(t, props.step) })}</h2>
      {errors.length > 0 ? (
        <div class="error-box" role="alert">
          <p class="error">{t.nrPleaseCheck}</p>
          <ul>
            {errors.map((e) => (
              <li>{e.field ? <a href={`#${e.field}`}>{e.sentence}</a> : e.sentence}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <ErrorNote t={t} error={props.problem} />
      {props.children}
    </Layout>
  );
}

/** A step's form: posted (never a GET: the answers must not end up in an address). */
export function StepForm(props: { page: PageContext; action: string; children: Child }) {
  return (
    <form method="post" action={props.action} class="nr-form">
      <input type="hidden" name="_csrf" value={props.page.session?.csrf ?? ''} />
      {props.children}
    </form>
  );
}

/** The first mistake about the control or group `id`. */
function mistakeAt(errors: readonly StepMistake[] | undefined, id: string): FieldMistake | undefined {
  const found = errors?.find((e) => e.field === id);
  return found ? { field: id, sentence: found.sentence } : undefined;
}

/** The attributes of the control `id`: marked invalid and described by its mistake when it has one (else by `hint`). */
export const markOf = (errors: readonly StepMistake[] | undefined, id: string, hint?: string) => fieldState(mistakeAt(errors, id), id, hint);

/** The sentence beside the control or group `id`, when a mistake is about it. */
export function StepFieldError(props: { errors: readonly StepMistake[] | undefined; id: string }) {
  return <FieldError mistake={mistakeAt(props.errors, props.id)} id={props.id} />;
}

/**
 * A group of checkboxes or radio buttons (`id`, its fieldset) with a mistake: the fieldset is
 * described by the sentence (said after its legend), and each of its controls is marked invalid.
 */
export function groupOf(errors: readonly StepMistake[] | undefined, id: string): { fieldset: { id: string; 'aria-describedby'?: string }; control: { 'aria-invalid'?: 'true' } } {
  if (!mistakeAt(errors, id)) return { fieldset: { id }, control: {} };
  return { fieldset: { id, 'aria-describedby': `${id}-error` }, control: { 'aria-invalid': 'true' } };
}
