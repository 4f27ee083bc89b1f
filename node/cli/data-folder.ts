// How a command reaches the node: the --data option every command takes, and opening the node in
// that folder for the length of one command. Apart from program.ts so that each *-commands.ts
// module can use it without importing the program that imports them. Like every command module,
// it loads what a command runs only when the command runs: defining the commands (and --help)
// loads none of the node.
import { Option } from 'commander';
import { resolveConfig, type NodeConfig } from '../config/config.js';
import { readEnv } from '../config/env.js';
import type { OpenNode } from '../node.js';

export const dataOption = () => new Option('--data <dir>', 'the node\'s data folder (or REFERRAL_NODE_DATA)');

export function configFrom(options: { data?: string; port?: string; host?: string; databaseUrl?: string }): NodeConfig {
  return resolveConfig(options, readEnv());
}

/** A warning a command prints (a file other users may read), on stderr, apart from its results. */
export const warnOnStderr = (sentence: string): void => {
  process.stderr.write(`referral-node: warning: ${sentence}\n`);
};

/** Opens the node for a one-off command (no HTTP app); logs go nowhere, the command prints what matters. */
export async function withNode<T>(options: { data?: string }, fn: (node: OpenNode) => Promise<T>): Promise<T> {
  const config = configFrom(options);
  const { openNode } = await import('../node.js');
  const node = await openNode({ ...config, logLevel: 'silent' }, { httpApp: false, warn: warnOnStderr });
  try {
    return await fn(node);
  } finally {
    await node.close();
  }
}
