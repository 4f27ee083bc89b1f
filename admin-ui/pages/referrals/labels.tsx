// Labels for the codes a referral carries (states, urgency, reasons, outcomes, data categories,
// needs), in the reader's language; a code the catalogue does not know is shown as it is, marked
// as English so that a screen reader reads it right.
import { formatDate, type Language, type Messages } from '../../i18n/catalogue.js';
import { categoryLabel } from '../../i18n/names.js';

/** The catalogue's text for `prefix` + `code`, or undefined when it has none. */
export function labelOf(t: Messages, prefix: string, code: string): string | undefined {
  const key = `${prefix}${code}`;
  return Object.hasOwn(t, key) ? t[key as keyof Messages] : undefined;
}

/** A code's label, or the code itself in English. */
export function Code(props: { t: Messages; prefix: string; code: string }) {
  const label = labelOf(props.t, props.prefix, props.code);
  return label === undefined ? <span lang="en">{props.code}</span> : <>{label}</>;
}

export const stateLabel = (t: Messages, state: string): string => labelOf(t, 'state.', state) ?? state;

export const needsText = (codes: readonly string[], language: Language): string => codes.map((code) => categoryLabel(code, language)).join(', ');

export function When(props: { iso: string; language: Language }) {
  return <time datetime={props.iso}>{formatDate(props.iso, props.language)}</time>;
}

/** The prefix of the catalogue keys for the code an action carries. */
export const CODE_PREFIX: Readonly<Record<string, string>> = {
  'referral.inquiry-answer': 'ref.capacity.',
  'referral.decline': 'ref.decline.',
  'referral.update': 'ref.status.',
  'referral.complete': 'ref.outcome.',
  'referral.withdraw': 'ref.withdraw.',
  'consent.withdraw': 'ref.erasure.',
  'erasure.receipt': 'ref.erasure.',
};

/** The other organisation's responsible caseworker as it named her: her name, and her work contact if it gave one. */
export const caseworkerText = (caseworker: { name: string; contact?: string | undefined }): string =>
  caseworker.contact ? `${caseworker.name} · ${caseworker.contact}` : caseworker.name;
