// Timelines, the list of services and the envelopes received are read in the order their rows were
// written, rows of the same millisecond kept apart by insertion order: SQLite's rowid, which
// PostgreSQL lacks, so there these tables get an identity column for it (dialect.ts). Nothing
// changes on SQLite.
import type { Kysely } from 'kysely';
import { addInsertionOrder } from '../dialect.js';

const TABLES = ['referral_events', 'services', 'envelopes'];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of TABLES) await addInsertionOrder(db, table);
}

export async function down(): Promise<void> {
  // Dropping the column would only lose the order; a database taken back keeps it.
}
