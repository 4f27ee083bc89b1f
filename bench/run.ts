// `npm run bench`: throughput of the protocol's hot paths, reported as ratios to a baseline
// measured in the same run (JSON round trip of the same body), because absolute figures on a
// shared machine mean little.
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { sealEnvelope, signEnvelopeAttempt } from '../node/envelope/seal.js';
import { createTestNetwork, referralRequest } from '../tests/_util/test-node.js';
import { appendAuditEvent } from '../node/audit-log/append.js';
import { consistencyProof, inclusionProof } from '../node/audit-log/merkle.js';
import { consistencyProofBetween, inclusionProofAt, syncTreeNodes } from '../node/audit-log/tree-store.js';
import { b64u } from '../node/crypto/encoding.js';
import { checkConsentRules } from '../node/audit-log/consent-rules.js';
import { matchServices, type MatchQuery } from '../node/directory/matching.js';
import { taxonomy } from '../node/directory/taxonomy.js';

interface Case {
  name: string;
  run: () => Promise<unknown> | unknown;
}

async function measure(fn: Case['run'], minMs = 1_500): Promise<{ opsPerSecond: number; p50: number; p99: number }> {
  const samples: number[] = [];
  const start = performance.now();
  while (performance.now() - start < minMs || samples.length < 20) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  samples.sort((x, y) => x - y);
  const total = samples.reduce((s, x) => s + x, 0);
  return { opsPerSecond: (samples.length / total) * 1000, p50: samples[Math.floor(samples.length * 0.5)]!, p99: samples[Math.floor(samples.length * 0.99)]! };
}

const net = await createTestNetwork(2);
const [a, b] = net.nodes as [(typeof net.nodes)[0], (typeof net.nodes)[0]];
// Creating a referral kicks its delivery; with B out of reach the attempts fail at once and B's
// breaker stays open, so what is measured is the creation, not deliveries sharing the process.
net.unreachable.add(b.id);
const body = { referral_id: randomUUID(), ...referralRequest(b.id) };
const sealInput = () => ({
  type: 'referral.offer', from: a.id, to: b.id, referralId: randomUUID(), seq: 1, createdAt: new Date(), body,
  recipientKey: b.ctx.self.encryptionKey.publicJwk, senderKey: a.ctx.self.encryptionKey.publicJwk,
});

// An audit log of 100k entries on b, its subtree cache filled as checkpoints would fill it.
const LOG_SIZE = 100_000;
for (let done = 0; done < LOG_SIZE; done += 10_000) {
  await b.ctx.database.transaction(async (tx) => {
    for (let i = done; i < done + 10_000; i++) {
      await appendAuditEvent(tx, new Date(), { kind: 'system', id: 'bench' }, { type: 'user.created', user_id: `user-${i}`, role: 'caseworker' });
    }
  });
}
await b.ctx.database.transaction((tx) => syncTreeNodes(tx));
const logLeaves = (await b.ctx.database.db.selectFrom('audit_log').select('leaf_hash').orderBy('idx').execute()).map((r) => b64u.decode(r.leaf_hash));
const logSize = logLeaves.length;
const randomIndex = () => Math.floor(Math.random() * logSize);
process.stderr.write(`audit log of ${logSize} entries ready\n`);

// The consent rules over 100k entries as an auditor would check them: consents, disclosures
// under them, and for half of them a withdrawal with erasures requested and confirmed.
const ruleEntries: string[] = [];
const add = (event: Record<string, unknown>) => ruleEntries.push(JSON.stringify({ v: 1, index: ruleEntries.length, at: new Date(Date.UTC(2026, 0, 1, 0, 0, ruleEntries.length)).toISOString(), actor: { kind: 'system', id: 'bench' }, ...event }));
for (let c = 0; ruleEntries.length < LOG_SIZE; c++) {
  const peer = `https://peer-${c % 7}.example.org`;
  add({ type: 'consent.recorded', consent_id: `c${c}`, origin: 'self', origin_consent_id: `c${c}`, categories: ['identity', 'situation'], purposes: ['referral'], recipients: [peer], onward_allowed: false, method: 'written', language: 'en', obtained_by: 'u', obtained_at: '2025-12-01T00:00:00.000Z', valid_until: '2027-12-01T00:00:00.000Z' });
  for (let r = 0; r < 10; r++) add({ type: 'data.disclosed', referral_id: `r${c}-${r}`, peer_id: peer, envelope_id: `e${c}-${r}`, message: 'referral.offer', consent_id: `c${c}`, categories: ['identity'] });
  if (c % 2 === 0) {
    add({ type: 'consent.withdrawn', consent_id: `c${c}`, recipients: [peer], whole: true });
    for (let r = 0; r < 10; r++) add({ type: 'erasure.requested', referral_id: `r${c}-${r}`, node_id: peer, reason: 'consent-withdrawn' });
    for (let r = 0; r < 10; r++) add({ type: 'erasure.confirmed', referral_id: `r${c}-${r}`, node_id: peer, reason: 'consent-withdrawn', statement_digest: 'x' });
  }
}
const ruleNow = new Date(Date.UTC(2026, 5, 1));

// Matching across 1,000 trusted peers with 50 services each (synthetic): their directories as a
// node holds them after a sync, in a's database. The peers' rows carry placeholders where keys and
// documents would be: matching reads only their id, name, country and state.
const PEERS = 1_000;
const SERVICES_PER_PEER = 50;
const COUNTRIES = ['GR', 'AT', 'IT', 'RO', 'BG'] as const;
const CODES = taxonomy().categories.map((c) => c.code);
const LANGUAGES = ['en', 'de', 'el', 'it', 'ro', 'bg', 'ar', 'fa', 'fr', 'es', 'ru', 'tr'];
let seed = 42;
const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
const exp = Math.floor(Date.now() / 1000) + 86_400;
await a.ctx.database.transaction(async (tx) => {
  for (let p = 0; p < PEERS; p++) {
    const id = `https://peer-${p}.bench.example.org`;
    const country = COUNTRIES[p % COUNTRIES.length]!;
    await tx.insertInto('peers').values({
      id, name: `Bench organisation ${p}`, country, languages: '["en"]', contact: null, state: 'trusted', signing_kid: `kid-${p}`, signing_jwk: '{}',
      encryption_kid: `enc-${p}`, encryption_jwk: '{}', identity_jws: '', added_at: new Date().toISOString(), trusted_at: null, updated_at: new Date().toISOString(),
    }).execute();
    const services = Array.from({ length: SERVICES_PER_PEER }, (_, i) => ({
      id: randomUUID(), name: { en: `Service ${p}-${i}` }, description: { en: 'A synthetic service.' },
      categories: [pick(CODES), ...(random() < 0.5 ? [pick(CODES)] : [])].filter((c, j, all) => all.indexOf(c) === j),
      languages: [pick(LANGUAGES), pick(LANGUAGES), 'en'].filter((l, j, all) => all.indexOf(l) === j),
      modes: random() < 0.2 ? ['in-person', 'online'] : ['in-person'],
      location: { country, city: `City ${p % 40}` },
      eligibility: { women_only: random() < 0.6, minimum_age: 18, ...(random() < 0.3 ? { legal_statuses: ['asylum-seeker', 'international-protection'] } : {}), children_accepted: random() < 0.5 },
      ...(random() < 0.7 ? { capacity: { available: Math.floor(random() * 5), maximum: 10 } } : {}),
      status: 'active', accepting_referrals: random() < 0.85, updated_at: new Date().toISOString(),
    }));
    await tx.insertInto('peer_directories').values({
      peer_id: id, jws: '', etag: `"${p}"`, iat: exp - 86_400, exp, services: JSON.stringify(services), fetched_at: new Date().toISOString(), checked_at: new Date().toISOString(), last_error: null,
    }).execute();
  }
});
const matchQueries = [
  { needs: ['vocational-training'], country: 'AT', languages: ['ar', 'en'], gender: 'female', age: 29, legal_status: 'asylum-seeker', with_children: true },
  { needs: ['legal-aid'], country: 'IT', languages: ['fr'] },
  { needs: ['safe-housing', 'psychological-support'], country: 'GR', languages: ['fa'], with_children: true },
  { needs: ['language-courses'], languages: ['ar'], mode: 'online' },
] as MatchQuery[];
let nextQuery = 0;
await matchServices(a.ctx, matchQueries[0]!); // builds the index once, as the first query after a sync does
process.stderr.write(`${PEERS} peers with ${SERVICES_PER_PEER} services each ready\n`);

const cases: Case[] = [
  { name: 'baseline: JSON round trip of the body', run: () => JSON.parse(JSON.stringify(body)) },
  { name: 'seal an envelope (encrypt + 2 sealed boxes)', run: () => sealEnvelope(sealInput()) },
  {
    name: 'seal + sign an attempt',
    run: async () => signEnvelopeAttempt((await sealEnvelope(sealInput())).payload, { nodeId: a.id, signingKey: a.ctx.self.signingKey }, new Date()),
  },
  {
    name: 'create a referral through the local API (seal, store encrypted, queue)',
    run: async () => {
      const response = await a.request('/api/v1/referrals', {
        method: 'POST',
        headers: { authorization: `Bearer ${a.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(referralRequest(b.id)),
      });
      if (response.status !== 201) throw new Error(`create answered ${response.status}`);
    },
  },
  { name: 'inclusion proof at 100k leaves: merkle.ts over leaves in memory', run: () => inclusionProof(logLeaves, randomIndex()) },
  { name: 'inclusion proof at 100k leaves: tree store (SQLite)', run: () => inclusionProofAt(b.ctx.database.db, randomIndex(), logSize) },
  { name: 'consistency proof at 100k leaves: merkle.ts over leaves in memory', run: () => consistencyProof(logLeaves, randomIndex() + 1) },
  { name: 'consistency proof at 100k leaves: tree store (SQLite)', run: () => consistencyProofBetween(b.ctx.database.db, randomIndex() + 1, logSize) },
  {
    name: `match across ${PEERS} peers × ${SERVICES_PER_PEER} services (index built)`,
    run: async () => {
      const found = await matchServices(a.ctx, matchQueries[nextQuery++ % matchQueries.length]!);
      if (found.searched.peers !== PEERS) throw new Error('the bench should search every peer');
    },
  },
  {
    name: 'consent rules over 100k entries (JSON text)',
    run: () => {
      if (!checkConsentRules(ruleEntries, { now: ruleNow }).ok) throw new Error('the bench log should pass the consent rules');
    },
  },
];

const results: Array<{ name: string; opsPerSecond: number; p50: number; p99: number }> = [];
for (const c of cases) {
  const r = await measure(c.run);
  results.push({ name: c.name, ...r });
  process.stderr.write(`measured: ${c.name}\n`);
}
const baseline = results[0]!.opsPerSecond;
console.log('\ncase'.padEnd(75), 'ops/s'.padStart(10), 'p50 ms'.padStart(9), 'p99 ms'.padStart(9), 'cost vs baseline'.padStart(18));
for (const r of results) {
  console.log(
    r.name.padEnd(74),
    r.opsPerSecond.toFixed(0).padStart(10),
    r.p50.toFixed(3).padStart(9),
    r.p99.toFixed(3).padStart(9),
    `${(baseline / r.opsPerSecond).toFixed(1)}×`.padStart(18),
  );
}
await net.close();
