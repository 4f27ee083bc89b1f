// What differs between SQLite and PostgreSQL, said once. The migrations and every query are written
// once, in kysely; what each server needs beyond that is here:
// - column types: the migrations say `integer` and `blob`, as SQLite knows them; on PostgreSQL a
//   plugin turns them into `bigint` (a POSIX time in seconds outgrows `integer` in 2038) and
//   `bytea`, and an auto-increment key into an identity column;
// - results: PostgreSQL's 64-bit integers arrive as numbers, as SQLite's do (none of ours is near
//   2^53), and binary columns as Buffers on both;
// - insertion order: SQLite's rowid, a column of its own on PostgreSQL (`addInsertionOrder`);
// - claiming work among processes: FOR UPDATE SKIP LOCKED on PostgreSQL (`skipLocked`);
// - retrying a transaction that lost a race: SQLITE_BUSY past the busy timeout, PostgreSQL's
//   serialization failures and deadlocks.
import {
  ColumnDefinitionNode,
  DataTypeNode,
  GeneratedNode,
  OperationNodeTransformer,
  PostgresAdapter,
  sql,
  type Kysely,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryExecutor,
  type QueryResult,
  type RawBuilder,
  type RootOperationNode,
  type SelectQueryBuilder,
  type UnknownRow,
} from 'kysely';

export type DialectName = 'sqlite' | 'postgres';

/** Any kysely instance or transaction, whatever its schema. */
type AnyKysely = { getExecutor(): QueryExecutor };

/** The dialect a kysely instance speaks (a transaction speaks its database's). */
export function dialectOf(db: AnyKysely): DialectName {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/** Column types as SQLite names them, as PostgreSQL needs them. */
const POSTGRES_TYPES: Readonly<Record<string, 'bigint' | 'bytea'>> = { integer: 'bigint', blob: 'bytea' };

class PostgresColumnTypes extends OperationNodeTransformer {
  protected override transformColumnDefinition(node: ColumnDefinitionNode): ColumnDefinitionNode {
    const column = super.transformColumnDefinition(node);
    const type = DataTypeNode.is(column.dataType) ? POSTGRES_TYPES[column.dataType.dataType] : undefined;
    if (!type && !column.autoIncrement) return column;
    return ColumnDefinitionNode.cloneWith(column, {
      ...(type ? { dataType: DataTypeNode.create(type) } : {}),
      ...(column.autoIncrement ? { autoIncrement: false, generated: GeneratedNode.create({ byDefault: true, identity: true }) } : {}),
    } as Parameters<typeof ColumnDefinitionNode.cloneWith>[1]);
  }
}

/** Rewrites the migrations' SQLite column types for PostgreSQL (see the top of this file). */
export class PostgresSchemaPlugin implements KyselyPlugin {
  readonly #transformer = new PostgresColumnTypes();

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.#transformer.transformNode(args.node);
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

/** PostgreSQL's column holding the order rows were inserted in, where SQLite has its rowid. */
const INSERTION_ORDER = 'insertion_order';

/** In a migration: gives `table` an insertion order on PostgreSQL (SQLite's rowid already is one). */
export async function addInsertionOrder(db: Kysely<unknown>, table: string): Promise<void> {
  if (dialectOf(db) === 'sqlite') return;
  await db.schema
    .alterTable(table)
    .addColumn(INSERTION_ORDER, 'bigint', (c) => c.generatedByDefaultAsIdentity().notNull())
    .execute();
}

/** The order rows of a table given `addInsertionOrder` were inserted in, to sort by. */
export function insertionOrder(db: AnyKysely): RawBuilder<number> {
  return dialectOf(db) === 'postgres' ? sql<number>`${sql.ref(INSERTION_ORDER)}` : sql<number>`rowid`;
}

/**
 * The rows of `query` locked for this transaction, skipping those another is holding
 * (PostgreSQL's FOR UPDATE SKIP LOCKED), for a process to claim work no other one is taking.
 * SQLite has a single writer and no row locks: the query as it is.
 */
export function skipLocked<DB, TB extends keyof DB, O>(db: AnyKysely, query: SelectQueryBuilder<DB, TB, O>): SelectQueryBuilder<DB, TB, O> {
  return dialectOf(db) === 'postgres' ? query.forUpdate().skipLocked() : query;
}

/**
 * A column that SQLite's planner must not look up through an index, for a statement where another
 * index serves it better than the one it would pick (it keeps no statistics): SQLite's documented
 * unary `+`. PostgreSQL plans by its statistics: the column as it is.
 */
export function notThroughIndex(db: AnyKysely, column: string): RawBuilder<unknown> {
  return dialectOf(db) === 'sqlite' ? sql`+${sql.ref(column)}` : sql`${sql.ref(column)}`;
}

/**
 * Whether `error` means the transaction lost a race with another writer and may simply run again:
 * SQLite still busy after its busy timeout, or PostgreSQL's serialization failure or deadlock.
 */
export function isRetryableConflict(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || !('code' in error)) return false;
  const code = (error as { code: unknown }).code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT' || code === '40001' || code === '40P01';
}
