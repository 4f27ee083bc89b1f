// Consent records: the list, one record, and withdrawal.
import type { UiRouter } from '../router.js';

export function consentPages(ui: UiRouter): void {
  void ui;
}
