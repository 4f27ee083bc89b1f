// With `--admin-token`, the kit uses the target's local API (spec/local.yaml) as its administrator
// would: to add and trust the kit as a peer, and to take the receiving organisation's part in a
// referral (answer an inquiry, ask for information, accept, decline, report progress, complete),
// so that the lifecycle can be walked through every state. None of this is a federation rule.
import { describe, jsonOf, type Answer, type TargetClient } from './target.js';

export type ReceiverAction = 'inquiry-answer' | 'info-request' | 'accept' | 'decline' | 'update' | 'complete';

const ACTION_BODIES: Record<ReceiverAction, Record<string, unknown>> = {
  'inquiry-answer': { capacity: 'can-help' },
  'info-request': { questions: 'Conformance kit: a question from the receiver.' },
  accept: {},
  decline: { reason: 'other' },
  update: { status: 'service-started' },
  complete: { outcome: 'service-completed' },
};

export class TargetAdmin {
  constructor(
    private readonly client: TargetClient,
    private readonly token: string,
  ) {}

  private call(method: string, path: string, body?: unknown): Promise<Answer> {
    return this.client.send(path, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  /** Adds the kit as a pending peer; its record (with the fingerprint the target shows), or why not. */
  async addPeer(url: string): Promise<{ fingerprint?: string; state?: string } | string> {
    const answer = await this.call('POST', '/api/v1/peers', { url });
    if (answer.status !== 200 && answer.status !== 201) return `POST /api/v1/peers answered ${describe(answer)}`;
    return (jsonOf(answer) ?? {}) as { fingerprint?: string; state?: string };
  }

  async trustPeer(url: string, fingerprint: string): Promise<string | undefined> {
    const answer = await this.call('POST', '/api/v1/peers/trust', { id: url, fingerprint });
    return answer.status === 200 ? undefined : `POST /api/v1/peers/trust answered ${describe(answer)}`;
  }

  /** Revokes the kit at the end of the run, so that the target stops sending to a peer that is gone. */
  async revokePeer(url: string): Promise<string | undefined> {
    const answer = await this.call('POST', '/api/v1/peers/revoke', { id: url, reason: 'no-longer-partner' });
    return answer.status === 200 ? undefined : `POST /api/v1/peers/revoke answered ${describe(answer)}`;
  }

  /** The receiver's action on a referral the kit sent; undefined when done, else why not. */
  async act(referralId: string, action: ReceiverAction): Promise<string | undefined> {
    const answer = await this.call('POST', `/api/v1/referrals/${referralId}/${action}`, ACTION_BODIES[action]);
    return answer.status === 200 ? undefined : `POST /api/v1/referrals/{id}/${action} answered ${describe(answer)}`;
  }

  /** The referral's state at the target, or undefined when it cannot be read. */
  async stateOf(referralId: string): Promise<string | undefined> {
    const answer = await this.call('GET', `/api/v1/referrals/${referralId}`);
    const state = (jsonOf(answer) as { state?: unknown } | undefined)?.state;
    return answer.status === 200 && typeof state === 'string' ? state : undefined;
  }
}
