// Configuration with defaults and validation: command-line options win over the environment,
// the environment over defaults. Every setting is listed in the README.
import { join, resolve } from 'node:path';
import type { NodeLimits } from '../context.js';
import type { Env } from './env.js';

export class ConfigError extends Error {}

export interface NodeConfig {
  dataDir: string;
  databasePath: string;
  kekFile: string;
  /** The KEK from the environment, when given (base64url). */
  kekFromEnv?: string | undefined;
  port: number;
  host: string;
  logLevel: string;
  limits: NodeLimits;
  /** How often a serving node signs a checkpoint of its audit log (when it has grown) and seeks cosignatures. */
  checkpointSeconds: number;
  /** Days after a referral closed before its personal data is erased here. */
  retentionDays: number;
}

export const DEFAULTS = {
  port: 7100,
  host: '127.0.0.1',
  logLevel: 'info',
  clockSkewSeconds: 300,
  maxEnvelopeBytes: 1024 * 1024,
  checkpointSeconds: 60,
  retentionDays: 365,
} as const;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function integer(value: string | number | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = typeof value === 'number' ? value : /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be a whole number from ${min} to ${max}.`);
  return n;
}

export function resolveConfig(options: { data?: string | undefined; port?: string | undefined; host?: string | undefined }, env: Env): NodeConfig {
  const data = options.data ?? env.data;
  if (!data) throw new ConfigError('Say where the node keeps its data: --data DIR or REFERRAL_NODE_DATA.');
  const dataDir = resolve(data);
  const logLevel = env.logLevel ?? DEFAULTS.logLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`REFERRAL_NODE_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}.`);
  return {
    dataDir,
    databasePath: join(dataDir, 'node.sqlite'),
    kekFile: join(dataDir, 'kek.key'),
    kekFromEnv: env.kek,
    port: integer(options.port ?? env.port, '--port / REFERRAL_NODE_PORT', 1, 65535) ?? DEFAULTS.port,
    host: options.host ?? env.host ?? DEFAULTS.host,
    logLevel,
    limits: {
      clockSkewSeconds: integer(env.clockSkewSeconds, 'REFERRAL_NODE_CLOCK_SKEW_SECONDS', 1, 3600) ?? DEFAULTS.clockSkewSeconds,
      maxEnvelopeBytes: integer(env.maxEnvelopeBytes, 'REFERRAL_NODE_MAX_ENVELOPE_BYTES', 4096, 64 * 1024 * 1024) ?? DEFAULTS.maxEnvelopeBytes,
    },
    checkpointSeconds: integer(env.checkpointSeconds, 'REFERRAL_NODE_CHECKPOINT_SECONDS', 1, 86_400) ?? DEFAULTS.checkpointSeconds,
    retentionDays: integer(env.retentionDays, 'REFERRAL_NODE_RETENTION_DAYS', 1, 36_500) ?? DEFAULTS.retentionDays,
  };
}
