// Every migration, listed explicitly in order: a file that is not listed here never runs.
import type { Migration } from 'kysely';
import * as initial from './001-initial.js';
import * as lifecycle from './002-lifecycle.js';
import * as replyBy from './003-reply-by.js';
import * as serviceTokens from './004-service-tokens.js';
import * as consentAndLog from './005-consent-and-log.js';
import * as logCheckpoints from './006-log-checkpoints.js';
import * as invitations from './007-invitations.js';
import * as identityRefresh from './008-identity-refresh.js';
import * as trustList from './009-trust-list.js';
import * as keyRotation from './010-key-rotation.js';
import * as revocationReason from './011-revocation-reason.js';
import * as signingKeyLifecycle from './012-signing-key-lifecycle.js';
import * as services from './013-services.js';
import * as peerDirectories from './014-peer-directories.js';
import * as uiSessions from './015-ui-sessions.js';
import * as referralSubmissions from './016-referral-submissions.js';
import * as insertionOrder from './017-insertion-order.js';
import * as processes from './018-processes.js';
import * as dataKeys from './019-data-keys.js';

export const migrations: Record<string, Migration> = {
  '001-initial': initial,
  '002-lifecycle': lifecycle,
  '003-reply-by': replyBy,
  '004-service-tokens': serviceTokens,
  '005-consent-and-log': consentAndLog,
  '006-log-checkpoints': logCheckpoints,
  '007-invitations': invitations,
  '008-identity-refresh': identityRefresh,
  '009-trust-list': trustList,
  '010-key-rotation': keyRotation,
  '011-revocation-reason': revocationReason,
  '012-signing-key-lifecycle': signingKeyLifecycle,
  '013-services': services,
  '014-peer-directories': peerDirectories,
  '015-ui-sessions': uiSessions,
  '016-referral-submissions': referralSubmissions,
  '017-insertion-order': insertionOrder,
  '018-processes': processes,
  '019-data-keys': dataKeys,
};
