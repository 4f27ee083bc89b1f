// The shared taxonomy's categories as a group of checkboxes, each narrower kind listed under its
// broader one: what a new referral asks for, and what a service of the directory offers.
import { taxonomy } from '../../node/directory/taxonomy.js';
import type { Language } from '../i18n/catalogue.js';

/** The taxonomy's categories, each top-level one with its narrower kinds, in the taxonomy's order. */
export function categoryGroups(): Array<{ code: string; children: string[] }> {
  const { categories } = taxonomy();
  return categories.filter((c) => !c.parent).map((c) => ({ code: c.code, children: categories.filter((k) => k.parent === c.code).map((k) => k.code) }));
}

export interface CategoryChoicesProps {
  language: Language;
  /** The form field every checkbox sends its code in. */
  name: string;
  /** Each checkbox's id is this followed by its category's code. */
  idPrefix: string;
  /** The class of the outer list, which lays it out. */
  class: string;
  chosen: (code: string) => boolean;
  /** Attributes of every checkbox: aria-invalid when the group has a mistake. */
  invalid?: { 'aria-invalid'?: 'true' } | undefined;
}

export function CategoryChoices(props: CategoryChoicesProps) {
  const { categories } = taxonomy();
  const choice = (code: string) => {
    const id = `${props.idPrefix}${code}`;
    return (
      <label for={id}>
        <input type="checkbox" id={id} name={props.name} value={code} checked={props.chosen(code)} {...props.invalid} />
        <span>{categories.find((c) => c.code === code)?.labels[props.language] ?? code}</span>
      </label>
    );
  };
  return (
    <ul class={props.class}>
      {categoryGroups().map((group) => (
        <li>
          {choice(group.code)}
          {group.children.length > 0 ? (
            <ul>
              {group.children.map((code) => (
                <li>{choice(code)}</li>
              ))}
            </ul>
          ) : null}
        </li>
      ))}
    </ul>
  );
}
