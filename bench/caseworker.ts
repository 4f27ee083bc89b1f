// `npm run bench` (issue 18 item 10): a caseworker's two heaviest pages. Search over 100,000
// referrals (names, dates of birth and phones kept encrypted, found through the blind index), and
// the overview of a caseworker with 5,000 open referrals, each as one request through the node's
// web interface, and as figures with the machine's load and as ratios to a baseline measured in
// the same run (a signed-in page that reads nothing: the settings of a user without tokens).
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { createReferralRecord } from '../node/referrals/state.js';
import { keepPayload, preparePayload, type PreparedPayload } from '../node/referrals/payload-store.js';
import { refreshSearchIndex, searchReferrals } from '../node/referrals/search.js';
import { createTestNetwork, type TestNode } from '../tests/_util/test-node.js';
import { signedInAs, tokenIn, type UiBrowser } from '../tests/_util/ui-browser.js';

const SEARCHED = Number(process.env.BENCH_SEARCH_REFERRALS ?? 100_000);
const OPEN = Number(process.env.BENCH_OPEN_REFERRALS ?? 5_000);
const GIVEN = ['Ioana', 'Maria', 'Elena', 'Amira', 'Fatima', 'Olena', 'Svetlana', 'Ana', 'Mariam', 'Nadia', 'Sara', 'Leila', 'Joy', 'Blessing', 'Aisha', 'Daria', 'Irina', 'Gloria', 'Hanna', 'Zainab'];
const FAMILY = ['Popescu', 'Ionescu', 'Georgieva', 'Petrova', 'Haddad', 'Okafor', 'Mensah', 'Kowalska', 'Shevchenko', 'Rahimi', 'Diallo', 'Nikolaidou', 'Hussein', 'Bondarenko', 'Adeyemi', 'Stoica', 'Dimitrova', 'Karimi', 'Traoré', 'Vasile'];

const pick = <T>(list: readonly T[], i: number): T => list[i % list.length]!;
/** 100 given and 200 family names (real ones and variants of them): a full name is shared by a few of 100,000, a family name by 500. */
const GIVEN_NAMES = GIVEN.flatMap((name) => ['', 'ia', 'ina', 'ela', 'ra'].map((end) => `${name}${end}`));
const FAMILY_NAMES = FAMILY.flatMap((name) => ['', 'u', 'escu', 'ova', 'ić', 'idis', 'ski', 'enko', 'ini', 'an'].map((end) => `${name}${end}`));
const nameOf = (i: number) => ({ given_name: pick(GIVEN_NAMES, i * 7919), family_name: pick(FAMILY_NAMES, Math.floor(i * 104_729 / 13)) });
/** Her referral changed last at some time over the two years before `now`, as a busy node's are. */
const changedAt = (now: Date, i: number, count: number) => new Date(now.getTime() - (count - i) * Math.floor((2 * 365 * 86_400_000) / count));

/** `count` referrals received at `node` from `peer`, with her data encrypted as an offer stores it; `open` of them waiting for an answer. */
async function receive(node: TestNode, peer: TestNode, count: number, open: number): Promise<string[]> {
  const ids: string[] = [];
  const now = node.ctx.clock.now();
  const BATCH = 500;
  for (let start = 0; start < count; start += BATCH) {
    const made: Array<{ id: string; open: boolean; at: Date; payload: PreparedPayload }> = [];
    for (let i = start; i < Math.min(count, start + BATCH); i++) {
      const id = randomUUID();
      const content = {
        referral_id: id, needs: ['vocational-training'], urgency: 'routine',
        client: {
          identity: { ...nameOf(i), date_of_birth: `${1960 + (i % 40)}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}` },
          contact: { phone: `+40 7${String(10_000_000 + i).padStart(8, '0')}` },
        },
      };
      made.push({ id, open: i >= count - open, at: changedAt(now, i, count), payload: await preparePayload(node.ctx.dataKeys, { referralId: id, kind: 'referral.offer', content, now }) });
    }
    await node.ctx.database.transaction(async (tx) => {
      for (const r of made) {
        await createReferralRecord(tx, node.ctx.self.country, {
          id: r.id, direction: 'incoming', peer_id: peer.id, state: r.open ? 'delivered' : 'completed', urgency: 'routine',
          peer_seq: 1, peer_bytes: 2_000, created_by: null, consent_id: null, reply_by: null,
        }, r.at);
        await keepPayload(tx, node.ctx.dataKeys, r.payload);
      }
    });
    ids.push(...made.map((r) => r.id));
  }
  return ids;
}

async function measure(what: string, run: () => Promise<unknown>, minMs = 3_000): Promise<{ what: string; p50: number; p90: number; runs: number }> {
  await run();
  const samples: number[] = [];
  const start = performance.now();
  while (performance.now() - start < minMs || samples.length < 20) {
    const t = performance.now();
    await run();
    samples.push(performance.now() - t);
  }
  samples.sort((x, y) => x - y);
  return { what, p50: samples[Math.floor(samples.length / 2)]!, p90: samples[Math.floor(samples.length * 0.9)]!, runs: samples.length };
}

/** How many referrals a search finds (what the page shows). */
async function hits(node: TestNode, query: string): Promise<number | string> {
  const outcome = await searchReferrals(node.ctx, query);
  return outcome.ok ? outcome.hits.length : outcome.reason;
}

async function search(browser: UiBrowser, query: string): Promise<void> {
  const form = await browser.html('/ui/search');
  const response = await browser.go('/ui/search', { form: { _csrf: tokenIn(form), query } });
  if (response.status !== 200) throw new Error(`The search for ${query} answered ${response.status}.`);
  await response.text();
}

const net = await createTestNetwork(3);
const [big, open, peer] = net.nodes as [TestNode, TestNode, TestNode];
const started = performance.now();
await receive(big, peer, SEARCHED, 0);
process.stderr.write(`${SEARCHED} referrals made in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
const indexing = performance.now();
await refreshSearchIndex(big.ctx);
process.stderr.write(`indexed in ${((performance.now() - indexing) / 1000).toFixed(0)} s\n`);
await receive(open, peer, OPEN, OPEN);

const searcher = await signedInAs(big, 'caseworker', net.clock.now(), 'searcher');
const reader = await signedInAs(open, 'caseworker', net.clock.now(), 'reader');
// The form of the search page is read each time: the baseline is that page's GET alone.
// One woman's name as a caseworker would type it: given name first, in lower case.
const known = `${nameOf(4242).given_name} ${nameOf(4242).family_name}`.toLowerCase();
const baseline = await measure('baseline: the search page, read', async () => searcher.html('/ui/search'));
const cases = [
  await measure(`search by name over ${SEARCHED} (“Popescu, Ioana”: ${await hits(big, 'Popescu Ioana')} found)`, () => search(searcher, 'Popescu, Ioana')),
  await measure(`search by name over ${SEARCHED} (“${known}”: ${await hits(big, known)} found)`, () => search(searcher, known)),
  await measure(`search by date of birth over ${SEARCHED}`, () => search(searcher, '14.03.1974')),
  await measure(`search by phone over ${SEARCHED}`, () => search(searcher, '+40 710 004 242')),
  await measure(`overview with ${OPEN} open referrals`, () => open.request('/ui/overview', { headers: { cookie: reader.cookie() } }).then((r) => r.text())),
  await measure(`list (first page) of ${OPEN} open referrals`, () => open.request('/ui/referrals', { headers: { cookie: reader.cookie() } }).then((r) => r.text())),
];
const load = loadavg().map((l) => l.toFixed(2)).join(' ');
console.log(`\nA caseworker's pages (load average ${load}; baseline p50 ${baseline.p50.toFixed(1)} ms)`);
console.log('| case | p50 ms | p90 ms | p50 / baseline | runs |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const c of [baseline, ...cases]) console.log(`| ${c.what} | ${c.p50.toFixed(1)} | ${c.p90.toFixed(1)} | ${(c.p50 / baseline.p50).toFixed(1)}x | ${c.runs} |`);
await net.close();
