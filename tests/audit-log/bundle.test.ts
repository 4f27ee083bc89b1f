// The audit bundle: exported by a function and by `referral-node audit export`, it verifies on its
// own; every kind of tampering with it is found and said where.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildProgram } from '../../node/cli/program.js';
import { CliError } from '../../node/cli/output.js';
import { exportAuditBundle, type AuditBundle } from '../../node/audit-log/bundle.js';
import { checkpointBody, signNote } from '../../node/audit-log/checkpoint.js';
import { noteText, signatureLines } from '../../node/audit-log/cosignature.js';
import { logOrigin, logSigner } from '../../node/audit-log/log-identity.js';
import { verifyBundleIntegrity, type IntegrityCheck } from '../../node/audit-log/verify-integrity.js';
import { checkpointRound } from '../../node/audit-log/witness-client.js';
import { logSize } from '../../node/audit-log/tree-store.js';
import { createTestNetwork, type TestNetwork, type TestNode } from '../_util/test-node.js';
import { appendEvents } from './_log-helpers.js';

let net: TestNetwork;
let a: TestNode;
let b: TestNode;
let c: TestNode;
let bundle: AuditBundle;
let outDir: string;

beforeAll(async () => {
  net = await createTestNetwork(3);
  [a, b, c] = net.nodes as [TestNode, TestNode, TestNode];
  for (const grow of [5, 9, 1, 30]) {
    await appendEvents(a, grow);
    await checkpointRound(a.ctx);
  }
  bundle = await exportAuditBundle(a.ctx);
  outDir = mkdtempSync(join(tmpdir(), 'refnet-bundle-'));
});
afterAll(async () => {
  await net.close();
  rmSync(outDir, { recursive: true, force: true });
});

const copy = (): AuditBundle => structuredClone(bundle);
/** The size of the bundle's checkpoint at this position. */
const sizeOf = (position: number): number => Number(noteText(bundle.checkpoints[position]!).split('\n')[1]);

async function findings(tampered: unknown): Promise<IntegrityCheck[]> {
  const report = await verifyBundleIntegrity(tampered);
  expect(report.ok).toBe(false);
  return [...new Set(report.findings.map((f) => f.check))].sort();
}

describe('an exported audit bundle', () => {
  it('holds every entry in order, every checkpoint oldest first with its cosignatures, and the witnesses', async () => {
    expect(bundle.format).toBe('refnet-audit-bundle/1');
    expect(bundle.node_id).toBe(a.id);
    expect(bundle.entries).toHaveLength(await logSize(a.ctx.database.db));
    bundle.entries.forEach((entry, i) => expect(JSON.parse(entry).index).toBe(i));
    expect(bundle.checkpoints).toHaveLength(4);
    for (const note of bundle.checkpoints) expect(signatureLines(note)).toHaveLength(3);
    expect(bundle.witnesses.map((w) => w.node_id)).toEqual([b.id, c.id].sort());
  });

  it('verifies', async () => {
    expect(await verifyBundleIntegrity(bundle)).toEqual({ ok: true, findings: [], counts: { entries: bundle.entries.length, checkpoints: 4, cosignatures: 8 } });
  });

  it('is written by `referral-node audit export`, to a file or to standard output', async () => {
    let out = '';
    const run = (...args: string[]) => buildProgram({ out: (text) => (out += `${text}\n`) }).parseAsync(['node', 'referral-node', 'audit', 'export', '--data', a.dataDir, ...args]);
    const file = join(outDir, 'bundle.json');
    await run('--out', file);
    expect(out).toMatch(/^Wrote .*bundle\.json: \d+ entries, 4 checkpoints, 2 witnesses\.\n$/);
    const written = JSON.parse(readFileSync(file, 'utf8')) as AuditBundle;
    expect(written.entries).toEqual(bundle.entries);
    expect((await verifyBundleIntegrity(written)).ok).toBe(true);
    out = '';
    await run();
    expect((await verifyBundleIntegrity(JSON.parse(out))).ok).toBe(true);
    await expect(run('--out', join(outDir, 'no', 'such', 'folder', 'b.json'))).rejects.toThrow(CliError);
  });
});

describe('a tampered bundle', () => {
  it('with an entry rewritten fails the root of every checkpoint that covers it', async () => {
    const t = copy();
    const index = sizeOf(0); // the first entry after the first checkpoint
    t.entries[index] = t.entries[index]!.replace('"caseworker"', '"admin"');
    const report = await verifyBundleIntegrity(t);
    expect(report.findings.map((f) => [f.check, f.checkpoint])).toEqual([['checkpoint-root', 1], ['checkpoint-root', 2], ['checkpoint-root', 3]]);
  });

  it('with an entry removed fails the indices and the roots', async () => {
    const t = copy();
    t.entries.splice(sizeOf(2) - 1, 1);
    expect(await findings(t)).toEqual(['checkpoint-beyond-entries', 'checkpoint-root', 'entry-index']);
  });

  it('with entries cut off at the end has checkpoints beyond its entries', async () => {
    const t = copy();
    t.entries.length = 10;
    expect(await findings(t)).toEqual(['checkpoint-beyond-entries']);
  });

  it('with a checkpoint re-signed over a rewritten log: the root no longer matches the entries', async () => {
    const t = copy();
    const forged = await signNote(checkpointBody({ origin: logOrigin(a.id), size: sizeOf(1), rootHash: new Uint8Array(32).fill(7) }), logSigner(a.ctx.self));
    t.checkpoints[1] = forged;
    expect(await findings(t)).toEqual(['checkpoint-root']);
  });

  it('with a checkpoint edited: its signature fails', async () => {
    const t = copy();
    const lines = t.checkpoints[0]!.split('\n');
    lines[2] = Buffer.alloc(32, 1).toString('base64');
    t.checkpoints[0] = lines.join('\n');
    expect(await findings(t)).toEqual(['checkpoint-root', 'checkpoint-signature', 'cosignature-invalid']);
  });

  it('with a cosignature that is not over this checkpoint, or by no listed witness', async () => {
    const t = copy();
    const cosignature = signatureLines(t.checkpoints[0]!)[1]!;
    t.checkpoints[2] = `${t.checkpoints[2]}${cosignature}\n`.replace(signatureLines(t.checkpoints[2]!)[1]! + '\n', '');
    expect(await findings(t)).toEqual(['cosignature-invalid']);
    const u = copy();
    u.witnesses = u.witnesses.filter((w) => w.node_id !== b.id);
    expect(await findings(u)).toEqual(['cosignature-unknown-witness']);
  });

  it('with checkpoints out of order, another node\'s identity, or in another shape', async () => {
    const t = copy();
    t.checkpoints.reverse();
    expect(await findings(t)).toEqual(['checkpoint-order']);
    const u = copy();
    u.identity = (await exportAuditBundle(b.ctx)).identity;
    expect(await findings(u)).toEqual(['node-identity']);
    expect(await findings({ format: 'refnet-audit-bundle/1', node_id: a.id })).toEqual(['bundle-format']);
    expect(noteText(bundle.checkpoints[0]!)).toMatch(/^node-gr-0\.test\/audit-log\n\d+\n/);
  });
});
