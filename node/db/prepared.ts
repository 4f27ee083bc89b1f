// Statements of the hot paths (receiving a message, creating a referral, keeping a receipt), built
// and compiled by kysely once rather than at every call. kysely builds a tree of nodes for each
// query and compiles it to SQL every time it runs; for the short statements that a message runs by
// the dozen that is a good part of their cost. Here a statement is built once per dialect with a
// marker in place of each value; its SQL is kept, and each call only puts its values where the
// markers were. The SQL is what kysely compiles (its plugins included), so a statement reads, and
// type-checks, like any other query in the code.
//
// Only values may vary: a builder must not look at them (an `in` list, a column present or not, a
// null compared with `is`): such a statement is built where it runs, as usual. A marker that does
// not come out as a parameter is refused when the statement is first built.
import type { Compilable, CompiledQuery, QueryResult } from 'kysely';
import type { Db, Tx } from './database.js';
import { dialectOf, type DialectName } from './dialect.js';

/** Stands for the value of `name` while the statement is built. */
class Marker {
  constructor(readonly name: string) {}
}

/** The compiled statement, and for each of its parameters the value's name (or the constant kysely put there). */
interface Template {
  compiled: CompiledQuery;
  parameters: ReadonlyArray<{ name: string } | { constant: unknown }>;
}

export interface PreparedStatement<V, R> {
  /** Runs the statement with `values`, on the database or in a transaction. */
  execute(db: Db | Tx, values: V): Promise<QueryResult<R>>;
  /** Its rows. */
  rows(db: Db | Tx, values: V): Promise<R[]>;
  /** Its first row, if any. */
  first(db: Db | Tx, values: V): Promise<R | undefined>;
}

/**
 * A statement built by `build` once for each dialect, with `values` standing for the values of
 * every call; see the top of this file for what a builder may do with them.
 */
export function preparedStatement<V extends Record<string, unknown>, R>(build: (db: Db, values: V) => Compilable<R>): PreparedStatement<V, R> {
  const templates = new Map<DialectName, Template>();

  const templateFor = (db: Db | Tx): Template => {
    const dialect = dialectOf(db);
    let template = templates.get(dialect);
    if (!template) {
      // Each value the builder reads is a marker; the names it read, to check they all became parameters.
      const read = new Set<string>();
      const markers = new Proxy({}, {
        get: (_target, name) => {
          if (typeof name !== 'string') return undefined;
          read.add(name);
          return new Marker(name);
        },
        // `.values(values)` would find no columns in it: the builder names each value.
        ownKeys: () => {
          throw new Error('A prepared statement names each of its values (values.x); it cannot list them.');
        },
      }) as V;
      const compiled = build(db as Db, markers).compile() as CompiledQuery;
      const parameters = compiled.parameters.map((value) => (value instanceof Marker ? { name: value.name } : { constant: value }));
      const used = new Set(parameters.flatMap((p) => ('name' in p ? [p.name] : [])));
      const misused = [...read].filter((name) => !used.has(name));
      if (misused.length > 0) throw new Error(`A prepared statement used ${misused.join(', ')} other than as a value: build it where it runs.`);
      template = { compiled, parameters };
      templates.set(dialect, template);
    }
    return template;
  };

  const execute = async (db: Db | Tx, values: V): Promise<QueryResult<R>> => {
    const { compiled, parameters } = templateFor(db);
    const query: CompiledQuery<R> = {
      ...compiled,
      parameters: parameters.map((p) => ('name' in p ? values[p.name] : p.constant)),
    } as CompiledQuery<R>;
    return db.executeQuery(query);
  };

  return {
    execute,
    rows: async (db, values) => (await execute(db, values)).rows,
    first: async (db, values) => (await execute(db, values)).rows[0],
  };
}
