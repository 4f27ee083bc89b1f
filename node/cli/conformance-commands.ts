// `referral-node conformance --target URL`: the conformance kit (node/conformance/), loaded only
// when the command runs.
import type { Command } from 'commander';
import { readEnv } from '../config/env.js';
import { CliError, type CliIo } from './output.js';

const DEFAULT_ENVELOPE_LIMIT = 1_048_576;

/** A node id as the kit addresses it: http(s), no query or fragment, no trailing slash. */
function targetId(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CliError(`--target takes the node's URL (its node id), e.g. https://referrals.example.org; "${text}" is not a URL.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new CliError(`--target must be an http:// or https:// URL, not ${url.protocol}.`);
  if (url.search || url.hash || url.username || url.password) throw new CliError('--target is the node id alone: no query, fragment or user name.');
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function wholeNumber(option: string, text: string, min: number, max: number): number {
  if (!/^\d{1,10}$/.test(text) || Number(text) < min || Number(text) > max) throw new CliError(`${option} must be a whole number from ${min} to ${max}.`);
  return Number(text);
}

export function addConformanceCommands(program: Command, io: CliIo): void {
  program
    .command('conformance')
    .description(
      'Check a node against the federation protocol (spec/federation.yaml), black-box over HTTP: the kit becomes a peer of it, with keys of its own made for the run, and prints one line per rule.',
    )
    .requiredOption('--target <url>', 'the node under test: its node id (base URL)')
    .option('--admin-token <token>', 'an administrator\'s API token of the target (or REFERRAL_CONFORMANCE_ADMIN_TOKEN, which keeps it off the command line): the kit adds and trusts itself through the target\'s local API, and plays the receiving organisation\'s part there to walk the referral lifecycle')
    .option('--listen-port <port>', 'the port on 127.0.0.1 where the kit serves its side (its node id is http://127.0.0.1:<port>); 0: any free port', '0')
    .option('--wait-seconds <seconds>', 'without --admin-token: how long to wait for the target\'s administrator to trust the kit', '300')
    .option('--expiry-wait-seconds <seconds>', 'with --admin-token: how long to wait for the target to expire an offer whose reply-by passed (0: skip the expired state)', '90')
    .option('--envelope-limit <bytes>', 'the target\'s largest envelope (REFERRAL_NODE_MAX_ENVELOPE_BYTES there)', String(DEFAULT_ENVELOPE_LIMIT))
    .option('--json', 'print one JSON document (the checks and a summary) instead of lines')
    .option('--strict', 'count a skipped check as not passed: exit 0 only when every check passed')
    .addHelpText(
      'after',
      `
Each line: pass|fail|skip  <check id>  <what>  (spec: <section of spec/federation.yaml>), a failure
saying what was expected and what came; then "N passed, M failed, K skipped".

The target must allow peers on loopback (REFERRAL_NODE_PRIVATE_NETWORK=true): the kit listens on
127.0.0.1. Without --admin-token, the kit prints its URL and fingerprint and waits until the
target's administrator has run \`peer add\` and \`peer trust\` for it. The run leaves made-up
referrals, consents and audit entries about no one at the target. With --admin-token the kit
revokes itself there at the end; without, revoke it afterwards (\`peer revoke\`). A target keeps
the key it pinned for a URL: give each run its own --listen-port, or leave it out. A run takes
seconds, and up to a few minutes while it waits for the target's clock (expiry, checkpoints) or
its rate limits (the kit's refused requests count against its address).

A check is skipped, not failed, when the kit cannot observe it:
  - without --admin-token: the referral states reached by the receiver's actions (inquiry
    answered, information requested, accepted, in progress, completed, declined, expired), what
    the receiver sends (acceptance without caseworker), and what a pending peer is told (unless
    the kit happens to see itself pending while it waits);
  - a message type the target does not list in its message_types (the kit sends it none), and
    the states that start with an inquiry when it does not list referral.inquiry;
  - the expired state, with --expiry-wait-seconds 0 or when the target has not expired the
    offer by then (a node expires on its own clock, the spec does not say how soon);
  - what the target sends the kit (envelopes, service tokens, checkpoints), when it sends none
    in the run; identity.etag without an ETag; log.cosignature-served until a checkpoint the kit
    cosigned is served; log.entries past 100,000 entries.

Exit status: 0 when no check failed, 1 otherwise. With --strict, a skipped check counts as not
passed: 0 only when every check passed.`,
    )
    .action(async (options: { target: string; adminToken?: string; listenPort: string; waitSeconds: string; expiryWaitSeconds: string; envelopeLimit: string; json?: boolean; strict?: boolean }) => {
      options.adminToken ??= readEnv().conformanceAdminToken || undefined;
      const target = targetId(options.target);
      const listenPort = wholeNumber('--listen-port', options.listenPort, 0, 65535);
      const waitSeconds = wholeNumber('--wait-seconds', options.waitSeconds, 1, 86400);
      const expiryWaitSeconds = wholeNumber('--expiry-wait-seconds', options.expiryWaitSeconds, 0, 3600);
      const envelopeLimit = wholeNumber('--envelope-limit', options.envelopeLimit, 1024, 64 * 1_048_576);
      if (options.adminToken !== undefined && !/^\S+$/.test(options.adminToken)) throw new CliError('--admin-token takes the token as `token create` printed it, without spaces.');
      const { formatText, runConformance } = await import('../conformance/kit.js');
      let report;
      try {
        report = await runConformance({
          target,
          listenPort,
          waitSeconds,
          expiryWaitSeconds,
          envelopeLimit,
          ...(options.adminToken ? { adminToken: options.adminToken } : {}),
          progress: (line) => process.stderr.write(`${line}\n`),
        });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE' || code === 'EACCES') throw new CliError(`The kit cannot listen on 127.0.0.1:${listenPort} (${code}): choose another --listen-port, or leave it out for any free port.`);
        throw error;
      }
      io.out(options.json ? JSON.stringify(report, null, 2) : formatText(report.checks, report.summary));
      const { failed, passed, skipped } = report.summary;
      if (failed > 0) throw new CliError(`${failed} of ${failed + passed + skipped} checks failed against ${target}: each fail line says what was expected and what came.`);
      if (options.strict && skipped > 0) throw new CliError(`${skipped} of ${passed + skipped} checks were skipped against ${target} (--strict): each skip line says why.`);
    });
}
