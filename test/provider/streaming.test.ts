/**
 * Streaming as segments are decoded: the worker side (an engine wrapper that
 * reports every chunk's segments, on the real engine and the real chunked
 * pipeline) and the HTTP side (a running job's kept segments go out as
 * `transcript.text.delta` events before the job completes, read with the
 * official openai SDK).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import OpenAI, { toFile } from 'openai';
import { createTestApp } from '../helpers/app.js';
import { engineSkip, listen, waitFor, JFK } from './provider-helpers.js';
import { tempDir } from '../engine/helpers.js';
import { ensureTestModel } from '../../scripts/test-model.js';
import { transcribeAudioFile, withLocalEngine, type Segment } from '../../src/transcription/index.js';
import { partialSegments, savePartialSegments, tapChunks } from '../../src/provider/partial-results.js';
import { insertLiveWorkerRow } from '../helpers/workers.js';

const skip = engineSkip();

test('the engine wrapper reports each chunk\'s segments as it is decoded, in the audio\'s time', { skip, timeout: 180_000 }, async (t) => {
  const dir = tempDir(t);
  const wav = join(dir, 'long.wav');
  // 44 s of speech: two chunks of at most 30 s.
  execFileSync('ffmpeg', ['-nostdin', '-loglevel', 'error', '-stream_loop', '3', '-i', JFK, '-ac', '1', '-ar', '16000', wav]);
  const model = await ensureTestModel('minimal');
  const seen: Segment[][] = [];
  const r = await withLocalEngine({ model, modelDir: dir, threads: 2, vad: false }, (engine) =>
    transcribeAudioFile(wav, { modelDir: dir, language: 'en', vad: false, chunkSeconds: 30, suppressNonSpeech: false } as never, { engine: tapChunks(engine, (all) => void seen.push(all)) }),
  );
  assert.ok(seen.length >= 2, `one report per chunk (${seen.length})`);
  // Each report holds everything decoded so far: the earlier reports are prefixes of the later ones.
  for (let i = 1; i < seen.length; i++) assert.deepEqual(seen[i].slice(0, seen[i - 1].length).map((s) => s.start), seen[i - 1].map((s) => s.start));
  const last = seen.at(-1)!;
  assert.ok(seen[0].length < last.length && seen[0].every((s) => s.end <= 30.01), 'the first report is the first chunk only');
  const firstEnd = Math.max(...seen[0].map((s) => s.end));
  assert.ok(last.slice(seen[0].length).every((s) => s.start >= firstEnd - 0.05), 'later chunks are placed after the first');
  // The same times as the pipeline's own result.
  assert.deepEqual(last.map((s) => [s.start, s.end]), r.segments.map((s) => [s.start, s.end]));
});

test('stream=true sends the segments a running job has kept before the job completes, then the rest and transcript.text.done', async (t) => {
  const app = await createTestApp('sqlite');
  t.after(() => app.close());
  const db = app.ctx.database.db;
  // A worker row so the request is queued; this test plays the worker's part on the job row.
  await insertLiveWorkerRow(db, { workerId: 'w-1', node: app.ctx.config.nodeName, status: 'busy' });
  const base = await listen(app);
  const client = new OpenAI({ apiKey: app.ctx.settings.getString('api_key'), baseURL: `${base}/v1`, maxRetries: 0 });
  const { readFileSync } = await import('node:fs');
  const stream = await client.audio.transcriptions.create({ file: await toFile(readFileSync(JFK), 'jfk.wav', { type: 'audio/wav' }), model: 'whisper-1', stream: true });
  const it = stream[Symbol.asyncIterator]();

  const job = await waitFor('the job', async () => db.selectFrom('jobs').selectAll().where('job_type', '=', 'provider_asr').executeTakeFirst(), 5000);
  await db.updateTable('jobs').set({ status: 'processing', worker_id: 'w-1', started_at: new Date().toISOString() }).where('id', '=', job.id).execute();
  const first: Segment = { start: 0.3, end: 2.2, text: ' And so my fellow Americans' };
  await savePartialSegments(db, job.id, 'w-1', [first]);
  assert.deepEqual(partialSegments((await db.selectFrom('jobs').selectAll().where('id', '=', job.id).executeTakeFirstOrThrow())), [first]);

  const e1 = (await it.next()).value as { type: string; delta: string };
  assert.deepEqual(e1, { type: 'transcript.text.delta', delta: 'And so my fellow Americans' });
  assert.equal((await db.selectFrom('jobs').select('status').where('id', '=', job.id).executeTakeFirstOrThrow()).status, 'processing', 'sent while the job still runs');

  const result = { segments: [first, { start: 2.5, end: 4.1, text: ' ask not' }], language: 'en', duration: 11, task: 'transcribe' };
  await db.updateTable('jobs').set({ status: 'completed', completed_at: new Date().toISOString(), result: JSON.stringify(result) }).where('id', '=', job.id).execute();
  const rest: unknown[] = [];
  for (let n = await it.next(); !n.done; n = await it.next()) rest.push(n.value);
  assert.deepEqual(rest, [
    { type: 'transcript.text.delta', delta: ' ask not' },
    { type: 'transcript.text.done', text: 'And so my fellow Americans ask not' },
  ]);
});
