// Personal data must never be stored in plaintext nor reach logs. Every free-text and identity
// field of a referral holds a unique canary string; the referral travels A → B between two real
// node processes and is read back on B (so the data did arrive intact), and then no file in
// either node's data folder and no line of either node's output may contain any canary.
import { onPostgres, storedBytes } from '../_util/database.js';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectMatchesSpec } from '../_util/spec-check.js';
import { cleanup, startNode, trustEachOther, type RunningNode } from '../_util/processes.js';
import { getReferral, referralRequest, sendReferral, waitUntilDelivered, type CreateReferralRequest } from './referrals.js';

const TIMEOUT = 60_000;

const canary = () => `CANARY-${randomUUID()}`;

const canaries = {
  givenName: canary(),
  familyName: canary(),
  phone: canary(),
  email: canary(),
  safeToContact: canary(),
  situationSummary: canary(),
  householdNote: canary(),
  healthNote: canary(),
  legalStatusNote: canary(),
  documentsHeld: canary(),
  reason: canary(),
};
const refusedCanary = canary();
const allCanaries = [...Object.values(canaries), refusedCanary];

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : entry.isFile() ? [path] : [];
  });
}

/** The canaries found in the file, in UTF-8 or UTF-16LE. */
function canariesIn(bytes: Buffer, wanted: string[]): string[] {
  return wanted.filter((c) => bytes.includes(Buffer.from(c, 'utf8')) || bytes.includes(Buffer.from(c, 'utf16le')));
}

/** `file: canary, ...` for every file under `dir` that holds one. */
function plaintextLeaks(dir: string, wanted: string[]): string[] {
  return filesUnder(dir).flatMap((file) => {
    const found = canariesIn(readFileSync(file), wanted);
    return found.length > 0 ? [`${file}: ${found.join(', ')}`] : [];
  });
}

describe('personal data never leaves the encrypted payloads', () => {
  let a: RunningNode;
  let b: RunningNode;
  let referralId: string;

  beforeAll(async () => {
    // The most verbose log level, so that anything the code would ever log is in the output.
    const env = { REFERRAL_NODE_LOG_LEVEL: 'trace' };
    [a, b] = await Promise.all([
      startNode({ name: 'Thessaloniki Shelter', country: 'GR', languages: ['el', 'en'], env }),
      startNode({ name: 'Graz Beratungsstelle', country: 'AT', languages: ['de', 'en'], env }),
    ]);
    await trustEachOther(a, b);
  }, 120_000);

  afterAll(async () => {
    await cleanup.run();
  }, 60_000);

  it('the scanner finds a canary written in UTF-8 or UTF-16LE', () => {
    const probe = join(a.baseDir, 'probe.bin');
    for (const encoding of ['utf8', 'utf16le'] as const) {
      writeFileSync(probe, Buffer.concat([Buffer.from([0, 1, 2]), Buffer.from(`x${canaries.reason}y`, encoding)]));
      expect(plaintextLeaks(a.baseDir, allCanaries)).toEqual([`${probe}: ${canaries.reason}`]);
    }
    writeFileSync(probe, 'nothing here');
    expect(plaintextLeaks(a.baseDir, allCanaries)).toEqual([]);
  });

  it('a referral with a canary in every personal field is delivered to B and read back intact', async () => {
    const request: CreateReferralRequest = referralRequest(b.url, {
      reason: canaries.reason,
      client: {
        identity: { given_name: canaries.givenName, family_name: canaries.familyName, nationality: 'NG' },
        contact: {
          phone: canaries.phone,
          email: `${canaries.email}@example.org`,
          preferred_language: 'en',
          safe_to_contact: canaries.safeToContact,
        },
        situation: { summary: canaries.situationSummary, household_note: canaries.householdNote, languages_spoken: ['en'] },
        legal_status: { status: 'asylum-seeker', note: canaries.legalStatusNote },
        health: { note: canaries.healthNote },
        documents: { held: [canaries.documentsHeld], missing: ['passport'] },
      },
      consent: {
        categories: ['identity', 'contact', 'situation', 'legal-status', 'health', 'documents'],
        purposes: ['referral', 'service-provision'],
        method: 'written',
        language: 'en',
        valid_until: new Date(Date.now() + 30 * 24 * 60 * 60 * 1000).toISOString(),
      },
    });
    const sent = await sendReferral(a, request);
    referralId = sent.id;
    // The summary holds no personal data.
    expect(canariesIn(Buffer.from(JSON.stringify(sent)), allCanaries)).toEqual([]);

    await waitUntilDelivered(a, referralId);
    const onB = await getReferral(b, referralId);
    expect(onB.direction).toBe('incoming');
    expect(onB.content?.client).toEqual(request.client);
    expect(onB.content?.reason).toBe(canaries.reason);
    const answer = Buffer.from(JSON.stringify(onB));
    expect(canariesIn(answer, Object.values(canaries)).sort()).toEqual(Object.values(canaries).sort());
  }, TIMEOUT);

  it('a referral with a health note the consent does not cover is refused without echoing it', async () => {
    const request = referralRequest(b.url, {
      client: {
        identity: { given_name: 'Someone' },
        health: { note: refusedCanary },
      },
      consent: {
        categories: ['identity'],
        purposes: ['referral'],
        method: 'verbal',
        language: 'en',
        valid_until: new Date(Date.now() + 24 * 60 * 60 * 1000).toISOString(),
      },
    });
    const response = await a.api('/api/v1/referrals', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
    const problem = (await expectMatchesSpec('local', 'POST', `${a.url}/api/v1/referrals`, response)) as {
      type: string;
      status: number;
      detail?: string;
    };
    expect(response.status, JSON.stringify(problem)).toBe(422);
    expect(problem.type).toBe('urn:refnet:problem:consent-violation');
    expect(problem.status).toBe(422);
    expect(problem.detail ?? '').not.toContain(refusedCanary);
    expect(JSON.stringify(problem)).not.toContain(refusedCanary);
    expect(a.logs()).not.toContain(refusedCanary);
  }, TIMEOUT);

  it('while the nodes run, no file in either data folder, nor either database, holds a canary in plaintext', async () => {
    expect(plaintextLeaks(a.dataDir, allCanaries)).toEqual([]);
    expect(plaintextLeaks(b.dataDir, allCanaries)).toEqual([]);
    // On SQLite the database is one of those files; on PostgreSQL, read every value it holds.
    if (onPostgres) for (const node of [a, b]) expect(canariesIn(await storedBytes(node.dataDir), allCanaries)).toEqual([]);
  });

  it('after SIGTERM, no file in either data folder and no line of either log holds a canary', async () => {
    const [codeA, codeB] = await Promise.all([a.stop('SIGTERM'), b.stop('SIGTERM')]);
    expect(codeA, a.logs()).toBe(0);
    expect(codeB, b.logs()).toBe(0);

    for (const node of [a, b]) {
      const files = filesUnder(node.dataDir).map((f) => f.slice(node.dataDir.length + 1));
      expect(files).toEqual(expect.arrayContaining([onPostgres ? 'database-url' : 'node.sqlite', 'kek.key']));
      expect(plaintextLeaks(node.dataDir, allCanaries), `files of ${node.name}: ${files.join(', ')}`).toEqual([]);

      // The capture is not empty (the test would prove nothing otherwise) and holds no canary,
      // neither in memory nor in the copy written next to the data folder.
      expect(node.logs()).toMatch(/node listening/);
      expect(canariesIn(Buffer.from(node.logs()), allCanaries)).toEqual([]);
      expect(canariesIn(readFileSync(node.logFile), allCanaries)).toEqual([]);
    }
    expect(a.logs()).toContain(referralId);
  }, TIMEOUT);
});
