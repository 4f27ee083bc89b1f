// A referral's case reference at this node (issue 18 item 1): `GR-2026-0042`, the node's country,
// the year the referral was made here and its number in that year, given by the transaction that
// makes it (case_counters, one row a year). People say it on the phone and write it on paper: it
// is short, never reused and never changes. It names no one.
import { sql } from 'kysely';
import type { Tx } from '../db/database.js';
import { preparedStatement } from '../db/prepared.js';

/** `GR-2026-0042`: the country, the year and the number, at least four digits. */
export const caseReference = (country: string, year: number, number: number): string => `${country.toUpperCase()}-${year}-${String(number).padStart(4, '0')}`;

/** What a case reference looks like (a search may name one). */
export const CASE_REFERENCE = /^[A-Z]{2}-\d{4}-\d{4,}$/;

const nextNumber = preparedStatement((db, v: { year: number }) =>
  db
    .insertInto('case_counters')
    .values({ year: v.year, last: 1 })
    .onConflict((oc) => oc.column('year').doUpdateSet({ last: sql<number>`case_counters.last + 1` }))
    .returning('last'),
);

/** The next case reference of the year of `now`, counted inside the transaction that makes the referral. */
export async function nextCaseReference(tx: Tx, country: string, now: Date): Promise<string> {
  const year = now.getUTCFullYear();
  const row = await nextNumber.first(tx, { year });
  if (!row) throw new Error('The case counter gave no number.');
  return caseReference(country, year, Number(row.last));
}
