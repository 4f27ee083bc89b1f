// Verifying a node's audit log as an auditor: integrity and consent rules together, from the
// local API, from an exported bundle (CLI, in-process), and with tampered or overdue cases.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointRound } from '../../node/audit-log/witness-client.js';
import { cliResult } from '../_util/cli.js';
import { repoRoot } from '../_util/processes.js';
import { CliError } from '../../node/cli/output.js';
import { b64u, sha256 } from '../../node/crypto/encoding.js';
import { api, createTestNetwork, type Json, referralRequest, type TestNetwork, type TestNode } from '../_util/test-node.js';
import { asRole } from './_log-helpers.js';

let net: TestNetwork;
let gr: TestNode;
let at: TestNode;

beforeAll(async () => {
  net = await createTestNetwork(2);
  [gr, at] = net.nodes as [TestNode, TestNode];
  // A referral, its consent withdrawn, the erasure confirmed; then checkpoints cosigned both ways.
  const { body } = await api(gr, 'POST', '/api/v1/referrals', referralRequest(at.id));
  await net.settle();
  const consentId = (await api(gr, 'GET', `/api/v1/referrals/${body.id}`)).body.consent_id as string;
  await api(gr, 'POST', `/api/v1/consents/${consentId}/withdraw`, {});
  await net.settle();
  for (let round = 0; round < 2; round++) for (const node of [gr, at]) await checkpointRound(node.ctx);
});
afterAll(() => net.close());

describe('the verification in the local API', () => {
  it('passes for an honest node, with its disclosures, withdrawal and confirmed erasure counted', async () => {
    const auditor = await asRole(gr, 'auditor');
    const { status, body } = await auditor('/api/v1/audit/verification');
    expect(status).toBe(200);
    expect(body).toMatchObject({ ok: true, status: 'passed', node_id: gr.id, integrity: { ok: true, findings: [] }, consent: { ok: true, findings: [], pending: [] } });
    expect(body.integrity.counts.cosignatures).toBeGreaterThan(0);
    expect(body.consent.disclosures).toBe(1);
    expect(body.consent.withdrawals).toBe(1);
    expect(body.fingerprint).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{4})+$/);
    expect((await auditor('/api/v1/audit/verification?erasure_grace_days=-1')).status).toBe(400);
    expect((await (await asRole(gr, 'caseworker'))('/api/v1/audit/verification')).status).toBe(403);
  });

  it('reports an erasure still outstanding as pending, then as overdue after the grace period', async () => {
    net.unreachable.add(at.id);
    const { body } = await api(gr, 'POST', '/api/v1/referrals', referralRequest(at.id));
    await net.settle();
    // The offer was tried (the network failed): it may have arrived, so an erasure is owed.
    const consentId = (await api(gr, 'GET', `/api/v1/referrals/${body.id}`)).body.consent_id as string;
    await api(gr, 'POST', `/api/v1/consents/${consentId}/withdraw`, {});
    await net.settle();
    const auditor = await asRole(gr, 'auditor');
    const pending = (await auditor('/api/v1/audit/verification')).body;
    expect(pending.ok).toBe(true);
    expect(pending.consent.pending).toEqual([expect.objectContaining({ referral_id: body.id, node_id: at.id })]);
    net.clock.advance(31 * 86_400_000);
    const overdue = (await auditor('/api/v1/audit/verification')).body;
    expect(overdue.ok).toBe(false);
    expect(overdue.consent.findings).toEqual([expect.objectContaining({ rule: 'erasure-overdue', referral_id: body.id, node_id: at.id })]);
    expect((await auditor('/api/v1/audit/verification?erasure_grace_days=60')).body.ok).toBe(true);
    // The peer comes back: the withdrawal is delivered, the erasure confirmed.
    net.unreachable.delete(at.id);
    await net.settle();
    expect((await auditor('/api/v1/audit/verification')).body.ok).toBe(true);
  });
});

describe('a node that has just started, in the local API', () => {
  it('is "not yet witnessed", not failed: first without a checkpoint, then with one no witness has cosigned, then passed', async () => {
    const alone = await createTestNetwork(2);
    try {
      const [first, second] = alone.nodes as [TestNode, TestNode];
      const auditor = await asRole(first, 'auditor');
      const fresh = (await auditor('/api/v1/audit/verification')).body;
      expect(fresh).toMatchObject({ ok: false, status: 'not-yet-witnessed', integrity: { ok: true }, consent: { ok: true }, erasures: { ok: true } });
      expect(fresh.warnings.map((w: Json) => w.check)).toEqual(['no-checkpoint']);
      // Signed, but its witness cannot be reached: still not yet witnessed.
      alone.unreachable.add(second.id);
      await checkpointRound(first.ctx);
      const signed = (await auditor('/api/v1/audit/verification')).body;
      expect(signed).toMatchObject({ status: 'not-yet-witnessed', latest_cosignatures: 0 });
      expect(signed.warnings.map((w: Json) => w.check)).toContain('not-witnessed');
      alone.unreachable.delete(second.id);
      await checkpointRound(first.ctx);
      expect((await auditor('/api/v1/audit/verification')).body).toMatchObject({ ok: true, status: 'passed' });
    } finally {
      await alone.close();
    }
  });
});

describe('referral-node audit verify', () => {
  let bundleFile: string;
  let bundle: Json;

  beforeAll(async () => {
    await checkpointRound(gr.ctx);
    bundle = (await (await asRole(gr, 'auditor'))('/api/v1/audit/bundle')).body;
    bundleFile = join(gr.dataDir, '..', 'bundle.json');
    writeFileSync(bundleFile, JSON.stringify(bundle));
  });

  it('passes an exported bundle and a node\'s data folder, printing what it checked', async () => {
    const fromFile = await cliResult('audit', 'verify', '--file', bundleFile);
    expect(fromFile.error).toBeUndefined();
    expect(fromFile.out).toMatch(/^PASSED: audit log of /);
    expect(fromFile.out, fromFile.out).toMatch(/consent: 2 disclosures, 2 withdrawals; 0 problem\(s\), 0 erasure\(s\) pending/);
    const json = JSON.parse((await cliResult('audit', 'verify', '--data', at.dataDir, '--json')).out) as Json;
    expect(json).toMatchObject({ ok: true, node_id: at.id });
  });

  it('fails, naming what is wrong, when an entry was rewritten', async () => {
    const index = bundle.entries.findIndex((e: string) => JSON.parse(e).type === 'data.disclosed');
    const entry = JSON.parse(bundle.entries[index]) as Json;
    const tampered = { ...bundle, entries: bundle.entries.map((e: string, i: number) => (i === index ? JSON.stringify({ ...entry, categories: ['situation'] }) : e)) };
    const file = join(gr.dataDir, '..', 'tampered.json');
    writeFileSync(file, JSON.stringify(tampered));
    const result = await cliResult('audit', 'verify', '--file', file);
    expect(result.error?.message).toMatch(/did not pass verification/);
    expect(result.out).toMatch(/^FAILED/);
    expect(result.out).toMatch(/\[checkpoint-root\]/);
  });

  it('fails on a disclosure without consent, even in a log that is intact', async () => {
    const entries = [...bundle.entries];
    const disclosure = JSON.parse(entries.find((e: string) => JSON.parse(e).type === 'data.disclosed')) as Json;
    // Appended after the last checkpoint: the tree is fine, the consent rule is not.
    entries.push(JSON.stringify({ ...disclosure, index: entries.length, consent_id: '00000000-0000-4000-8000-00000000dead' }));
    const file = join(gr.dataDir, '..', 'unconsented.json');
    writeFileSync(file, JSON.stringify({ ...bundle, entries }));
    const result = await cliResult('audit', 'verify', '--file', file, '--json');
    const report = JSON.parse(result.out) as Json;
    const before = JSON.parse((await cliResult('audit', 'verify', '--file', bundleFile, '--json')).out) as Json;
    expect(report.integrity.ok).toBe(true);
    expect(report.unsigned_entries).toBe(before.unsigned_entries + 1);
    expect(report.consent.findings).toEqual([expect.objectContaining({ rule: 'disclosure-without-consent' })]);
    expect(result.error).toBeDefined();
  });

  it('fails when the log is signed by another key than the one its administrator named', async () => {
    const report = JSON.parse((await cliResult('audit', 'verify', '--file', bundleFile, '--json')).out) as Json;
    expect(report.latest_cosignatures).toBeGreaterThan(0);
    expect(report.witnesses).toEqual([{ node_id: at.id, fingerprint: expect.stringMatching(/^[A-Z2-7-]+$/) }]);
    expect((await cliResult('audit', 'verify', '--file', bundleFile, '--fingerprint', report.fingerprint.toLowerCase())).error).toBeUndefined();
    const wrong = await cliResult('audit', 'verify', '--file', bundleFile, '--fingerprint', 'AAAA-BBBB-CCCC-DDDD');
    expect(wrong.error).toBeDefined();
    expect(wrong.out).toMatch(/not AAAA-BBBB-CCCC-DDDD as expected/);

  });

  it('says "not yet witnessed", with an exit status of its own, of a log whose latest checkpoint no witness has cosigned', async () => {
    // The node's own signature line is kept; the witnesses' are cut off.
    const strip = (note: string) => {
      const [text, signatures] = note.split('\n\n');
      return `${text}\n\n${signatures!.split('\n')[0]}\n`;
    };
    const file = join(gr.dataDir, '..', 'uncosigned.json');
    writeFileSync(file, JSON.stringify({ ...bundle, checkpoints: bundle.checkpoints.map(strip) }));
    const uncosigned = await cliResult('audit', 'verify', '--file', file);
    expect(uncosigned.out).toMatch(/^NOT YET WITNESSED: audit log of /);
    expect(uncosigned.out).toMatch(/\[warning: not-witnessed\] The latest checkpoint has no cosignature yet/);
    expect(uncosigned.error).toBeInstanceOf(CliError);
    expect((uncosigned.error as CliError).exitCode).toBe(2);
    const report = JSON.parse((await cliResult('audit', 'verify', '--file', file, '--json')).out) as Json;
    expect(report).toMatchObject({ ok: false, status: 'not-yet-witnessed', latest_cosignatures: 0, integrity: { ok: true, findings: [] } });

    // An earlier checkpoint with its cosignatures, the latest without: still not yet witnessed.
    const latestOnly = join(gr.dataDir, '..', 'latest-uncosigned.json');
    writeFileSync(latestOnly, JSON.stringify({ ...bundle, checkpoints: [...bundle.checkpoints.slice(0, -1), strip(bundle.checkpoints.at(-1))] }));
    expect(JSON.parse((await cliResult('audit', 'verify', '--file', latestOnly, '--json')).out)).toMatchObject({ status: 'not-yet-witnessed' });

    // Entries and no checkpoint at all: a node that has just started.
    const none = join(gr.dataDir, '..', 'no-checkpoint.json');
    writeFileSync(none, JSON.stringify({ ...bundle, checkpoints: [] }));
    const fresh = JSON.parse((await cliResult('audit', 'verify', '--file', none, '--json')).out) as Json;
    expect(fresh).toMatchObject({ status: 'not-yet-witnessed', unsigned_entries: bundle.entries.length });
    expect(fresh.warnings.map((w: Json) => w.check)).toEqual(['no-checkpoint']);

    // Broken and not witnessed: broken wins.
    const tamperedFile = join(gr.dataDir, '..', 'uncosigned-tampered.json');
    writeFileSync(tamperedFile, JSON.stringify({ ...bundle, checkpoints: bundle.checkpoints.map(strip), entries: bundle.entries.slice(1) }));
    const broken = await cliResult('audit', 'verify', '--file', tamperedFile);
    expect(broken.out).toMatch(/^FAILED/);
    expect((broken.error as CliError).exitCode).toBe(1);
  });

  it('keeps the verdict "passed" for entries written after the last checkpoint, naming them in a warning', async () => {
    const entries = [...bundle.entries];
    const last = JSON.parse(entries.at(-1)) as Json;
    entries.push(JSON.stringify({ v: 1, index: entries.length, at: last.at, actor: { kind: 'system', id: 'test' }, type: 'user.created', user_id: 'u-tail', role: 'caseworker' }));
    const file = join(gr.dataDir, '..', 'tail.json');
    writeFileSync(file, JSON.stringify({ ...bundle, entries }));
    const result = await cliResult('audit', 'verify', '--file', file, '--json');
    expect(result.error).toBeUndefined();
    const report = JSON.parse(result.out) as Json;
    expect(report).toMatchObject({ ok: true, status: 'passed', warnings: [{ check: 'entries-after-checkpoint' }] });
    expect(report.unsigned_entries).toBeGreaterThan(0);
  });

  it('exits with status 2 from the command itself, as documented in its help', () => {
    const file = join(gr.dataDir, '..', 'no-checkpoint.json');
    writeFileSync(file, JSON.stringify({ ...bundle, checkpoints: [] }));
    const run = (...args: string[]) => spawnSync(process.execPath, [join(repoRoot, 'bin', 'referral-node.js'), ...args], { encoding: 'utf8', timeout: 120_000 });
    const pending = run('audit', 'verify', '--file', file);
    expect(pending.status, pending.stderr).toBe(2);
    expect(pending.stdout).toMatch(/^NOT YET WITNESSED/);
    expect(pending.stderr).toMatch(/no witness vouches for its latest state yet/);
    expect(run('audit', 'verify', '--file', bundleFile).status).toBe(0);
    const help = run('audit', 'verify', '--help');
    expect(help.stdout).toMatch(/Exit status:\n\s+0\s+PASSED[\s\S]*\n\s+1\s+FAILED[\s\S]*\n\s+2\s+NOT YET WITNESSED/);
  });

  it('checks the signed statement behind every confirmed erasure, and fails when one is missing or altered', async () => {
    const report = JSON.parse((await cliResult('audit', 'verify', '--file', bundleFile, '--json')).out) as Json;
    expect(report.erasures).toMatchObject({ ok: true, confirmed: 2, verified: 2, unverified: 0, findings: [] });
    expect(bundle.erasure_statements).toHaveLength(2);
    expect(bundle.erasers.map((e: Json) => e.node_id)).toEqual([at.id]);

    const without = join(gr.dataDir, '..', 'no-statements.json');
    writeFileSync(without, JSON.stringify({ ...bundle, erasure_statements: [] }));
    const missing = await cliResult('audit', 'verify', '--file', without, '--json');
    expect(missing.error).toBeDefined();
    expect((JSON.parse(missing.out) as Json).erasures.findings.map((f: Json) => f.check)).toEqual(['erasure-statement-missing', 'erasure-statement-missing']);

    // A statement signed by someone else than the eraser, put in place of the real one.
    const [header, payload] = (bundle.erasure_statements[0] as string).split('.');
    const forged = `${header}.${payload}.${Buffer.alloc(64, 1).toString('base64url')}`;
    const entries = bundle.entries.map((e: string) => {
      const entry = JSON.parse(e) as Json;
      if (entry.type !== 'erasure.confirmed' || entry.statement_digest !== b64u.encode(sha256(bundle.erasure_statements[0]))) return e;
      return JSON.stringify({ ...entry, statement_digest: b64u.encode(sha256(forged)) });
    });
    const altered = join(gr.dataDir, '..', 'forged-statement.json');
    writeFileSync(altered, JSON.stringify({ ...bundle, entries, erasure_statements: [forged, bundle.erasure_statements[1]] }));
    const forgedReport = JSON.parse((await cliResult('audit', 'verify', '--file', altered, '--json')).out) as Json;
    expect(forgedReport.erasures.findings).toEqual([expect.objectContaining({ check: 'erasure-statement-invalid' })]);
    expect(forgedReport.ok).toBe(false);
  });

  it('says plainly what is missing or unreadable', async () => {
    expect((await cliResult('audit', 'verify', '--file', join(gr.dataDir, 'nope.json'))).error?.message).toMatch(/Cannot read/);
    expect((await cliResult('audit', 'verify', '--file', bundleFile, '--url', 'http://127.0.0.1:1')).error?.message).toMatch(/one of them/);
    expect((await cliResult('audit', 'verify', '--url', 'http://127.0.0.1:1', '--token', 'rn_x')).error?.message).toMatch(/Cannot reach/);
    const notJson = join(gr.dataDir, '..', 'not.json');
    writeFileSync(notJson, 'hello');
    expect((await cliResult('audit', 'verify', '--file', notJson)).error?.message).toMatch(/is not JSON/);
  });
});
