/**
 * Starts the scanner with the server: the scheduler when auto_scan_enabled
 * is on (keeping the persisted next run time), the watcher when
 * watcher_enabled is on. Both stop with the server (ctx.onClose).
 */
import { registerBackground } from '../server/background.js';
import { getScanner } from './scanner.runtime.js';

registerBackground('scanner', async (ctx) => {
  await getScanner(ctx).resume();
});
