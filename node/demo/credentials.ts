// The demo folder and its credentials.json: the only place the demo's generated passwords and
// tokens are kept, so `--keep` can reuse the nodes, and people can copy them from a file.
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DemoOrganisation } from './fixtures.js';
import { DemoError } from './errors.js';

export interface DemoAccount {
  username: string;
  password: string;
  token: string;
}

export interface DemoNode {
  key: DemoOrganisation['key'];
  name: string;
  country: string;
  url: string;
  dataDir: string;
  fingerprint: string;
  admin: DemoAccount;
  caseworker: DemoAccount;
  auditor: DemoAccount;
}

export const credentialsPath = (dir: string) => join(dir, 'credentials.json');

// What a demo folder may hold; anything else means --dir points somewhere it should not delete.
const DEMO_ENTRIES = new Set(['gr', 'at', 'it', 'credentials.json', 'credentials.json.tmp', 'postgres']);

/** Empties the folder for a fresh start, refusing if it holds anything the demo did not make. */
export function resetDemoFolder(dir: string): void {
  if (existsSync(dir)) {
    const foreign = readdirSync(dir).filter((entry) => !DEMO_ENTRIES.has(entry));
    if (foreign.length > 0) {
      throw new DemoError(
        `${dir} holds files the demo did not make (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', ...' : ''}); ` +
          'the demo empties its folder on every fresh start, so give it a new or empty one with --dir.',
      );
    }
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

const isAccount = (value: unknown): value is DemoAccount =>
  !!value && typeof value === 'object' && ['username', 'password', 'token'].every((k) => typeof (value as Record<string, unknown>)[k] === 'string');

/** The nodes of an earlier run, or an empty list when there was none. */
export function readCredentials(dir: string): DemoNode[] {
  const path = credentialsPath(dir);
  if (!existsSync(path)) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new DemoError(`${path} is not valid JSON; run the demo without --keep to start afresh.`);
  }
  const nodes = (parsed as { nodes?: unknown }).nodes;
  const valid =
    Array.isArray(nodes) &&
    nodes.every(
      (n: Record<string, unknown>) =>
        n && ['key', 'name', 'country', 'url', 'dataDir', 'fingerprint'].every((k) => typeof n[k] === 'string') && isAccount(n.admin) && isAccount(n.caseworker) && isAccount(n.auditor),
    );
  if (!valid) throw new DemoError(`${path} is not in the form the demo writes; run the demo without --keep to start afresh.`);
  return nodes as DemoNode[];
}

/** Written whole and renamed into place, so a reader never sees half a file; only the owner can read it. */
export function writeCredentials(dir: string, nodes: readonly DemoNode[]): void {
  const path = credentialsPath(dir);
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, `${JSON.stringify({ nodes }, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}
