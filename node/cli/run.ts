// Running the `referral-node` command (server/main.ts is its entry, with what `serve` serves):
// turns every expected failure into one plain sentence and a non-zero exit status. The modules
// whose errors are expected are loaded when there is an error to tell, not before.
import { CommanderError, type Command } from 'commander';
import { ConfigError } from '../config/config.js';
import { DomainError } from '../errors.js';
import { PeerError } from '../peers/node-url.js';
import { CliError } from './output.js';

/** Parses the process's arguments and runs the command, setting the exit status. */
export async function runProgram(program: Command): Promise<void> {
  // Output piped into a command that stopped reading (`| head`) is no failure: stop quietly.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });

  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
    } else if (await isExpected(error)) {
      process.stderr.write(`referral-node: ${(error as Error).message}\n`);
      process.exitCode = error instanceof CliError ? error.exitCode : 1;
    } else if (error instanceof DomainError) {
      process.stderr.write(`referral-node: ${error.detail ?? error.title}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`referral-node: unexpected ${error instanceof Error ? error.name : 'error'}; nothing was changed that had not been committed. Details:\n${error instanceof Error ? error.stack : String(error)}\n`);
      process.exitCode = 70;
    }
  }
}

/** Whether the error is one a command refuses with, said in one sentence. */
async function isExpected(error: unknown): Promise<boolean> {
  if (error instanceof CliError || error instanceof ConfigError || error instanceof PeerError) return true;
  const { KekError, KeyError, KeyringError, UserError } = await import('./node-functions.js');
  return error instanceof KekError || error instanceof KeyringError || error instanceof KeyError || error instanceof UserError;
}
