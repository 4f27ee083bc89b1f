// The floor (issue 16): two processes doing only what the protocol requires to deliver one
// referral, with the node's own libraries, so that the node's figures can be read against it.
// The sender seals the body (XChaCha20-Poly1305 + a sealed box for each side, sealEnvelope),
// writes a durable outbox row, signs the attempt (EdDSA JWS), posts it with fetch to a plain Hono
// route, verifies the receipt and updates the row. The receiver verifies the JWS, opens the body,
// signs a receipt and inserts one row. Both SQLite files are in WAL mode with synchronous=FULL:
// every write is its own fsync'd transaction, as the node's are.
//
// Run by bench/two-process.ts through startFloor(); each side is its own process:
//   node --import tsx bench/floor.ts receiver DIR PORT   (prints "floor receiver listening")
//   node --import tsx bench/floor.ts sender DIR URL      (takes runs over IPC, answers with timings)
import { serve } from '@hono/node-server';
import SQLite from 'better-sqlite3';
import { Hono } from 'hono';
import { compactVerify, type CryptoKey, type JWK } from 'jose';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULTS } from '../node/config/config.js';
import { b64u, sha256, utf8 } from '../node/crypto/encoding.js';
import { signReceipt, RECEIPT_TYP, type ReceiptClaims } from '../node/envelope/receipt.js';
import { ENVELOPE_TYP, openEnvelopeBody, sealEnvelope, signEnvelopeAttempt, type EnvelopePayload } from '../node/envelope/seal.js';
import { encryptionKeyFrom, generateEncryptionKey, generateSigningKey, importSigningPublicKey, signingKeyFromPrivateJwk } from '../node/identity/keys.js';

/** In flight at once from the sender, as the node's outbox allows to one peer by default (BENCH_FLOOR_IN_FLIGHT for another). */
const IN_FLIGHT = Number(process.env.BENCH_FLOOR_IN_FLIGHT ?? DEFAULTS.deliveryConcurrency);

/** What the parent asks the sender to do: `count` deliveries, at `ratePerSecond` or as fast as it can. */
export interface FloorRunRequest {
  count: number;
  ratePerSecond?: number;
}

/** When the run started and ended (ms since the epoch), and each message's creation-to-receipt time. */
export interface FloorRunResult {
  startedAt: number;
  lastReceiptAt: number;
  latenciesMs: number[];
}

export interface Floor {
  senderPid: number;
  receiverPid: number;
  run(request: FloorRunRequest): Promise<FloorRunResult>;
  stop(): Promise<void>;
}

interface StoredKeys {
  id: string;
  signing: JWK;
  encryption: { publicKey: string; privateKey: string };
}

async function newKeys(id: string): Promise<StoredKeys> {
  const { privateJwk } = await generateSigningKey();
  const encryption = await generateEncryptionKey();
  return { id, signing: privateJwk, encryption: { publicKey: b64u.encode(encryption.publicKey), privateKey: b64u.encode(encryption.privateKey) } };
}

async function loadKeys(stored: StoredKeys) {
  return {
    id: stored.id,
    signingKey: await signingKeyFromPrivateJwk(stored.signing),
    encryptionKey: await encryptionKeyFrom(b64u.decode(stored.encryption.publicKey), b64u.decode(stored.encryption.privateKey)),
  };
}

function openDurable(path: string, schema: string): SQLite.Database {
  const db = new SQLite(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(schema);
  return db;
}

/**
 * A referral offer's body, shaped and sized like the one the node seals for the bench's referral
 * (tests/_util/test-node.ts, referralRequest). A copy rather than an import: the floor loads none
 * of the node's modules beyond the protocol's own crypto, so its memory and CPU are the protocol's.
 */
function offerBody(referralId: string, to: string): unknown {
  const now = new Date();
  return {
    referral_id: referralId,
    needs: ['vocational-training', 'language-courses'],
    urgency: 'routine',
    reason: 'She wants to train as a pastry cook and needs German at A2 first.',
    client: {
      identity: { given_name: 'Amal', nationality: 'SY' },
      situation: { summary: 'Lives in a shelter in Athens; ready to move in spring.', languages_spoken: ['ar', 'en'] },
    },
    consent: {
      id: randomUUID(),
      categories: ['identity', 'situation'],
      purposes: ['referral', 'service-provision'],
      recipients: [to],
      method: 'verbal-with-interpreter',
      language: 'ar',
      obtained_by: randomUUID(),
      obtained_at: now.toISOString(),
      valid_until: new Date(now.getTime() + 180 * 86_400_000).toISOString(),
    },
  };
}

async function runReceiver(dir: string, port: number): Promise<void> {
  const keys = JSON.parse(readFileSync(join(dir, 'keys.json'), 'utf8')) as { sender: StoredKeys; receiver: StoredKeys };
  const self = await loadKeys(keys.receiver);
  const senderKey: CryptoKey = await importSigningPublicKey((await signingKeyFromPrivateJwk(keys.sender.signing)).publicJwk);
  const db = openDurable(join(dir, 'receiver.sqlite'), 'create table if not exists envelopes (id text primary key, sender text not null, payload text not null, payload_digest text not null, signed_jws text not null, receipt text not null, received_at text not null)');
  const insert = db.prepare('insert into envelopes (id, sender, payload, payload_digest, signed_jws, receipt, received_at) values (?, ?, ?, ?, ?, ?, ?)');
  const app = new Hono();
  app.post('/federation/v1/envelopes', async (c) => {
    const jws = (await c.req.text()).trim();
    const verified = await compactVerify(jws, senderKey, { algorithms: ['EdDSA'] }).catch(() => undefined);
    const header = verified?.protectedHeader as { typ?: string; iss?: string } | undefined;
    if (!verified || header?.typ !== ENVELOPE_TYP || header.iss !== keys.sender.id) return c.json({ type: 'bad-signature' }, 400);
    const payloadText = utf8.decode(verified.payload);
    const payload = JSON.parse(payloadText) as EnvelopePayload;
    const headerBytes = b64u.decode(payload.header);
    const envelopeHeader = JSON.parse(utf8.decode(headerBytes)) as { id: string; to: string };
    if (envelopeHeader.to !== self.id) return c.json({ type: 'wrong-recipient' }, 400);
    const body = await openEnvelopeBody(payload, headerBytes, self.encryptionKey, 'recipient');
    if (!body) return c.json({ type: 'decryption-failed' }, 400);
    const claims: ReceiptClaims = {
      iss: self.id,
      aud: keys.sender.id,
      envelope_id: envelopeHeader.id,
      payload_digest: b64u.encode(sha256(verified.payload)),
      received_at: new Date().toISOString(),
    };
    const receipt = await signReceipt(claims, self.signingKey);
    insert.run(claims.envelope_id, keys.sender.id, payloadText, claims.payload_digest, jws, receipt, claims.received_at);
    return c.json({ receipt, envelope_id: claims.envelope_id, payload_digest: claims.payload_digest, received_at: claims.received_at });
  });
  serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => console.log('floor receiver listening'));
}

async function runSender(dir: string, receiverUrl: string): Promise<void> {
  const keys = JSON.parse(readFileSync(join(dir, 'keys.json'), 'utf8')) as { sender: StoredKeys; receiver: StoredKeys };
  const self = await loadKeys(keys.sender);
  const peer = await loadKeys(keys.receiver);
  const peerKey: CryptoKey = await importSigningPublicKey(peer.signingKey.publicJwk);
  const db = openDurable(join(dir, 'sender.sqlite'), 'create table if not exists outbox (id text primary key, peer text not null, payload text not null, payload_digest text not null, created_at text not null, state text not null, receipt text, delivered_at text)');
  const queue = db.prepare("insert into outbox (id, peer, payload, payload_digest, created_at, state) values (?, ?, ?, ?, ?, 'queued')");
  const markDelivered = db.prepare("update outbox set state = 'delivered', receipt = ?, delivered_at = ? where id = ?");

  /** Seals one referral for the peer and queues it durably: what creating it costs at least. */
  const create = async () => {
    const createdAt = new Date();
    const referralId = randomUUID();
    const sealed = await sealEnvelope({
      type: 'referral.offer', from: self.id, to: peer.id, referralId, seq: 1, createdAt, body: offerBody(referralId, peer.id),
      recipientKey: peer.encryptionKey.publicJwk, senderKey: self.encryptionKey.publicJwk,
    });
    queue.run(sealed.header.id, peer.id, sealed.payload, sealed.digest, createdAt.toISOString());
    return sealed;
  };

  /** One attempt, as the node's worker makes it: sign, post, verify the receipt, record it. */
  const deliver = async (sealed: Awaited<ReturnType<typeof create>>) => {
    const jws = await signEnvelopeAttempt(sealed.payload, { nodeId: self.id, signingKey: self.signingKey }, new Date());
    const response = await fetch(`${receiverUrl}/federation/v1/envelopes`, {
      method: 'POST',
      headers: { 'content-type': 'application/jose', accept: 'application/json, application/problem+json' },
      body: jws,
    });
    if (response.status !== 200) throw new Error(`the floor receiver answered ${response.status}: ${await response.text()}`);
    const { receipt } = (await response.json()) as { receipt: string };
    const verified = await compactVerify(receipt, peerKey, { algorithms: ['EdDSA'] });
    const claims = JSON.parse(utf8.decode(verified.payload)) as ReceiptClaims;
    const proves =
      verified.protectedHeader.typ === RECEIPT_TYP && claims.iss === peer.id && claims.aud === self.id && claims.envelope_id === sealed.header.id && claims.payload_digest === sealed.digest;
    if (!proves) throw new Error('the floor receiver gave a receipt that proves nothing');
    markDelivered.run(receipt, new Date().toISOString(), sealed.header.id);
  };

  const run = async ({ count, ratePerSecond }: FloorRunRequest): Promise<FloorRunResult> => {
    const latenciesMs: number[] = [];
    const startedAt = Date.now();
    let lastReceiptAt = startedAt;
    const delivered = (started: number) => {
      lastReceiptAt = Date.now();
      latenciesMs.push(lastReceiptAt - started);
    };
    if (ratePerSecond === undefined) {
      // As fast as it goes: IN_FLIGHT referrals at a time, each created then delivered.
      let next = 0;
      const lane = async () => {
        while (next < count) {
          next += 1;
          const started = Date.now();
          await deliver(await create());
          delivered(started);
        }
      };
      await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
    } else {
      // Created on a schedule whatever the deliveries do; at most IN_FLIGHT posts at once.
      let posting = 0;
      const waiting: Array<() => void> = [];
      const slot = async () => {
        if (posting < IN_FLIGHT) posting += 1;
        else await new Promise<void>((resolve) => waiting.push(resolve));
      };
      const free = () => (waiting.length > 0 ? waiting.shift()!() : (posting -= 1));
      const all: Promise<void>[] = [];
      for (let i = 0; i < count; i++) {
        const due = startedAt + (i * 1_000) / ratePerSecond;
        if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
        const started = Date.now();
        all.push(
          (async () => {
            const sealed = await create();
            await slot();
            try {
              await deliver(sealed);
            } finally {
              free();
            }
            delivered(started);
          })(),
        );
      }
      await Promise.all(all);
    }
    return { startedAt, lastReceiptAt, latenciesMs };
  };

  process.on('message', (request: FloorRunRequest) => {
    run(request).then(
      (result) => process.send!({ result }),
      (error: unknown) => process.send!({ error: error instanceof Error ? error.message : String(error) }),
    );
  });
  process.send!({ ready: true });
}

function spawnSide(repoRoot: string, args: string[], ipc: boolean): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe', ...(ipc ? (['ipc'] as const) : [])],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  return { child, output: () => output };
}

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => child.once('close', () => resolve()));

/** Starts the floor's receiver and sender in `dir` (an empty folder): ready for runs. */
export async function startFloor(dir: string): Promise<Floor> {
  // Imported here, not at the top: the floor's own processes need none of the test helpers.
  const { freePort, pollUntil, repoRoot } = await import('../tests/_util/processes.js');
  const port = await freePort();
  const receiverUrl = `http://127.0.0.1:${port}`;
  writeFileSync(join(dir, 'keys.json'), JSON.stringify({ sender: await newKeys('http://127.0.0.1:1/floor-sender'), receiver: await newKeys(receiverUrl) }), { mode: 0o600 });
  const receiver = spawnSide(repoRoot, ['receiver', dir, String(port)], false);
  const sender = spawnSide(repoRoot, ['sender', dir, receiverUrl], true);
  const stop = async () => {
    for (const side of [sender, receiver]) {
      side.child.kill('SIGTERM');
      await exited(side.child);
    }
  };
  try {
    await pollUntil(async () => (/floor receiver listening/.test(receiver.output()) ? true : receiver.child.exitCode === null ? undefined : Promise.reject(new Error(receiver.output()))), {
      timeoutMs: 60_000, intervalMs: 50, what: 'the floor receiver',
    });
    await new Promise<void>((resolve, reject) => {
      sender.child.once('message', () => resolve());
      sender.child.once('close', () => reject(new Error(`the floor sender exited:\n${sender.output()}`)));
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    senderPid: sender.child.pid!,
    receiverPid: receiver.child.pid!,
    run: (request) =>
      new Promise((resolve, reject) => {
        sender.child.once('message', (answer: { result?: FloorRunResult; error?: string }) => (answer.result ? resolve(answer.result) : reject(new Error(answer.error))));
        sender.child.send(request);
      }),
    stop,
  };
}

const [, entry, side, dir, where] = process.argv;
if (entry && fileURLToPath(import.meta.url) === entry && dir && where) {
  if (side === 'receiver') await runReceiver(dir, Number(where));
  else if (side === 'sender') await runSender(dir, where);
  else throw new Error('usage: floor.ts receiver DIR PORT | sender DIR URL');
}
