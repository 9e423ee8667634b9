/**
 * One webhook acts on at most webhook_max_files files: a Sonarr payload
 * naming thousands of episode files has the rest left out and counted in the
 * answer, and the log file (DATA_DIR/logs, as the server writes it) gets one
 * summary line for the webhook instead of a line per file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { createContext, closeContext } from '../../src/server/context.js';
import { buildApp } from '../../src/server/app.js';
import { createLogger } from '../../src/logger.js';
import { RotatingLogFile, logFilePath } from '../../src/logs/log-file.js';
import { createTestDatabase } from '../helpers/db.js';
import { realMedia } from './webhook-media.js';

interface Answer {
  event: string;
  message: string;
  queued: number;
  named: number;
  left_out: number;
  files: Array<{ path: string; action: string; reason: string | null }>;
  skipped: Array<{ path: string; reason: string }>;
  skipped_by_reason: Record<string, number>;
}

test('a webhook naming more files than webhook_max_files acts on the first ones, counts the rest, and logs one line', async (t) => {
  const database = await createTestDatabase('sqlite');
  const config = loadConfig({ databaseUrl: database.url, dataDir: database.dataDir, logLevel: 'info', port: 0, host: '127.0.0.1' }, {});
  const file = new RotatingLogFile(logFilePath(config.dataDir));
  const discard = new Writable({ write: (_c, _e, done) => done() });
  const ctx = await createContext(config, { log: createLogger('info', 'transcriptorio', discard as never, { sinks: [file] }) });
  const app = await buildApp(ctx, { webDir: '/nonexistent' });
  await app.ready();
  t.after(async () => {
    await app.close();
    await closeContext(ctx);
    file.close();
    await database.drop();
  });

  const lib = join(config.dataDir, 'library');
  const show = join(lib, 'Show');
  const cap = 20;
  await ctx.settings.bulkUpdate({ library_paths: lib, webhook_max_files: String(cap) });
  // Within the cap: 3 real episodes (queued) and 17 files of another folder (skipped, outside the library).
  const real = [1, 2, 3].map((n) => realMedia(join(show, `Season 01/Show - S01E0${n}.mkv`)));
  // Past the cap: a real episode that must not be judged (no job for it).
  const beyond = realMedia(join(show, 'Season 02/Show - S02E01.mkv'));
  const episodeFiles = [
    ...real.map((p) => ({ path: p })),
    ...Array.from({ length: cap - 3 }, (_, i) => ({ path: `/elsewhere/Other/Other - S01E${String(i + 1).padStart(2, '0')}.mkv` })),
    ...Array.from({ length: 19_979 }, (_, i) => ({ path: `/elsewhere/Big/Big - S09E${i + 1}.mkv` })),
    { path: beyond },
  ];
  const named = episodeFiles.length;
  assert.equal(named, 20_000);
  const linesBefore = readFileSync(file.path, 'utf8').split('\n').filter(Boolean).length;

  const res = await app.inject({ method: 'POST', url: '/webhooks/sonarr', payload: { eventType: 'Download', series: { path: show }, episodeFiles } });
  assert.equal(res.statusCode, 200, res.body.slice(0, 500));
  const body = res.json<Answer>();
  assert.equal(body.named, named);
  assert.equal(body.left_out, named - cap, 'the answer says how many were left out');
  assert.equal(body.files.length, cap, 'at most webhook_max_files files acted on');
  assert.equal(body.queued, 3);
  assert.equal(body.skipped.length, cap - 3);
  assert.deepEqual(body.skipped_by_reason, { 'outside the library folders': cap - 3 });
  assert.match(body.message, /3 job\(s\) queued; 19980 of 20000 files left out \(webhook_max_files is 20/);

  const jobs = (await ctx.jobs.list({ page: 1, pageSize: 50 })).jobs;
  assert.deepEqual(jobs.map((j) => j.file_path).sort(), [...real].sort());
  assert.ok(!jobs.some((j) => j.file_path === beyond), 'a file past the cap is not judged');

  const lines = readFileSync(file.path, 'utf8').split('\n').filter(Boolean).slice(linesBefore).map((l) => JSON.parse(l) as Record<string, unknown>);
  const about = lines.filter((l) => /webhook/.test(String(l.msg)));
  assert.equal(about.length, 1, `one log line for the webhook, got ${about.length}: ${JSON.stringify(about.slice(0, 3))}`);
  const [summary] = about;
  assert.equal(summary.level, 30, 'an info line');
  assert.equal(summary.named, named);
  assert.equal(summary.queued, 3);
  assert.equal(summary.skipped, cap - 3);
  assert.equal(summary.left_out, named - cap);
  assert.deepEqual(summary.skipped_by_reason, { 'outside the library folders': cap - 3 });
  assert.match(String(summary.msg), /sonarr webhook: 20000 file\(s\) named, 3 queued, 17 skipped \(17 outside the library folders\), 19980 left out by webhook_max_files \(20\)/);
  assert.ok(lines.length < 10, `the webhook wrote ${lines.length} log lines`);
});

test('webhook_max_files refuses 0 and values out of range with a message naming the setting', async (t) => {
  const database = await createTestDatabase('sqlite');
  const config = loadConfig({ databaseUrl: database.url, dataDir: database.dataDir, logLevel: 'silent', port: 0, host: '127.0.0.1' }, {});
  const ctx = await createContext(config, { log: createLogger('silent') });
  const app = await buildApp(ctx, { webDir: '/nonexistent' });
  await app.ready();
  t.after(async () => {
    await app.close();
    await closeContext(ctx);
    await database.drop();
  });
  assert.equal(ctx.settings.getNumber('webhook_max_files'), 300, 'default');
  const r = await app.inject({ method: 'PUT', url: '/api/settings/webhook_max_files', payload: { value: '0' } });
  assert.equal(r.statusCode, 400, r.body);
  assert.match(r.body, /webhook_max_files/);
});
