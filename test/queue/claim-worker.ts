/**
 * A claiming process for claim-concurrency.test.ts: opens the database, waits
 * for "go" from the parent, claims until the queue is empty, and reports the
 * ids it got.
 */
import { openDatabase } from '../../src/db/database.js';
import { claim } from '../../src/jobs/job-lifecycle.repository.js';

const [url, workerId] = process.argv.slice(2);
const handle = openDatabase(url, { poolSize: 2 });

process.on('message', async (msg) => {
  if (msg !== 'go') return;
  const ids: string[] = [];
  try {
    for (;;) {
      const row = await claim(handle.db, handle.kind, { workerId, leaseMs: 600_000 });
      if (!row) break;
      ids.push(row.id);
    }
    process.send!({ ids });
  } catch (e) {
    process.send!({ error: String((e as Error).stack ?? e) });
  } finally {
    await handle.close();
    process.disconnect();
  }
});
// Connect before reporting ready, so every process starts claiming at the same moment.
await handle.db.selectFrom('jobs').select('id').limit(1).execute();
process.send!('ready');
