// This organisation's own services, and the directory's state.
import type { UiRouter } from '../router.js';

export function servicePages(ui: UiRouter): void {
  void ui;
}
