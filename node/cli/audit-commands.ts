// `referral-node audit ...`: the audit log away from the node, for auditors.
import type { Command } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { DEFAULT_ERASURE_GRACE_DAYS } from '../audit-log/consent-rules.js';
import { readEnv } from '../config/env.js';
import { CliError, type CliIo } from './output.js';
import { dataOption, withNode } from './data-folder.js';

/** Progress is reported for exports of more entries than this. */
const QUIET_BELOW = 10_000;

/** The exit status of `audit verify` for a log in which nothing is wrong but no witness vouches for its latest state yet. */
export const NOT_YET_WITNESSED_EXIT = 2;

export function addAuditCommands(program: Command, io: CliIo): void {
  const audit = program.command('audit').description('The verifiable audit log: export it, and verify it as an auditor.');
  audit
    .command('export')
    .description(
      'Write the audit bundle (JSON): every log entry, every signed checkpoint with its cosignatures, this node\'s identity document and its witnesses\'. It holds no personal data.',
    )
    .addOption(dataOption())
    .option('--out <file>', 'write the bundle to this file (default: standard output)')
    .action(async (options: { data?: string; out?: string }) => {
      const { exportAuditBundle } = await import('./node-functions.js');
      const bundle = await withNode(options, ({ ctx }) =>
        exportAuditBundle(ctx, {
          onProgress: (done, total) => {
            if (total >= QUIET_BELOW) process.stderr.write(`exported ${done} of ${total} entries\n`);
          },
        }),
      );
      const json = `${JSON.stringify(bundle)}\n`;
      if (!options.out) return io.out(json.trimEnd());
      try {
        writeFileSync(options.out, json, { mode: 0o600 });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'error';
        throw new CliError(`Cannot write ${options.out} (${code}): choose a file in a folder you may write to.`);
      }
      io.out(`Wrote ${options.out}: ${bundle.entries.length} entries, ${bundle.checkpoints.length} checkpoints, ${bundle.witnesses.length} witnesses.`);
    });
  audit
    .command('verify')
    .description(
      'Check a node\'s audit log: entries and Merkle tree, the node\'s signature on every checkpoint, every cosignature, and the consent rules (every disclosure covered by consent in force; every withdrawal followed by confirmed erasure at every recipient). See the exit statuses below.',
    )
    .addHelpText(
      'after',
      `
Exit status:
  0  PASSED: nothing is wrong, and a witness has cosigned the latest checkpoint (or the log
     is empty).
  1  FAILED: something is wrong (each problem is named), or the log could not be read.
  ${NOT_YET_WITNESSED_EXIT}  NOT YET WITNESSED: nothing is wrong, but no witness vouches for the log's latest
     state yet: it has entries and no checkpoint, or its latest checkpoint has no cosignature
     (a node that has just started). Verify again after the next checkpoint round (every
     minute by default); if it lasts, ask the administrator whether the node has a witness.
     On a busy node a checkpoint signed a moment ago may be the latest: a monitor treats 2
     as a warning and verifies again.
Entries written after the last checkpoint are checked and counted, and do not change the verdict.`,
    )
    .addOption(dataOption())
    .option('--file <bundle>', 'a bundle written by `audit export`')
    .option('--url <node-url>', 'a running node (reads GET /api/v1/audit/bundle)')
    .option('--token <token>', 'an auditor\'s or administrator\'s API token for --url (or REFERRAL_NODE_TOKEN)')
    .option('--erasure-grace-days <days>', 'how long an erasure may stay unconfirmed before it counts as a failure', String(DEFAULT_ERASURE_GRACE_DAYS))
    .option('--fingerprint <fingerprint>', 'the node\'s signing-key fingerprint as its administrator told you: the check fails if the log is signed by another key')
    .option('--json', 'print the report as JSON')
    .action(async (options: { data?: string; file?: string; url?: string; token?: string; erasureGraceDays: string; fingerprint?: string; json?: boolean }) => {
      const sources = [options.file, options.url, options.data ?? (options.file || options.url ? undefined : readEnv().data)].filter(Boolean);
      if (sources.length !== 1) throw new CliError('Say which log to check: --data DIR, --file BUNDLE or --url NODE_URL (one of them).');
      if (!/^\d{1,4}$/.test(options.erasureGraceDays)) throw new CliError('--erasure-grace-days must be a whole number of days.');
      const progress = (line: string) => process.stderr.write(`${line}\n`);
      let bundle: unknown;
      if (options.file) {
        progress(`reading ${options.file}`);
        bundle = readBundleFile(options.file);
      } else if (options.url) {
        bundle = await fetchBundle(options.url, options.token ?? readEnv().token, progress);
      } else {
        const { exportAuditBundle } = await import('./node-functions.js');
        bundle = await withNode(options, ({ ctx }) =>
          exportAuditBundle(ctx, { onProgress: (done, total) => total >= QUIET_BELOW && progress(`read ${done} of ${total} entries`) }),
        );
      }
      const count = Array.isArray((bundle as { entries?: unknown }).entries) ? (bundle as { entries: unknown[] }).entries.length : 0;
      progress(`checking ${count} entries`);
      const { describeVerification, verifyAuditBundle } = await import('./anchor-functions.js');
      const report = await verifyAuditBundle(bundle, { now: new Date(), erasureGraceDays: Number(options.erasureGraceDays), expectFingerprint: options.fingerprint });
      io.out(options.json ? JSON.stringify(report, null, 2) : describeVerification(report).join('\n'));
      if (report.status === 'failed') throw new CliError('The audit log did not pass verification (see above).');
      if (report.status === 'not-yet-witnessed') {
        throw new CliError('Nothing is wrong in the audit log, but no witness vouches for its latest state yet (see above): verify again after the next checkpoint round.', NOT_YET_WITNESSED_EXIT);
      }
    });
}

function readBundleFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`Cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new CliError(`${file} is not JSON; give a bundle written by \`referral-node audit export\`.`);
  }
}

async function fetchBundle(url: string, token: string | undefined, progress: (line: string) => void): Promise<unknown> {
  if (!token) throw new CliError('--url needs an auditor\'s API token: --token TOKEN or REFERRAL_NODE_TOKEN.');
  let base: URL;
  try {
    base = new URL(url);
  } catch {
    throw new CliError(`${url} is not a URL.`);
  }
  const target = new URL('/api/v1/audit/bundle', base);
  progress(`fetching ${target.href}`);
  let response: Response;
  try {
    // The operator's own node (often on loopback, behind its proxy): not a peer, so not through the
    // outbound policy of net/outbound.ts; but no redirect is followed, the token goes to this URL only.
    response = await fetch(target, { headers: { authorization: `Bearer ${token}` }, redirect: 'manual', signal: AbortSignal.timeout(120_000) });
  } catch (error) {
    throw new CliError(`Cannot reach ${target.origin} (${error instanceof Error ? error.name : 'error'}); is the node running, and the URL right?`);
  }
  if (response.status >= 300 && response.status < 400) {
    await response.body?.cancel();
    throw new CliError(`${target.origin} answered with a redirect (${response.status}), which is not followed: give the node's own URL (its REFERRAL_NODE_URL).`);
  }
  if (response.status === 401 || response.status === 403) throw new CliError(`${target.origin} refused the token (${response.status}); use an auditor's or administrator's token.`);
  if (!response.ok) throw new CliError(`${target.origin} answered ${response.status} for the audit bundle.`);
  try {
    return await response.json();
  } catch {
    throw new CliError(`${target.origin} did not answer with a JSON bundle.`);
  }
}
