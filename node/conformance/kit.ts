// `referral-node conformance`: the kit acts as a peer of the node under test and runs every
// federation rule it can over HTTP, black-box, in this order: the identity document; trust (by
// the target's local API or its administrator); service tokens; the directory; the receiver's
// envelope checks; the consent rules; the referral lifecycle in every state it can reach;
// witnessing of the kit's own log; the target's audit log; then what the target sent the kit.
import { checkAuditLog, CHECKPOINT_WAIT_MS } from './checks/audit-log.js';
import { checkTargetAsSender } from './checks/as-sender.js';
import { checkConsentRules } from './checks/consent.js';
import { checkDirectory } from './checks/directory.js';
import { checkEnvelopeVerification } from './checks/envelopes.js';
import { checkIdentityDocument } from './checks/identity.js';
import { checkLifecycle } from './checks/lifecycle.js';
import { checkServiceTokens } from './checks/service-tokens.js';
import { checkWitnessing } from './checks/witness.js';
import { TargetAdmin } from './admin.js';
import { KitIdentity } from './kit-identity.js';
import { PeerServer } from './peer-server.js';
import { Findings, formatText, type JsonReport } from './report.js';
import type { RunContext } from './run-context.js';
import { TargetClient } from './target.js';
import { establishTrust } from './trust.js';

export { formatText };

export interface ConformanceOptions {
  /** The node under test: its node id. */
  target: string;
  /** The loopback port the kit listens on (0: any free port). */
  listenPort: number;
  /** How long to wait for the target's administrator to trust the kit (without adminToken). */
  waitSeconds: number;
  /** An administrator's API token of the target: the kit trusts itself and plays the receiver's part. */
  adminToken?: string;
  /** How long to wait for the target to expire a referral (0: that state is skipped). */
  expiryWaitSeconds: number;
  /** The target's largest envelope body (REFERRAL_NODE_MAX_ENVELOPE_BYTES there). */
  envelopeLimit: number;
  /** How long to wait for each message the target is to send the kit. */
  deliveryWaitSeconds?: number;
  /** Where the kit says what the operator must do (trust it) while it waits. */
  progress: (line: string) => void;
}

type Group = [name: string, run: (ctx: RunContext) => Promise<void> | void];

const GROUPS: Group[] = [
  ['token', checkServiceTokens],
  ['directory', checkDirectory],
  ['envelope', checkEnvelopeVerification],
  ['consent', checkConsentRules],
  ['lifecycle', checkLifecycle],
  ['witness', checkWitnessing],
  ['log', checkAuditLog],
];

export async function runConformance(options: ConformanceOptions): Promise<JsonReport> {
  const findings = new Findings();
  const client = new TargetClient(options.target);
  let kit: KitIdentity | undefined;
  const server = new PeerServer(() => kit);
  const port = await server.listen(options.listenPort);
  kit = await KitIdentity.create(`http://127.0.0.1:${port}`);
  try {
    const target = await checkIdentityDocument(client, options.target, findings).catch((error: unknown) => {
      findings.fail('identity.reachable', 'the target answers GET /.well-known/referral-node', 'federation.yaml § Identity document', unexpected(error));
      return undefined;
    });
    if (!target) {
      findings.skip('run.rest', 'every other check', 'federation.yaml § Identity document', 'the target has no usable identity document: the kit cannot know its keys');
      return report(options.target, kit, findings);
    }
    server.target = target;
    const ctx: RunContext = {
      kit,
      target,
      client,
      server,
      findings,
      ...(options.adminToken ? { admin: new TargetAdmin(client, options.adminToken) } : {}),
      deliveryWaitMs: (options.deliveryWaitSeconds ?? 30) * 1000,
      expiryWaitMs: options.expiryWaitSeconds * 1000,
      envelopeLimit: options.envelopeLimit,
    };
    const trusted = await establishTrust(ctx, { waitSeconds: options.waitSeconds, progress: options.progress }).catch((error: unknown) => {
      findings.fail('trust.error', 'the kit becomes a trusted peer of the target', 'federation.yaml § Service tokens', unexpected(error));
      return false;
    });
    if (!trusted) {
      findings.skip('run.rest', 'every check that needs the kit trusted', 'federation.yaml § Service tokens', 'the target does not trust the kit');
      return report(options.target, kit, findings);
    }
    try {
      for (const [name, run] of GROUPS) {
        try {
          await run(ctx);
        } catch (error) {
          findings.fail(`${name}.error`, `the ${name} checks ran to their end`, 'federation.yaml', unexpected(error));
        }
      }
      await awaitTargetActivity(ctx);
      checkTargetAsSender(ctx);
    } finally {
      // Whatever happened above, a kit trusted through the admin API does not stay trusted there.
      if (ctx.admin) {
        const refused = await ctx.admin.revokePeer(kit.nodeId).catch((error: unknown) => unexpected(error));
        options.progress(refused ? `The kit could not revoke itself at the target (${refused}): revoke ${kit.nodeId} there.` : `The kit revoked itself at the target (${kit.nodeId}, no-longer-partner).`);
      }
    }
    return report(options.target, kit, findings);
  } finally {
    await server.close();
  }
}

/** Lets what the target does on its own land before it is judged: the retried delivery, a checkpoint to witness. */
async function awaitTargetActivity(ctx: RunContext): Promise<void> {
  const until = (done: () => boolean, ms: number) =>
    new Promise<void>((resolve) => {
      const deadline = Date.now() + ms;
      const look = () => (done() || Date.now() > deadline ? resolve() : setTimeout(look, 250));
      look();
    });
  const { server } = ctx;
  await until(() => !server.retryProbe || server.retryProbe.payloads.length >= 2, ctx.deliveryWaitMs);
  await until(() => server.witnessRequests.some((r) => r.answered === 200), CHECKPOINT_WAIT_MS);
}

function report(target: string, kit: KitIdentity, findings: Findings): JsonReport {
  return { target, kit: kit.nodeId, checks: findings.results, summary: findings.summary() };
}

function unexpected(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return `the kit stopped on ${error.name}: ${error.message}${cause}`;
  }
  return `the kit stopped on ${String(error)}`;
}
