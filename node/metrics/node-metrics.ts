// The node's metrics for Prometheus (served at /metrics by node/http/metrics.ts). One registry per
// node, never prom-client's global one: tests and the demo run several nodes in one process. Every
// label value comes from a closed set (methods, route patterns, statuses, outcomes, problem types,
// peers' node URLs): never a concrete path, a name, a note or an id, so no personal data can
// reach a scrape.
//
// prom-client (with the OpenTelemetry API it brings, a sixth of what a start loaded) is loaded
// when the first thing happens that counts, usually the first request, not at start: what is
// counted before it is loaded waits for it and is counted then, so nothing is lost.
import type { Registry } from 'prom-client';

export type DeliveryOutcome = 'delivered' | 'retry' | 'failed';

export interface NodeMetrics {
  /** The registry /metrics reads, loading prom-client if nothing has yet. */
  registry(): Promise<Registry>;
  /** One HTTP request answered: `route` is the route's pattern (`/api/v1/referrals/:id`), never the path asked for. */
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  /**
   * One delivery attempt and its outcome. `error` is the worker's account of a failed attempt; only
   * a problem type of the protocol or a fixed word is kept of it (problemLabel).
   */
  deliveryAttempt(outcome: DeliveryOutcome, error?: string): void;
  /** One notification e-mail accepted by the mail server, or not (node/notifications/mailer.ts). */
  notificationMail(outcome: 'sent' | 'failed'): void;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const PROBLEM_TYPE = /(?:^|\s)urn:refnet:problem:(\S+?)(?:$|[\s;])/;

/**
 * What the metrics keep of a failed attempt: the protocol's problem type the peer answered with
 * when it is one of `known`, else the HTTP status or a fixed word. A peer's own text never becomes
 * a label (it could hold anything, and every new value would be a new series).
 */
export function problemLabel(error: string | undefined, known: ReadonlySet<string>): string {
  if (error === undefined) return 'none';
  const problem = PROBLEM_TYPE.exec(error)?.[1];
  if (problem !== undefined && known.has(problem)) return `urn:refnet:problem:${problem}`;
  if (error.startsWith('network: TimeoutError')) return 'timeout';
  if (error.startsWith('network')) return 'network';
  if (error.startsWith('invalid receipt')) return 'invalid-receipt';
  const status = /^([1-5]\d\d)\b/.exec(error)?.[1];
  return status ? `http-${status}` : 'other';
}

/** `problems`: the problem types (names without the URN prefix) a peer's refusal may be counted by. */
export function createNodeMetrics(problems: Iterable<string> = []): NodeMetrics {
  const known = new Set(problems);
  let series: Series | undefined;
  let loading: Promise<Series> | undefined;
  const waiting: Array<(loaded: Series) => void> = [];
  const load = (): Promise<Series> =>
    // The module's `default`: prom-client is CommonJS, and the bundle gives an import() of one no other export.
    (loading ??= import('prom-client').then(({ default: prom }) => {
      series = createSeries(prom, known);
      for (const count of waiting.splice(0)) count(series);
      return series;
    }));
  const count = (what: (loaded: Series) => void): void => {
    if (series) return what(series);
    waiting.push(what);
    // A failure to load is the scrape's to report (registry() rejects).
    load().catch(() => undefined);
  };
  return {
    registry: async () => (await load()).registry,
    observeRequest: (method, route, status, seconds) => count((loaded) => loaded.observeRequest(method, route, status, seconds)),
    deliveryAttempt: (outcome, error) => count((loaded) => loaded.deliveryAttempt(outcome, error)),
    notificationMail: (outcome) => count((loaded) => loaded.notificationMail(outcome)),
  };
}

type Series = Omit<NodeMetrics, 'registry'> & { registry: Registry };

function createSeries({ Counter, Histogram, Registry, collectDefaultMetrics }: typeof import('prom-client'), known: ReadonlySet<string>): Series {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'referral_node_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const durations = new Histogram({
    name: 'referral_node_http_request_duration_seconds',
    help: 'Time to answer HTTP requests, by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const attempts = new Counter({
    name: 'referral_node_delivery_attempts_total',
    help: 'Envelopes posted to peers, by outcome (delivered, retry, failed) and problem type.',
    labelNames: ['outcome', 'problem'] as const,
    registers: [registry],
  });
  const mails = new Counter({
    name: 'referral_node_notification_mails_total',
    help: 'Notification e-mails handed to the mail server, by outcome (sent: accepted; failed: kept queued and tried again).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  return {
    registry,
    notificationMail(outcome) {
      mails.inc({ outcome });
    },
    observeRequest(method, route, status, seconds) {
      const labels = { method: METHODS.has(method) ? method : 'OTHER', route, status: String(status) };
      requests.inc(labels);
      durations.observe(labels, seconds);
    },
    deliveryAttempt(outcome, error) {
      attempts.inc({ outcome, problem: outcome === 'delivered' ? 'none' : problemLabel(error, known) });
    },
  };
}
