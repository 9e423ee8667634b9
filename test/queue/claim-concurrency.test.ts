/**
 * Several processes claim from one queue at the same time: every job is
 * claimed exactly once — none twice, none lost — on SQLite and PostgreSQL.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, databaseKinds } from '../helpers/db.js';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import { JobsService } from '../../src/jobs/jobs.service.js';

const WORKER = fileURLToPath(new URL('./claim-worker.ts', import.meta.url));
const PROCESSES = 4;
const JOBS = 300;

type Result = { ids?: string[]; error?: string };

function startClaimer(url: string, id: string): { child: ChildProcess; ready: Promise<void>; result: Promise<Result> } {
  const child = fork(WORKER, [url, id], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let onReady!: () => void;
  const ready = new Promise<void>((r) => (onReady = r));
  const result = new Promise<Result>((resolve, reject) => {
    child.on('message', (m) => (m === 'ready' ? onReady() : resolve(m as Result)));
    child.on('exit', (code) => reject(new Error(`claimer ${id} exited with ${code} before reporting`)));
    child.on('error', reject);
  });
  return { child, ready, result };
}

for (const kind of databaseKinds()) {
  describe(`concurrent claims (${kind})`, () => {
    it(`${PROCESSES} processes claim ${JOBS} jobs: each exactly once`, { timeout: 120_000 }, async () => {
      const database = await createTestDatabase(kind);
      const handle = openDatabase(database.url);
      try {
        await migrateToLatest(handle);
        const jobs = new JobsService(handle, { maxRetries: () => 3, mode: () => 'transcribe' });
        const created = new Set<string>();
        for (let i = 0; i < JOBS; i++) {
          created.add((await jobs.create({ file_path: `/media/c/${i}.mkv`, target_lang: 'eng', priority: i % 3 })).id);
        }
        const claimers = Array.from({ length: PROCESSES }, (_, i) => startClaimer(database.url, `w${i}`));
        try {
          await Promise.all(claimers.map((c) => c.ready));
          for (const c of claimers) c.child.send('go');
          const results = await Promise.all(claimers.map((c) => c.result));
          for (const r of results) assert.equal(r.error, undefined, r.error);
          const all = results.flatMap((r) => r.ids!);
          assert.equal(all.length, JOBS, 'every job claimed, none twice');
          assert.equal(new Set(all).size, JOBS, 'no job claimed twice');
          assert.deepEqual(new Set(all), created, 'no job lost');
          // The database agrees with the claimers about who holds each job.
          const rows = await handle.db.selectFrom('jobs').select(['id', 'status', 'worker_id']).execute();
          const owner = new Map(results.flatMap((r, i) => r.ids!.map((id) => [id, `w${i}`] as const)));
          for (const row of rows) {
            assert.equal(row.status, 'processing');
            assert.equal(row.worker_id, owner.get(row.id));
          }
          const spread = results.map((r) => r.ids!.length);
          console.log(`  ${kind}: claims per process ${spread.join(', ')}`);
        } finally {
          for (const c of claimers) if (c.child.exitCode === null) c.child.kill();
        }
      } finally {
        await handle.close();
        await database.drop();
      }
    });
  });
}
