// The CLI run in-process (same code as the `referral-node` command, without a child process):
// what it printed, or the error it threw (a CliError is the plain sentence a user would see).
import { buildProgram } from '../../node/cli/program.js';

export async function cli(...args: string[]): Promise<string> {
  let out = '';
  await buildProgram({ out: (text) => (out += `${text}\n`) }).parseAsync(['node', 'referral-node', ...args]);
  return out;
}

/** Like `cli`, but a failure is returned with what was printed before it. */
export async function cliResult(...args: string[]): Promise<{ out: string; error?: Error }> {
  let out = '';
  try {
    await buildProgram({ out: (text) => (out += `${text}\n`) }).parseAsync(['node', 'referral-node', ...args]);
    return { out };
  } catch (error) {
    return { out, error: error as Error };
  }
}
