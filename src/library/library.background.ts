/**
 * The library index's background duty: once a second, the jobs that changed
 * (workers of any node write them to the database) are carried onto their
 * items, and wanted is recomputed when the rules or skip settings changed
 * since (also when nobody is looking: the next page is then current).
 */
import type { Logger } from 'pino';
import type { BackgroundComponent } from '../core/background.js';
import type { LibraryIndexer } from './library.indexer.js';

export function libraryComponent(indexer: LibraryIndexer, log: Logger, intervalMs = 1000): BackgroundComponent {
  let timer: NodeJS.Timeout | null = null;
  let ticks = 0;
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      await indexer.syncJobs();
      if (++ticks % 5 === 0) await indexer.isCurrent((await indexer.currentInputs()).fp);
    } catch (e) {
      log.debug({ err: e }, 'library index poll failed');
    } finally {
      busy = false;
    }
  };
  return {
    name: 'library',
    start: async () => {
      if (timer) return;
      timer = setInterval(() => void tick(), intervalMs);
      timer.unref();
    },
    stop: async () => {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
