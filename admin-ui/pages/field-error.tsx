// A mistake in one field of a form, said beside that field: the field is marked invalid
// (aria-invalid) and described by the sentence (aria-describedby), so that a screen reader reads
// it on reaching the field, and the page keeps what was typed (never a password). The service
// forms (services/form.tsx) do the same for their many fields, with a list at the top.
import type { Child } from 'hono/jsx';

/** What was wrong, and with which field (the id of its control); none when the form as a whole was refused. */
export interface FieldMistake {
  field: string;
  sentence: string;
  /** The node's own detail, when it gave one (shown in English beside the sentence). */
  detail?: string | undefined;
}

/** The attributes of the control `id`: marked invalid and described by its mistake when it has one, else by `hint`. */
export function fieldState(mistake: FieldMistake | undefined, id: string, hint?: string): { 'aria-invalid'?: 'true'; 'aria-describedby'?: string } {
  if (mistake?.field !== id) return hint ? { 'aria-describedby': hint } : {};
  return { 'aria-invalid': 'true', 'aria-describedby': hint ? `${id}-error ${hint}` : `${id}-error` };
}

/** What went wrong with a form that has one field (`id`), as that field's mistake. */
export const onField = (id: string, error: { sentence: string; detail?: string | undefined } | undefined): FieldMistake | undefined =>
  error ? { field: id, sentence: error.sentence, detail: error.detail } : undefined;

/** The sentence beside the control `id`, when the mistake is its (`nodeSaid` introduces the node's own detail, when there is one). */
export function FieldError(props: { mistake: FieldMistake | undefined; id: string; nodeSaid?: string }): Child {
  if (props.mistake?.field !== props.id) return null;
  return (
    <p class="error field-error" id={`${props.id}-error`} role="alert">
      {props.mistake.sentence}
      {props.mistake.detail ? (
        <>
          {' '}
          {props.nodeSaid} <span lang="en">{props.mistake.detail}</span>
        </>
      ) : null}
    </p>
  );
}
