// The frame of each step of the new-referral flow: where the caseworker is among the steps, what
// was wrong with the last answers, and the step's POST form with the session's CSRF token.
import type { Child } from 'hono/jsx';
import { format, type Messages } from '../../i18n/catalogue.js';
import { ErrorNote } from '../../router.js';
import { Layout, type PageContext } from '../layout.js';
import type { InquiryTarget } from '../../answered-inquiry.js';

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
  /** Sentences saying what is wrong with the answers given. */
  errors?: readonly string[] | undefined;
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
              <li>{e}</li>
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
