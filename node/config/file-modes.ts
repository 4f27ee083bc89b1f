// The modes of the files that hold the node's secrets and personal data, checked when a node is
// opened: the data folder should be 0700, and node.sqlite (with its -wal and -shm), the KEK's file,
// the keyring and the database URL 0600. The node makes them so; one that other users may read,
// change or enter (made by hand, restored from a backup, or made before the node set the modes
// itself) is reported in a sentence that names it and says how to fix it. Nothing is changed: the
// operator may have reasons (a backup tool's group), and should know.
import { statSync } from 'node:fs';

export interface GuardedPath {
  path: string;
  /** What it is, in words: "the database", "the keyring", ... */
  what: string;
  folder?: boolean;
}

export interface LooseMode {
  path: string;
  /** What it is, its mode, and the chmod that fixes it. */
  sentence: string;
}

/** The paths among these that exist and that other users than their owner may use. */
export function looseModes(paths: readonly GuardedPath[]): LooseMode[] {
  const loose: LooseMode[] = [];
  for (const { path, what, folder } of paths) {
    let mode: number;
    try {
      mode = statSync(path).mode & 0o777;
    } catch {
      continue; // Not there (a -wal between runs, database-url on SQLite): nothing to say.
    }
    if ((mode & 0o077) === 0) continue;
    const fix = folder ? 700 : 600;
    loose.push({
      path,
      sentence: `${what} ${path} is open to other users than its owner (mode ${mode.toString(8).padStart(4, '0')}): run chmod ${fix} ${path}.`,
    });
  }
  return loose;
}
