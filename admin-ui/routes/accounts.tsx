// Settings, the user's own password, and user management for administrators.
import type { UiRouter } from '../router.js';

export function accountPages(ui: UiRouter): void {
  void ui;
}
