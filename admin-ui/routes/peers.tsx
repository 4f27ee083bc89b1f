// Peers: adding one by URL, invitations, trust, suspension and revocation, keys and alerts.
import type { UiRouter } from '../router.js';

export function peerPages(ui: UiRouter): void {
  void ui;
}
