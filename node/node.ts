// Building a node from its data folder: `initNode` creates one, `openNode` loads it into a
// NodeContext with its HTTP app and delivery worker, `serveNode` puts it on the network with a
// graceful shutdown. Tests override clock, fetch and logger; the server's composition
// (server/app.ts) gives the HTTP app with the web interface.
import { OutboxHandover } from './delivery/handover.js';
import { startDirectorySync } from './directory/sync.js';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { Hono } from 'hono';
import type { NodeConfig } from './config/config.js';
import { ConfigError } from './config/config.js';
import { systemClock, type Clock, type Fetch, type NodeContext } from './context.js';
import { outboundFetch } from './net/outbound.js';
import { kekFromBytes, type Kek } from './crypto/kek.js';
import { kekSourceForInit, kekSourceOf, provideKek, readKek, type KekSource } from './config/kek-source.js';
import { looseModes, type GuardedPath } from './config/file-modes.js';
import { trustedProxiesFrom } from './net/client-address.js';
import { createRequestLimiters } from './net/rate-limits.js';
import { createSignInGuard } from './users/sign-in-guard.js';
import { migrateToLatest, openDatabase, type Database, type DatabaseOptions, type DatabaseTarget } from './db/database.js';
import { createDeliveryWorker, type DeliveryWorker } from './delivery/worker.js';
import type { ProcessRole } from './processes/registry.js';
import type { Periodic } from './periodic.js';
import type { HttpAppBuilder } from './http/app.js';
import { startExpiryTimer } from './referrals/expiry.js';
import { startRetentionTimer } from './consents/retention.js';
import { startIdentityRefresh } from './peers/refresh.js';
import { startTrustListFollower, type TrustListFollowing } from './peers/trust-list-follower.js';
import { startKeySchedule, type KeyPolicy } from './identity/rotation.js';
import { startCheckpointTimer } from './audit-log/witness-client.js';
import { adoptLegacyPrivateKeys, createNodeIdentity, isInitialised, loadSelfIdentity, type NodeSettings } from './identity/store.js';
import { readableFingerprint } from './identity/keys.js';
import { createLogger } from './logging/logger.js';
import { createNodeMetrics } from './metrics/node-metrics.js';
import { envelopeProblems } from './envelope/problems.js';
import { createUser } from './users/service.js';
import { createKeyringFile, keyringExists } from './data-keys/keyring.js';
import { dataKeysWith, loadKeyring, type DataKeys } from './data-keys/data-keys.js';
import { startShredding } from './data-keys/shredding.js';
import { adoptLegacyPayloadKeys } from './referrals/payload-store.js';
import { adoptLegacyFormKeys } from './consents/form.js';
import { sealLegacyEnvelopeCopies } from './delivery/outbox.js';
import { startReminders } from './notifications/reminders.js';
import { startNotificationMail } from './notifications/mailer.js';

export interface Overrides {
  clock?: Clock;
  fetch?: Fetch;
  logger?: Logger;
  deliveryPollMs?: number;
  /**
   * Where warnings about the node's files go (a file other users may read: config/file-modes.ts);
   * the node's log when absent. A one-off command prints them, its log being silent.
   */
  warn?: (sentence: string) => void;
  /** Envelopes in flight to one peer at once; the configuration's when absent. */
  deliveryConcurrency?: number;
  /** Called with each statement the node's database executes (tests of query plans). */
  onQuery?: DatabaseOptions['onQuery'];
  /**
   * The HTTP app to serve: the node's own APIs unless the server composes more around them;
   * false for a one-off command, which serves nothing (the HTTP layer is then not even loaded).
   */
  httpApp?: HttpAppBuilder | false;
  /**
   * What this process does among those serving the node's data (`serve --role`): web serves
   * HTTP and leaves deliveries to a worker process, worker delivers and runs the periodic jobs
   * without serving HTTP, all does both.
   */
  role?: ProcessRole;
}

export interface OpenNode {
  ctx: NodeContext;
  app: Hono;
  delivery: DeliveryWorker;
  role: ProcessRole;
  /** How often a serving node makes a checkpoint of its audit log and seeks cosignatures. */
  checkpointEveryMs: number;
  /** How often the expiry run looks for referrals whose reply-by date passed. */
  expiryEveryMs: number;
  /** Days after a referral closed before its personal data is erased (REFERRAL_NODE_RETENTION_DAYS). */
  retentionDays: number;
  /** When encryption keys rotate and retired ones are destroyed (REFERRAL_NODE_KEY_ROTATION_DAYS, REFERRAL_NODE_RETIRED_KEY_DAYS). */
  keyPolicy: KeyPolicy;
  /** The network trust list followed, if any (REFERRAL_NODE_TRUST_LIST_URL, REFERRAL_NODE_TRUST_ANCHOR_KID). */
  trustList?: TrustListFollowing | undefined;
  close(): Promise<void>;
}

function loadKek(config: NodeConfig): Kek {
  return kekFromBytes(readKek(config));
}

/**
 * A node whose data is in PostgreSQL keeps the database's URL in its data folder (beside the KEK,
 * as secret as it), so that every command given only --data finds it.
 */
const databaseUrlFile = (config: NodeConfig): string => join(config.dataDir, 'database-url');

/** Where the node's data is: PostgreSQL when a URL is configured or recorded at init, else SQLite. */
export function databaseTarget(config: NodeConfig): DatabaseTarget {
  const recorded = existsSync(databaseUrlFile(config)) ? readFileSync(databaseUrlFile(config), 'utf8').trim() : undefined;
  const url = config.databaseUrl ?? recorded;
  return url ? { postgresUrl: url } : { sqlitePath: config.databasePath };
}

/** Whether the data folder holds a node (its SQLite file, or the URL of its PostgreSQL database). */
export const hasNode = (config: NodeConfig): boolean => existsSync(config.databasePath) || existsSync(databaseUrlFile(config));

/** The files that hold the node's secrets and data, and its data folder, whose modes are checked at start. */
function guardedPaths(config: NodeConfig): GuardedPath[] {
  const sqlite = 'sqlitePath' in databaseTarget(config);
  const kek = kekSourceOf(config);
  return [
    { path: config.dataDir, what: 'The data folder', folder: true },
    ...(sqlite
      ? [
          { path: config.databasePath, what: 'The database' },
          { path: `${config.databasePath}-wal`, what: 'The database\'s write-ahead log' },
          { path: `${config.databasePath}-shm`, what: 'The database\'s shared-memory index' },
        ]
      : []),
    // A systemd credential's mode is systemd's business.
    ...(kek.kind === 'file' || kek.kind === 'data-folder' ? [{ path: kek.path, what: 'The key-encryption key' }] : []),
    { path: config.keyringFile, what: 'The keyring' },
    { path: databaseUrlFile(config), what: 'The database URL file' },
  ];
}

export interface InitResult {
  nodeId: string;
  fingerprint: string;
  adminUsername: string;
  adminPassword: string;
  /** Where the KEK is, and whether init made it. */
  kek: { source: KekSource; created: boolean };
  /** Sentences about files other users may read (a data folder made beforehand with another mode). */
  warnings: string[];
}

export async function initNode(
  config: NodeConfig,
  settings: NodeSettings,
  admin: { username: string },
  clock: Clock = systemClock,
): Promise<InitResult> {
  if (hasNode(config)) {
    throw new ConfigError(`${config.dataDir} already holds a node; use another folder, or \`referral-node serve\` to run it.`);
  }
  const kekSource = kekSourceForInit(config);
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const database = openDatabase(databaseTarget(config));
  try {
    await migrateToLatest(database);
    if (await isInitialised(database.db)) {
      throw new ConfigError('That PostgreSQL database already holds a node: give each node a database of its own.');
    }
    if (keyringExists(config.keyringFile)) {
      throw new ConfigError(`${config.keyringFile} exists already: each node has a keyring of its own; set REFERRAL_NODE_KEYRING to a path where there is none.`);
    }
    const kekCreated = await provideKek(kekSource);
    await createKeyringFile(config.keyringFile);
    if (config.databaseUrl) writeFileSync(databaseUrlFile(config), `${config.databaseUrl}\n`, { mode: 0o600 });
    const kek = loadKek(config);
    const now = clock.now();
    const dataKeys = dataKeysWith(await loadKeyring(config.keyringFile, kek, database, now));
    await createNodeIdentity(database, dataKeys, settings, now);
    const { password } = await createUser(database, { username: admin.username, role: 'admin' }, now);
    const self = await loadSelfIdentity(database.db, dataKeys);
    return {
      nodeId: self.nodeId,
      fingerprint: readableFingerprint(self.signingKey.kid),
      adminUsername: admin.username,
      adminPassword: password,
      kek: { source: kekSource, created: kekCreated },
      warnings: looseModes(guardedPaths(config)).map((loose) => loose.sentence),
    };
  } finally {
    await database.close();
  }
}

export async function openNode(config: NodeConfig, overrides: Overrides = {}): Promise<OpenNode> {
  if (!hasNode(config) && !config.databaseUrl) {
    throw new ConfigError(`No node in ${config.dataDir}: create one with \`referral-node init --data ${config.dataDir} ...\`.`);
  }
  const kek = loadKek(config);
  const database = openDatabase(databaseTarget(config), { onQuery: overrides.onQuery });
  try {
    await migrateToLatest(database);
    if (!(await isInitialised(database.db))) throw new ConfigError(`The database in ${config.dataDir} holds no node; run init again in an empty folder.`);
    const clock = overrides.clock ?? systemClock;
    const logger = overrides.logger ?? createLogger(config.logLevel);
    for (const loose of looseModes(guardedPaths(config))) {
      if (overrides.warn) overrides.warn(loose.sentence);
      else logger.warn({ file: loose.path }, loose.sentence);
    }
    const dataKeys = dataKeysWith(await loadKeyring(config.keyringFile, kek, database, clock.now()));
    await adoptLegacyKeys(database, kek, dataKeys, clock.now(), logger);
    const ctx: NodeContext = {
      database,
      instanceId: randomUUID(),
      outbox: new OutboxHandover(),
      kek,
      dataKeys,
      self: await loadSelfIdentity(database.db, dataKeys),
      limits: config.limits,
      clock,
      // One pool per peer, room for the outbox's envelopes in flight and a few other requests beside them.
      fetch: overrides.fetch ?? outboundFetch({ privateNetwork: config.privateNetwork }, { socketsPerPeer: config.deliveryConcurrency + 4 }),
      logger,
      trustAnchorKid: config.trustList?.anchorKid,
      metrics: createNodeMetrics(Object.keys(envelopeProblems)),
      throttles: {
        requests: createRequestLimiters(config.requestLimits),
        signIn: createSignInGuard(database, kek, config.signIn),
        // Checked when the configuration was read (config.ts).
        trustedProxies: trustedProxiesFrom(config.trustedProxies)!,
      },
      requireTotpForAdmins: config.requireTotpForAdmins,
      mail: config.mail,
    };
    const role = overrides.role ?? 'all';
    const delivery = createDeliveryWorker(ctx, {
      role,
      concurrency: overrides.deliveryConcurrency ?? config.deliveryConcurrency,
      ...(overrides.deliveryPollMs ? { pollMs: overrides.deliveryPollMs } : {}),
    });
    const buildApp = overrides.httpApp === false ? undefined : (overrides.httpApp ?? (await import('./http/app.js')).createHttpApp);
    const app = buildApp?.(ctx, () => delivery.kick());
    return {
      ctx,
      get app(): Hono {
        if (!app) throw new Error('This node was opened for a command, without an HTTP app.');
        return app;
      },
      delivery,
      role,
      checkpointEveryMs: config.checkpointSeconds * 1000,
      expiryEveryMs: config.expirySeconds * 1000,
      retentionDays: config.retentionDays,
      keyPolicy: { rotationDays: config.keyRotationDays, retiredDays: config.retiredKeyDays },
      trustList: config.trustList,
      async close() {
        await delivery.stop();
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}

/**
 * Data written before data keys were kept apart: private keys wrapped by the KEK are sealed under
 * data keys, payload and form keys wrapped by the KEK in their rows move to the data keys, and
 * envelope copies kept in the clear are sealed. Once per database;
 * afterwards each call finds nothing to do.
 */
async function adoptLegacyKeys(database: Database, kek: Kek, dataKeys: DataKeys, now: Date, logger: Logger): Promise<void> {
  const privateKeys = await adoptLegacyPrivateKeys(database, kek, dataKeys, now);
  const payloads = await adoptLegacyPayloadKeys(database, kek, dataKeys, now);
  const forms = await adoptLegacyFormKeys(database, kek, dataKeys, now);
  const envelopes = await sealLegacyEnvelopeCopies(database, dataKeys, now);
  if (privateKeys + payloads + forms + envelopes > 0) {
    logger.info({ privateKeys, payloads, forms, envelopes }, 'stored data moved under data keys of its own; run VACUUM FULL on PostgreSQL so the old copies go (README, "Erasure")');
  }
}

export interface ServingNode {
  /** Where it listens; undefined for a worker process, which serves no HTTP. */
  url: string | undefined;
  /** Stops accepting, finishes in-flight requests, stops the worker, closes the database. */
  shutdown(): Promise<void>;
}

export async function serveNode(node: OpenNode, listen: { port: number; host: string }): Promise<ServingNode> {
  const http = node.role === 'worker' ? undefined : await listenOn(node, listen);
  const background = node.role === 'web' ? undefined : startBackgroundWork(node);
  // The worker's and the jobs' timers do not keep a process alive (tests open nodes without
  // serving them); a worker process without an HTTP server keeps itself alive until shut down.
  const keepAlive = http ? undefined : setInterval(() => undefined, 60_000);
  const address = http?.address();
  const port = typeof address === 'object' && address ? address.port : listen.port;
  let closing: Promise<void> | undefined;
  return {
    url: http ? `http://${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${port}` : undefined,
    shutdown() {
      closing ??= (async () => {
        if (http) await closeGracefully(http);
        await background?.stop();
        await node.close();
        clearInterval(keepAlive);
      })();
      return closing;
    },
  };
}

async function listenOn(node: OpenNode, listen: { port: number; host: string }): Promise<Server> {
  // The HTTP server is loaded by the process that serves, not by a one-off command.
  const { createNodeServer } = await import('./http/server.js');
  const server = await new Promise<Server>((resolveServer, reject) => {
    const s = createNodeServer(node.app.fetch, { nodeId: node.ctx.self.nodeId, hostname: listen.host, logger: node.ctx.logger.child({ subsystem: 'http' }) });
    s.listen(listen.port, listen.host, () => resolveServer(s));
    s.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE' || error.code === 'EACCES' || error.code === 'EADDRNOTAVAIL'
          ? new ConfigError(`Cannot listen on ${listen.host}:${listen.port} (${error.code}): choose another --port or --host, or stop what uses it.`)
          : error,
      ),
    );
  }).catch(async (error: unknown) => {
    await node.close();
    throw error;
  });
  return server;
}

/**
 * The periodic jobs begin this long after the node starts serving: what they catch up on (a
 * checkpoint, expiries, peers' documents and directories) can wait until the first requests are
 * answered. Deliveries cannot: the worker starts at once.
 */
const JOBS_AFTER_MS = 1_000;

/** The delivery worker and the periodic jobs (each run by one process only of those sharing the data). */
function startBackgroundWork(node: OpenNode): { stop(): Promise<void> } {
  node.delivery.start();
  let jobs: Periodic[] = [];
  const later = setTimeout(() => {
    // Notification e-mails, when the node has a mail server (REFERRAL_NODE_SMTP_URL).
    const mail = node.ctx.mail ? startNotificationMail(node.ctx, node.ctx.mail) : undefined;
    jobs = [
      startExpiryTimer(node.ctx, node.expiryEveryMs),
      startCheckpointTimer(node.ctx, node.checkpointEveryMs),
      startRetentionTimer(node.ctx, node.retentionDays, () => node.delivery.kick()),
      startIdentityRefresh(node.ctx),
      startKeySchedule(node.ctx, node.keyPolicy),
      startTrustListFollower(node.ctx, node.trustList),
      startDirectorySync(node.ctx),
      startShredding(node.ctx),
      startReminders(node.ctx),
      ...(mail ? [mail] : []),
    ];
  }, JOBS_AFTER_MS);
  return {
    async stop() {
      clearTimeout(later);
      for (const job of jobs) await job.stop();
    },
  };
}

/** Stops accepting and finishes in-flight requests. */
async function closeGracefully(http: Server): Promise<void> {
  const closed = new Promise<void>((done) => http.close(() => done()));
  // Keep-alive connections become idle as their last response goes out; close each then,
  // rather than waiting out the keep-alive timeout. Anything still open after 10 s is cut.
  const idle = setInterval(() => http.closeIdleConnections(), 50);
  http.closeIdleConnections();
  const force = setTimeout(() => http.closeAllConnections(), 10_000);
  await closed;
  clearInterval(idle);
  clearTimeout(force);
}
