/**
 * The scanner as a background component of the server: at start the
 * scheduler comes back when auto_scan_enabled is on (keeping the persisted
 * next run time), the watcher when watcher_enabled is on; at stop a running
 * scan is cancelled and both stop. Built by the composition root (server/context.ts).
 */
import type { BackgroundComponent } from '../core/background.js';
import type { ScannerRuntime } from './scanner.runtime.js';

export function scannerComponent(scanner: ScannerRuntime): BackgroundComponent {
  return {
    name: 'scanner',
    start: () => scanner.resume(),
    stop: () => scanner.close(),
  };
}
