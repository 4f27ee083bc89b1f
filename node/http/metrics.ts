// /metrics: the node's metrics (node/metrics/node-metrics.ts) in Prometheus' text format, for an
// admin's API token only (the federation API is on the internet). Counters are kept as things
// happen; the gauges are read from their owners at each scrape. Nothing personal is a label: route
// patterns, peers' node URLs, problem types and fixed words only. Like the counters, the gauges
// wait for prom-client, which is loaded on first use: they are added at the first scrape.
import type { Registry } from 'prom-client';
import { Hono, type MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { NodeContext } from '../context.js';
import { outboxDepthByPeer } from '../delivery/outbox.js';
import { unconfirmedErasureCount } from '../consents/erasures.js';
import { activeSessionCount } from '../users/sessions.js';
import { bearerAuth, requireRole, type LocalEnv } from './auth.js';

/** Counts every request by its route's pattern; a request no route matched counts as `unmatched`. */
export const requestMetrics = (ctx: NodeContext): MiddlewareHandler =>
  async function requestMetrics(c, next) {
    const started = performance.now();
    try {
      await next();
    } finally {
      const pattern = routePath(c);
      // A wildcard that answered a 404 is the not-found handler, not a route of ours.
      const route = c.res.status === 404 && pattern.endsWith('*') ? 'unmatched' : pattern;
      ctx.metrics.observeRequest(c.req.method, route, c.res.status, (performance.now() - started) / 1000);
    }
  };

/** The gauges read at each scrape, through the owners of the tables they count. */
function registerGauges(ctx: NodeContext, { Counter, Gauge }: typeof import('prom-client'), registry: Registry): void {
  const { db } = ctx.database;
  // Read from the database layer at each scrape: the two together say how many transactions
  // shared each commit (group commit).
  for (const [name, help, key] of [
    ['referral_node_db_transactions_total', 'Database transactions run by this process.', 'transactions'],
    ['referral_node_db_commits_total', 'Commits by this process; fewer than transactions when several shared one (group commit).', 'commits'],
  ] as const) {
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(ctx.database.transactionStats()[key]);
      },
    });
  }
  new Gauge({
    name: 'referral_node_outbox_queued_envelopes',
    help: 'Outgoing envelopes waiting for delivery, by peer node.',
    labelNames: ['peer'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await outboxDepthByPeer(db)) this.set({ peer: row.peerId }, row.queued);
    },
  });
  new Gauge({
    name: 'referral_node_outbox_oldest_age_seconds',
    help: 'Age of the oldest outgoing envelope waiting for delivery, by peer node.',
    labelNames: ['peer'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const now = ctx.clock.now().getTime();
      for (const row of await outboxDepthByPeer(db)) this.set({ peer: row.peerId }, Math.max(0, (now - Date.parse(row.oldestCreatedAt)) / 1000));
    },
  });
  new Gauge({
    name: 'referral_node_erasures_unconfirmed',
    help: 'Erasures requested of other organisations whose signed statement has not come back yet.',
    registers: [registry],
    async collect() {
      this.set(await unconfirmedErasureCount(db));
    },
  });
  new Gauge({
    name: 'referral_node_ui_sessions_active',
    help: 'Web interface sessions in force (neither expired nor idle too long).',
    registers: [registry],
    async collect() {
      this.set(await activeSessionCount(db, ctx.clock.now()));
    },
  });
}

export function metricsRoutes(ctx: NodeContext): Hono<LocalEnv> {
  let scraped: Promise<Registry> | undefined;
  const withGauges = () =>
    (scraped ??= Promise.all([ctx.metrics.registry(), import('prom-client')]).then(([registry, { default: prom }]) => {
      registerGauges(ctx, prom, registry);
      return registry;
    }));
  const app = new Hono<LocalEnv>();
  app.use('/metrics', bearerAuth(ctx));
  app.get('/metrics', async (c) => {
    requireRole(c.get('user'), 'admin');
    const registry = await withGauges();
    return c.body(await registry.metrics(), 200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
  });
  return app;
}
