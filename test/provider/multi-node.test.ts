/**
 * Provider and OpenAI requests on a server node without workers, answered by
 * a worker on another node: the upload travels through the database, never
 * through the server's disk. On PostgreSQL two nodes run as separate
 * processes with separate DATA_DIRs (`transcriptorio server` with no
 * workers, `transcriptorio worker --cpu 1`); on SQLite the same suite runs on
 * one node (the server, with a worker added through the API). The engine is
 * the real whisper.cpp on the generated minimal model.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import { SettingsService } from '../../src/settings/settings.service.js';
import { cleanupProvider } from '../../src/provider/provider.cleanup.js';
import { ensureTestModel } from '../../scripts/test-model.js';
import { createTestDatabase, databaseKinds } from '../helpers/db.js';
import { audioPart, engineSkip, jfkPcm, JFK, multipart, post, waitFor, type RawResponse } from './provider-helpers.js';
import { insertLiveWorkerRow } from '../helpers/workers.js';

const BIN = fileURLToPath(new URL('../../bin/transcriptorio.js', import.meta.url));
const skip = engineSkip();
const LIMIT_MB = 1;

function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

function start(args: string[], env: Record<string, string>): ChildProcess {
  const base: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', TRANSCRIPTORIO_FROM_SOURCE: '1', ...env };
  delete base.PORT;
  const child = spawn(process.execPath, [BIN, ...args], { env: base, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (s: string) => process.env.TEST_VERBOSE && process.stderr.write(s));
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const hard = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(hard);
}

/** A POST whose client may stop early: `cutAfter` bytes sent, then the connection is destroyed. */
function postPartial(url: string, body: Buffer, contentType: string, cutAfter: number): Promise<void> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': contentType, 'content-length': body.length } });
    req.on('error', () => resolve());
    req.on('close', () => resolve());
    req.write(body.subarray(0, cutAfter), () => setTimeout(() => req.destroy(), 300));
  });
}

/** A chunked POST (no Content-Length): the server can only count the bytes. */
function postChunked(url: string, body: Buffer, contentType: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': contentType, 'transfer-encoding': 'chunked' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    // The server may answer before it read everything: a write error after that is expected.
    req.on('error', (e) => setTimeout(() => reject(e), 1000));
    req.end(body);
  });
}

async function blobChunks(db: DatabaseHandle['db'], jobId?: string): Promise<number> {
  let q = db.selectFrom('job_blobs').select((eb) => eb.fn.countAll<number>().as('n'));
  if (jobId) q = q.where('job_id', '=', jobId);
  return Number((await q.executeTakeFirst())?.n ?? 0);
}

for (const kind of databaseKinds()) {
  const twoNodes = kind === 'postgres';
  test(`${kind}: provider and OpenAI requests run on ${twoNodes ? 'a worker node other than the server' : 'the one node'}, their audio through the database`, { skip, timeout: 400_000 }, async (t) => {
    const tdb = await createTestDatabase(kind);
    const serverDir = twoNodes ? mkdtempSync(join(tmpdir(), 'tio-node-server-')) : tdb.dataDir;
    const workerDir = mkdtempSync(join(tmpdir(), 'tio-node-worker-'));
    const handle = openDatabase(tdb.url);
    const children: ChildProcess[] = [];
    t.after(async () => {
      for (const c of children.reverse()) await stop(c);
      await handle.close();
      await tdb.drop();
      rmSync(serverDir, { recursive: true, force: true });
      rmSync(workerDir, { recursive: true, force: true });
    });
    await migrateToLatest(handle);
    const db = handle.db;
    const settings = new SettingsService(db);
    await settings.initDefaults();
    const model = await ensureTestModel('minimal');
    await settings.bulkUpdate({
      whisper_model: model, whisper_threads: 1, whisper_best_of: 1, preset_balanced_beam_size: 1, whisper_temperature_fallback: false,
      provider_max_upload_mb: LIMIT_MB, provider_timeout_seconds: 180, worker_heartbeat_seconds: 1,
    });

    const serverNode = twoNodes ? 'nas' : 'one-box';
    const workerNode = twoNodes ? 'gpu-box' : serverNode;
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    children.push(start(['server', '--host', '127.0.0.1', '--port', String(port)], { DATA_DIR: serverDir, DATABASE_URL: tdb.url, TRANSCRIPTORIO_NODE_NAME: serverNode }));
    await waitFor('the server', async () => (await fetch(`${base}/health`).catch(() => null))?.ok, 90_000);
    const uploadsLeft = () => readdirSync(join(serverDir, 'provider-uploads'), { withFileTypes: true }).filter((e) => e.isFile()).length;
    const providerJobs = () => db.selectFrom('jobs').selectAll().where('job_type', 'like', 'provider_%').execute();
    const waitingRequests = async () => ((await (await fetch(`${base}/status`)).json()) as { waiting_requests?: number }).waiting_requests;

    // Before any real worker: a worker row of another node lets the server accept requests, and nothing claims them.
    await insertLiveWorkerRow(db, { workerId: 'parked-1', node: 'parked-node' });

    await t.test('an upload over provider_max_upload_mb is a 413 and stores nothing', async () => {
      const big = multipart([audioPart(Buffer.alloc(LIMIT_MB * (1 << 20) + 200_000, 1))]);
      const declared = await post(`${base}/asr?encode=false`, big.body, big.contentType);
      assert.equal(declared.status, 413, declared.body);
      assert.match(declared.body, /provider_max_upload_mb/);
      const counted = await postChunked(`${base}/asr?encode=false`, big.body, big.contentType);
      assert.equal(counted.status, 413, counted.body);
      const openai = multipart([{ name: 'model', value: 'whisper-1' }, { name: 'file', value: Buffer.alloc(LIMIT_MB * (1 << 20) + 200_000, 1), filename: 'a.wav' }]);
      const o = await post(`${base}/v1/audio/transcriptions`, openai.body, openai.contentType);
      assert.equal(o.status, 413, o.body);
      assert.match((JSON.parse(o.body) as { error: { message: string } }).error.message, /provider_max_upload_mb/);
      assert.equal((await providerJobs()).length, 0, 'no job');
      assert.equal(await blobChunks(db), 0, 'no audio in the database');
      await waitFor('no upload file left', async () => uploadsLeft() === 0, 5000);
    });

    await t.test('a client that disconnects leaves no audio behind: mid-upload, and while its job waits in the queue', async () => {
      const { body, contentType } = multipart([audioPart(jfkPcm())]);
      await postPartial(`${base}/asr?encode=false&language=en`, body, contentType, Math.floor(body.length / 2));
      await waitFor('the partial upload removed', async () => uploadsLeft() === 0, 30_000);
      assert.equal((await providerJobs()).length, 0);
      assert.equal(await blobChunks(db), 0);

      const ac = new AbortController();
      const pending = post(`${base}/asr?encode=false&language=en&initial_prompt=abandoned`, body, contentType, { signal: ac.signal }).catch((e: Error) => e);
      const job = await waitFor('the queued job', async () => (await providerJobs())[0], 20_000);
      assert.equal(job.status, 'queued');
      assert.equal(job.node_affinity, null, 'any node may run it');
      assert.ok((await blobChunks(db, job.id)) > 0, 'its audio is in the database');
      // The server counts the request in waiting_requests from when it waits on its job until the clean-up after
      // its client left is finished (job cancelled, audio removed): the state below is final once it reads 0 again.
      await waitFor('the request waiting on its job', async () => (await waitingRequests()) === 1, 20_000);
      assert.equal(uploadsLeft(), 0, 'a waiting request holds no upload file on the server disk');
      ac.abort();
      await pending;
      await waitFor('the clean-up after the disconnect', async () => (await waitingRequests()) === 0, 60_000);
      assert.equal((await db.selectFrom('jobs').select('status').where('id', '=', job.id).executeTakeFirst())?.status, 'cancelled');
      assert.equal(await blobChunks(db, job.id), 0, 'its audio removed');
      assert.equal(uploadsLeft(), 0, 'nothing on the server disk');
    });

    await db.deleteFrom('workers').where('worker_id', '=', 'parked-1').execute();
    if (twoNodes) {
      children.push(start(['worker', '--cpu', '1', '--node-name', workerNode], { DATA_DIR: workerDir, DATABASE_URL: tdb.url }));
    } else {
      const r = await fetch(`${base}/api/workers`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ worker_type: 'cpu' }) });
      assert.ok(r.status < 300, await r.text());
    }
    const worker = await waitFor('the worker node', async () => {
      const list = (await (await fetch(`${base}/api/workers`)).json()) as Array<{ node: string; status: string; worker_id: string }>;
      return list.find((w) => w.node === workerNode && w.status === 'idle');
    }, 120_000);

    await t.test('Bazarr-style /asr?encode=false with raw PCM is answered by the worker node', async () => {
      const { body, contentType } = multipart([audioPart(jfkPcm())]);
      const r = await post(`${base}/asr?encode=false&task=transcribe&language=en&output=srt`, body, contentType);
      assert.equal(r.status, 200, r.body);
      assert.match(r.body, /^1\n\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}\n/);
      for (const m of r.body.matchAll(/--> (\d\d):(\d\d):(\d\d),(\d{3})/g)) assert.ok(Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) <= 11, r.body);
      const job = (await (await fetch(`${base}/api/jobs/${r.headers['x-job-id']}`)).json()) as { status: string; node: string | null; worker_id: string | null; job_type: string };
      assert.equal(job.status, 'completed');
      assert.equal(job.job_type, 'provider_asr');
      assert.equal(job.node, workerNode, 'the job details name the node that ran it');
      assert.equal(job.worker_id, worker.worker_id);
      assert.equal(await blobChunks(db), 0, 'the audio is removed once the result is kept');
      assert.equal(uploadsLeft(), 0);
    });

    await t.test('OpenAI /v1/audio/transcriptions is answered by the worker node', async () => {
      const form = multipart([{ name: 'model', value: 'whisper-1' }, { name: 'response_format', value: 'verbose_json' }, { name: 'file', value: readFileSync(JFK), filename: 'jfk.wav', contentType: 'audio/wav' }]);
      const r = await post(`${base}/v1/audio/transcriptions`, form.body, form.contentType);
      assert.equal(r.status, 200, r.body);
      const v = JSON.parse(r.body) as { task: string; duration: number; segments: unknown[] };
      assert.equal(v.task, 'transcribe');
      assert.ok(Math.abs(v.duration - 11) < 0.5, `the whole 11 s of audio reached the engine (duration ${v.duration})`);
      const job = (await (await fetch(`${base}/api/jobs/${r.headers['x-job-id']}`)).json()) as { node: string | null };
      assert.equal(job.node, workerNode);
      assert.equal(await blobChunks(db), 0);
    });

    await t.test('identical concurrent requests share one job', async () => {
      const { body, contentType } = multipart([audioPart(jfkPcm())]);
      const url = `${base}/asr?encode=false&language=en&output=txt&initial_prompt=shared`;
      const answers = await Promise.all([post(url, body, contentType), post(url, body, contentType), post(url, body, contentType)]);
      for (const a of answers) assert.equal(a.status, 200, a.body);
      assert.equal(new Set(answers.map((a) => a.headers['x-job-id'])).size, 1, 'one job id');
      assert.equal(new Set(answers.map((a) => a.body)).size, 1, 'one answer');
      const file = (await db.selectFrom('jobs').select('file_path').where('id', '=', String(answers[0].headers['x-job-id'])).executeTakeFirstOrThrow()).file_path;
      assert.equal((await db.selectFrom('jobs').select('id').where('file_path', '=', file).execute()).length, 1);
      assert.equal(await blobChunks(db), 0, 'the copies of the requests that lost the race are gone too');
    });

    await t.test("a finished job's audio is gone after provider_result_ttl_minutes", async () => {
      // A job that fails before reading its audio (no model on the worker) keeps it for a retry by hand, until the TTL.
      await settings.bulkUpdate({ whisper_model: join(workerDir, 'no-such-model.bin') });
      const { body, contentType } = multipart([audioPart(jfkPcm())]);
      const r = await post(`${base}/asr?encode=false&language=en&initial_prompt=fails`, body, contentType);
      await settings.bulkUpdate({ whisper_model: model });
      assert.ok(r.status >= 500, r.body);
      const id = String((await providerJobs()).find((j) => j.status === 'failed')?.id);
      assert.ok((await blobChunks(db, id)) > 0, 'a failed job keeps its audio meanwhile');
      const ctx = { settings, database: handle, config: { dataDir: serverDir } } as unknown as Parameters<typeof cleanupProvider>[0];
      const ttl = settings.getNumber('provider_result_ttl_minutes');
      const early = await cleanupProvider(ctx, Date.now() + (ttl - 1) * 60_000);
      assert.equal(early.jobs, 0, 'not before the TTL');
      assert.ok((await blobChunks(db, id)) > 0);
      const late = await cleanupProvider(ctx, Date.now() + (ttl + 1) * 60_000);
      assert.ok(late.jobs >= 1);
      assert.equal(await db.selectFrom('jobs').select('id').where('id', '=', id).executeTakeFirst(), undefined, 'the job and its result are gone');
      assert.equal(await blobChunks(db), 0, 'and so is its audio');
    });
  });
}
