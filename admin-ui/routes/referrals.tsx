// A referral's pages: the inbox and outbox, one referral with its timeline, and its actions.
import type { UiRouter } from '../router.js';

export function referralPages(ui: UiRouter): void {
  void ui;
}
