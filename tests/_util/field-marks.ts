// How a form page marks a field with a mistake (admin-ui/pages/field-error.tsx): the control is
// aria-invalid and described by the sentence, which sits beside it.
import { expect } from 'vitest';

/** The opening tag of the control with this id. */
export function control(html: string, id: string): string {
  const tag = new RegExp(`<(?:input|select|textarea)\\b[^>]*\\bid="${id}"[^>]*>`).exec(html)?.[0];
  if (!tag) throw new Error(`no control ${id} on the page`);
  return tag;
}

export const attribute = (tag: string, name: string): string | undefined => new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1];

/** The sentence said about the control or group `id`. */
export const sentenceAbout = (html: string, id: string): string => new RegExp(`<p[^>]*id="${id}-error"[^>]*>([\\s\\S]*?)</p>`).exec(html)?.[1] ?? '';

/** The control is marked wrong, and the sentence describing it is beside it, with this text. */
export function expectMarked(html: string, id: string, sentence: string | RegExp): void {
  const tag = control(html, id);
  expect(attribute(tag, 'aria-invalid'), id).toBe('true');
  expect(attribute(tag, 'aria-describedby')?.split(' '), id).toContain(`${id}-error`);
  expect(sentenceAbout(html, id)).toMatch(sentence);
  // Beside it: right after the control, before the next label.
  const after = html.slice(html.indexOf(tag) + tag.length);
  const sentenceAt = after.indexOf(`id="${id}-error"`);
  expect(sentenceAt, `${id}: its sentence after it`).toBeGreaterThanOrEqual(0);
  const next = after.search(/<label\b|<button\b/);
  if (next >= 0) expect(sentenceAt).toBeLessThan(next);
}

export const expectUnmarked = (html: string, id: string): void => expect(attribute(control(html, id), 'aria-invalid'), id).toBeUndefined();

/**
 * The group of checkboxes or radio buttons `id` (a fieldset) is described by its sentence, said
 * right after its legend, and each of its controls (`controlIds`) is marked wrong.
 */
export function expectGroupMarked(html: string, id: string, controlIds: readonly string[], sentence: string | RegExp): void {
  const fieldset = new RegExp(`<fieldset\\b[^>]*\\bid="${id}"[^>]*>\\s*<legend>[\\s\\S]*?</legend>\\s*<p[^>]*id="${id}-error"`).exec(html)?.[0];
  expect(fieldset, `${id}: its sentence right after its legend`).toBeDefined();
  expect(attribute(fieldset!.slice(0, fieldset!.indexOf('>') + 1), 'aria-describedby')).toBe(`${id}-error`);
  expect(sentenceAbout(html, id)).toMatch(sentence);
  for (const controlId of controlIds) expect(attribute(control(html, controlId), 'aria-invalid'), controlId).toBe('true');
}

/** Nothing of the group `id` is marked. */
export function expectGroupUnmarked(html: string, id: string, controlIds: readonly string[]): void {
  expect(html).not.toContain(`id="${id}-error"`);
  for (const controlId of controlIds) expectUnmarked(html, controlId);
}
