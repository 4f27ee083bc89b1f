// Every migration, listed explicitly in order: a file that is not listed here never runs. Each is
// loaded when it runs, so a node whose database is current loads none of them.
import type { Kysely, Migration } from 'kysely';

/** A migration whose module is imported when it is run. */
function loaded(load: () => Promise<{ up(db: Kysely<unknown>): Promise<void>; down(db: Kysely<unknown>): Promise<void> }>): Migration {
  return {
    up: async (db) => (await load()).up(db),
    down: async (db) => (await load()).down(db),
  };
}

export const migrations: Record<string, Migration> = {
  '001-initial': loaded(() => import('./001-initial.js')),
  '002-lifecycle': loaded(() => import('./002-lifecycle.js')),
  '003-reply-by': loaded(() => import('./003-reply-by.js')),
  '004-service-tokens': loaded(() => import('./004-service-tokens.js')),
  '005-consent-and-log': loaded(() => import('./005-consent-and-log.js')),
  '006-log-checkpoints': loaded(() => import('./006-log-checkpoints.js')),
  '007-invitations': loaded(() => import('./007-invitations.js')),
  '008-identity-refresh': loaded(() => import('./008-identity-refresh.js')),
  '009-trust-list': loaded(() => import('./009-trust-list.js')),
  '010-key-rotation': loaded(() => import('./010-key-rotation.js')),
  '011-revocation-reason': loaded(() => import('./011-revocation-reason.js')),
  '012-signing-key-lifecycle': loaded(() => import('./012-signing-key-lifecycle.js')),
  '013-services': loaded(() => import('./013-services.js')),
  '014-peer-directories': loaded(() => import('./014-peer-directories.js')),
  '015-ui-sessions': loaded(() => import('./015-ui-sessions.js')),
  '016-referral-submissions': loaded(() => import('./016-referral-submissions.js')),
  '017-insertion-order': loaded(() => import('./017-insertion-order.js')),
  '018-processes': loaded(() => import('./018-processes.js')),
  '019-data-keys': loaded(() => import('./019-data-keys.js')),
  '020-outbox-queue': loaded(() => import('./020-outbox-queue.js')),
  '021-sign-in-limits': loaded(() => import('./021-sign-in-limits.js')),
  '022-referrals-by-peer': loaded(() => import('./022-referrals-by-peer.js')),
  '023-token-expiry': loaded(() => import('./023-token-expiry.js')),
  '024-second-factor': loaded(() => import('./024-second-factor.js')),
  '025-leaf-hashes': loaded(() => import('./025-leaf-hashes.js')),
  '026-peer-bytes': loaded(() => import('./026-peer-bytes.js')),
  '027-display-names': loaded(() => import('./027-display-names.js')),
  '028-case-references': loaded(() => import('./028-case-references.js')),
  '029-referral-reads': loaded(() => import('./029-referral-reads.js')),
  '030-assignment': loaded(() => import('./030-assignment.js')),
  '031-search-index': loaded(() => import('./031-search-index.js')),
  '032-reply-by-in-utc': loaded(() => import('./032-reply-by-in-utc.js')),
  '033-partner-caseworker': loaded(() => import('./033-partner-caseworker.js')),
  '034-notifications': loaded(() => import('./034-notifications.js')),
  '035-search-watermark': loaded(() => import('./035-search-watermark.js')),
};
