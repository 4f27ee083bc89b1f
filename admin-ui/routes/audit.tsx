// The audit log, its checkpoints and cosignatures, verification and export.
import type { UiRouter } from '../router.js';

export function auditPages(ui: UiRouter): void {
  void ui;
}
