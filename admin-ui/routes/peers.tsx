// Peers: adding one by URL, invitations, trust, suspension and revocation, keys and alerts.
// Administrators only, as in the local API (node/http/peer-api.ts, invitation-api.ts). A peer is
// added only when the fingerprint its identity presents, fetched again at the moment of adding,
// is the one the other organisation gave by phone or letter; nothing from the comparison page's
// hidden fields is trusted but the URL to fetch.
import type { Role } from '../../node/users/service.js';
import { ownKeys } from '../../node/identity/own-keys.js';
import { peerAlerts, resolvePeerAlert } from '../../node/peers/alerts.js';
import { addTrustedPeer, requireFingerprint, sameFingerprint } from '../../node/peers/fingerprint.js';
import { readableFingerprint } from '../../node/identity/keys.js';
import { createInvitation, DEFAULT_VALID_HOURS, listInvitations, MAX_VALID_HOURS, revokeInvitation } from '../../node/peers/invitations.js';
import { peerRecord, peerSummaries } from '../../node/peers/records.js';
import { redeemInvitationCode } from '../../node/peers/redeem-invitation.js';
import { addPeer, changePeerState, fetchPeerIdentity, listPeers, normaliseNodeUrl, PeerError, trustPeer, type PeerAction, type RevocationReason } from '../../node/peers/service.js';
import { DomainError } from '../../node/errors.js';
import { dropRevokedPeersDirectories } from '../../node/directory/sync.js';
import { format, type Messages } from '../i18n/catalogue.js';
import { explainOrThrow, notFound, redirect, render, userActor, type Explained, type UiRequest, type UiRouter } from '../router.js';
import { ComparePeerPage, type PeerCandidate } from '../pages/peers/add.js';
import { PeerPage, type PeerFormError, type PeerFormName } from '../pages/peers/detail.js';
import { CreatedInvitationPage, InvitationsPage, type InvitationForms } from '../pages/peers/invitations.js';
import { OwnKeysPage } from '../pages/peers/keys.js';
import { PeersListPage } from '../pages/peers/list.js';
import { isUuid } from '../../node/http/request.js';

const ADMIN: readonly Role[] = ['admin'];
const REASONS: readonly RevocationReason[] = ['key-compromise', 'no-longer-partner', 'other'];
const MAX_CODE_LENGTH = 4096;

type Failure = Explained;
type FetchedIdentity = Awaited<ReturnType<typeof fetchPeerIdentity>>;

const nodeIdOf = (value: string): string | undefined => {
  try {
    return normaliseNodeUrl(value);
  } catch {
    return undefined;
  }
};

const peerPath = (id: string) => `/ui/peers/peer?id=${encodeURIComponent(id)}`;

export function peerPages(ui: UiRouter): void {
  const { ctx } = ui;
  const { db } = ctx.database;

  const showList = async (r: UiRequest, url?: string, error?: Failure) => {
    const data = {
      self: { name: ctx.self.name, nodeId: ctx.self.nodeId, fingerprint: readableFingerprint(ctx.self.signingKey.kid) },
      peers: await peerSummaries(db),
      openAlerts: await peerAlerts(db, { openOnly: true }),
    };
    return render(r.c, <PeersListPage page={r.page} data={data} url={url} error={error} />, error ? 422 : 200);
  };


  ui.get('/peers', ADMIN, (r) => showList(r));

  /** What the node at `url` says it is, fetched and verified now; or why it could not be. */
  const fetchCandidate = async (r: UiRequest, url: string): Promise<{ candidate: PeerCandidate; fetched: FetchedIdentity } | Failure> => {
    let fetched: FetchedIdentity;
    try {
      fetched = await fetchPeerIdentity(ctx.fetch, ctx.clock, url, ctx.limits.clockSkewSeconds);
    } catch (error) {
      return explainOrThrow(r.t, error);
    }
    const { claims } = fetched.identity;
    const known = (await listPeers(db)).find((p) => p.id === claims.iss);
    const candidate: PeerCandidate = {
      id: claims.iss,
      name: claims.name,
      country: claims.country,
      languages: claims.languages,
      contact: claims.contact ?? undefined,
      fingerprint: readableFingerprint(fetched.identity.signingKey.kid),
      knownState: known?.state,
    };
    return { candidate, fetched };
  };

  // Step 1 of adding a peer: fetch what the node at the URL says it is, and show its fingerprint.
  ui.post('/peers/add', ADMIN, async (r) => {
    const url = r.form.text('url');
    if (!url) return showList(r, url, { sentence: format(r.t.fieldRequired, { field: r.t.peerUrl }) });
    const found = await fetchCandidate(r, url);
    if ('sentence' in found) return showList(r, url, found);
    return render(r.c, <ComparePeerPage page={r.page} candidate={found.candidate} />);
  });

  // Step 2: fetched again (never taken from the form), compared with what was typed, then added.
  ui.post('/peers/add/confirm', ADMIN, async (r) => {
    const url = r.form.text('url');
    const typed = r.form.text('fingerprint');
    const trustNow = r.form.text('trust') === 'yes';
    if (!url) return showList(r, url, { sentence: format(r.t.fieldRequired, { field: r.t.peerUrl }) });
    const found = await fetchCandidate(r, url);
    if ('sentence' in found) return showList(r, url, found);
    const { candidate, fetched } = found;
    const again = (error: Failure, status: 409 | 422 = 422) =>
      render(r.c, <ComparePeerPage page={r.page} candidate={candidate} typed={typed} trustNow={trustNow} error={error} />, status);
    const wrongFingerprint = (sentence: string) =>
      render(r.c, <ComparePeerPage page={r.page} candidate={candidate} typed={typed} trustNow={trustNow} mistake={{ field: 'given-fingerprint', sentence }} />, 422);
    if (!typed) return wrongFingerprint(format(r.t.fieldRequired, { field: r.t.peerGivenFingerprint }));
    if (!sameFingerprint(typed, candidate.fingerprint)) return wrongFingerprint(r.t.peerFingerprintMismatch);
    if (trustNow && candidate.knownState === 'suspended') return again({ sentence: r.t.peerSuspendedRestoreInstead }, 409);
    if (candidate.knownState === 'revoked') return again({ sentence: r.t.peerRevokedFinal }, 409);
    try {
      // Checked again against the key stored, the one compared above; added and trusted together or not at all.
      const { peer, created, trusted } = trustNow
        ? await addTrustedPeer(ctx.database, fetched.identity, fetched.jws, typed, ctx.clock.now(), userActor(r))
        : { ...(await addPeer(ctx.database, fetched.identity, fetched.jws, ctx.clock.now(), userActor(r))), trusted: false };
      if (trusted) return redirect(r.c, peerPath(peer.id), 'peerAddedTrusted');
      return redirect(r.c, peerPath(peer.id), created ? 'peerAddedPending' : 'peerAlreadyKnown');
    } catch (error) {
      return again(explainOrThrow(r.t, error), 409);
    }
  });

  ui.get('/peers/peer', ADMIN, async (r) => {
    const id = nodeIdOf(r.c.req.query('id') ?? '');
    const peer = id ? await peerRecord(db, id) : undefined;
    if (!peer) return notFound(r);
    return render(r.c, <PeerPage page={r.page} peer={peer} />);
  });

  /** A peer's page again, with the form that failed, what was wrong and what was entered. */
  const peerAction = (form: PeerFormName, act: (r: UiRequest, id: string, state: string) => Promise<Failure | string>) =>
    ui.post(`/peers/${form}`, ADMIN, async (r) => {
      const id = nodeIdOf(r.form.text('id'));
      const peer = id ? await peerRecord(db, id) : undefined;
      if (!id || !peer) return notFound(r);
      let outcome: Failure | string;
      try {
        outcome = await act(r, id, peer.state);
      } catch (error) {
        outcome = explainOrThrow(r.t, error);
      }
      if (typeof outcome === 'string') return redirect(r.c, peerPath(id), outcome);
      const failed: PeerFormError = { form, error: outcome, fingerprint: r.form.text('fingerprint'), reason: r.form.text('reason') };
      const now = (await peerRecord(db, id)) ?? peer;
      return render(r.c, <PeerPage page={r.page} peer={now} failed={failed} />, 422);
    });

  peerAction('trust', async (r, id, state) => {
    const typed = r.form.text('fingerprint');
    if (!typed) return { sentence: format(r.t.fieldRequired, { field: r.t.peerGivenFingerprint }) };
    if (state !== 'pending') return { sentence: r.t.peerTrustOnlyPending };
    try {
      await requireFingerprint(db, id, typed);
    } catch (error) {
      if (error instanceof PeerError) return { sentence: r.t.peerFingerprintMismatch };
      throw error;
    }
    await trustPeer(ctx.database, id, ctx.clock.now(), userActor(r));
    return 'peerTrusted';
  });

  const stateChange = (action: PeerAction, notice: keyof Messages) => async (r: UiRequest, id: string) => {
    let reason: RevocationReason | undefined;
    if (action === 'revoke') {
      reason = REASONS.find((x) => x === r.form.text('reason'));
      if (!reason) return { sentence: format(r.t.fieldRequired, { field: r.t.peerRevokeReason }) };
      if (r.form.text('understood') !== 'yes') return { sentence: r.t.peerRevokeNotConfirmed };
    }
    await changePeerState(ctx.database, id, action, ctx.clock.now(), userActor(r), reason);
    if (action === 'revoke') await dropRevokedPeersDirectories(db);
    // A restored peer gets what waited for it now, not at the next round.
    if (action === 'restore') ui.onQueued();
    return notice;
  };
  peerAction('suspend', stateChange('suspend', 'peerSuspended'));
  peerAction('restore', stateChange('restore', 'peerRestored'));
  peerAction('revoke', stateChange('revoke', 'peerRevoked'));

  ui.post('/peers/alerts/resolve', ADMIN, async (r) => {
    const raw = r.form.text('id');
    const id = /^\d{1,15}$/.test(raw) ? Number(raw) : undefined;
    const alert = id === undefined ? undefined : await resolvePeerAlert(ctx.database, id, ctx.clock.now(), userActor(r));
    if (!alert) return notFound(r);
    return redirect(r.c, r.form.text('back') === 'peer' ? peerPath(alert.peerId) : '/ui/peers', 'peerAlertResolved');
  });

  const showInvitations = async (r: UiRequest, forms?: InvitationForms) =>
    render(
      r.c,
      <InvitationsPage page={r.page} invitations={await listInvitations(ctx)} defaultHours={DEFAULT_VALID_HOURS} maxHours={MAX_VALID_HOURS} forms={forms} />,
      forms ? 422 : 200,
    );

  ui.get('/peers/invitations', ADMIN, (r) => showInvitations(r));

  // The code is shown on this one page and never again: it is not stored, only its digest.
  ui.post('/peers/invitations', ADMIN, async (r) => {
    const hours = r.form.text('valid_hours');
    const value = /^\d{1,4}$/.test(hours) ? Number(hours) : NaN;
    if (!(value >= 1 && value <= MAX_VALID_HOURS)) {
      return showInvitations(r, { create: { hours, error: { sentence: format(r.t.invitationHoursInvalid, { max: MAX_VALID_HOURS }) } } });
    }
    const created = await createInvitation(ctx, userActor(r), value);
    return render(r.c, <CreatedInvitationPage page={r.page} created={created} ownFingerprint={readableFingerprint(ctx.self.signingKey.kid)} />);
  });

  ui.post('/peers/invitations/revoke', ADMIN, async (r) => {
    const id = r.form.text('id');
    if (!isUuid(id)) return notFound(r);
    try {
      await revokeInvitation(ctx, userActor(r), id);
    } catch (error) {
      if (error instanceof DomainError && error.status === 404) return notFound(r);
      return showInvitations(r, { revoke: { error: explainOrThrow(r.t, error) } });
    }
    return redirect(r.c, '/ui/peers/invitations', 'invitationRevokedNotice');
  });

  ui.post('/peers/invitations/redeem', ADMIN, async (r) => {
    const code = r.form.text('code');
    if (!code) return showInvitations(r, { redeem: { code, error: { sentence: format(r.t.fieldRequired, { field: r.t.invitationCode }) } } });
    if (code.length > MAX_CODE_LENGTH) return showInvitations(r, { redeem: { code: '', error: { sentence: r.t.invitationCodeTooLong } } });
    try {
      const peer = await redeemInvitationCode(ctx, userActor(r), code);
      return redirect(r.c, peerPath(peer.id), 'invitationRedeemed');
    } catch (error) {
      // The code is a secret: it is not written back into the page.
      return showInvitations(r, { redeem: { code: '', error: explainOrThrow(r.t, error) } });
    }
  });

  ui.get('/peers/keys', ADMIN, async (r) => render(r.c, <OwnKeysPage page={r.page} keys={await ownKeys(ctx)} />));
}
