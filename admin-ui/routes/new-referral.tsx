// The new-referral flow: needs, matching services, consent, the form, review and send.
import type { UiRouter } from '../router.js';

export function newReferralPages(ui: UiRouter): void {
  void ui;
}
