/**
 * Provider audio in the database: chunks written and read back byte for byte
 * on SQLite and PostgreSQL, PCM stored as FLAC that decodes to the same
 * samples, the worker's errors when the audio cannot be read, and which
 * chunks the clean-up removes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import { BLOB_CHUNK_BYTES, blobStats, deleteStrayBlobs, readBlob, writeBlob } from '../../src/provider/job-blobs.repository.js';
import { FLAC_MIN_BYTES, restoreUpload, storeUpload } from '../../src/provider/upload-store.js';
import { wavHeader } from '../../src/transcription/index.js';
import { createTestDatabase, databaseKinds } from '../helpers/db.js';
import { jfkPcm } from './provider-helpers.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function openTestDb(t: { after(fn: () => Promise<void> | void): void }, kind: 'sqlite' | 'postgres') {
  const tdb = await createTestDatabase(kind);
  const handle = openDatabase(tdb.url);
  await migrateToLatest(handle);
  t.after(async () => {
    await handle.close();
    await tdb.drop();
  });
  return { handle, dir: tdb.dataDir };
}

/** 16 kHz mono s16le of a file, as the engine would decode it. */
const decodePcm = (path: string) => execFileSync('ffmpeg', ['-nostdin', '-loglevel', 'error', '-i', path, '-f', 's16le', '-ac', '1', '-ar', '16000', '-'], { maxBuffer: 64 << 20 });

async function insertJob(db: ReturnType<typeof openDatabase>['db'], id: string, status: string) {
  const now = new Date().toISOString();
  await db.insertInto('jobs').values({
    id, seq: Math.floor(Math.random() * 1e9), file_path: `provider://asr/${id}`, file_name: 'x', job_type: 'provider_asr', status: status as never, priority: 0, source_lang: null,
    target_lang: 'und', quality_preset: 'fast', transcribe_or_translate: 'transcribe', progress: 0, current_stage: null, eta_seconds: null, created_at: now, started_at: null,
    completed_at: status === 'queued' ? null : now, output_path: null, segments_count: null, error: null, error_code: null, retry_count: 0, max_retries: 3, worker_id: null,
    vram_used_mb: null, processing_time_seconds: null, model_used: null, device_used: null, is_manual_request: 1, lease_expires_at: null, not_before: null, cancel_requested: 0,
    options: null, result: null, updated_at: now, updated_ms: Date.now(), node_affinity: null,
  } as never).execute();
}

for (const kind of databaseKinds()) {
  test(`${kind}: chunks are written and read back byte for byte, whatever the piece sizes`, async (t) => {
    const { handle } = await openTestDb(t, kind);
    const data = randomBytes(3 * 1024 * 1024 + 12345);
    // Pieces that straddle chunk boundaries.
    const pieces = (async function* () {
      for (let off = 0; off < data.length; ) {
        const n = Math.min(data.length - off, 1 + Math.floor(Math.random() * 300_000));
        yield data.subarray(off, off + n);
        off += n;
      }
    })();
    const w = await writeBlob(handle.db, 'job-a', pieces);
    const chunks = Math.ceil(data.length / BLOB_CHUNK_BYTES);
    assert.deepEqual(w, { chunks, bytes: data.length });
    const back: Buffer[] = [];
    for await (const c of readBlob(handle.db, 'job-a')) {
      assert.ok(c.length <= BLOB_CHUNK_BYTES, 'never more than a chunk at a time');
      back.push(c);
    }
    assert.equal(back.length, chunks);
    assert.equal(sha(Buffer.concat(back)), sha(data));
    assert.deepEqual(await blobStats(handle.db, 'job-a'), { chunks, jobs: 1 });
  });

  test(`${kind}: raw PCM is stored as FLAC (fewer bytes) and the worker's copy decodes to the same samples`, async (t) => {
    const { handle, dir } = await openTestDb(t, kind);
    const pcm = jfkPcm();
    const path = join(dir, 'up.wav');
    writeFileSync(path, Buffer.concat([wavHeader(pcm.length), pcm]));
    // 11 s is far below FLAC_MIN_BYTES: the threshold is lowered so this short file takes the FLAC path.
    const blob = await storeUpload(handle.db, 'job-f', { path, bytes: pcm.length, sha256: sha(pcm), filename: 'audio_file', raw: true }, { compress: true, flacMinBytes: 0 });
    assert.equal(blob.format, 'flac');
    assert.ok(blob.stored_bytes < pcm.length * 0.9, `FLAC ${blob.stored_bytes} B vs PCM ${pcm.length} B`);
    const out = mkdtempSync(join(tmpdir(), 'tio-blob-'));
    t.after(() => rmSync(out, { recursive: true, force: true }));
    const restored = await restoreUpload(handle.db, 'job-f', blob, out);
    assert.ok(restored.endsWith('.flac'));
    assert.equal(sha(decodePcm(restored)), sha(pcm), 'lossless: the same samples');

    // Without compression the bytes are the client's (with the WAV header of a raw upload).
    const plain = await storeUpload(handle.db, 'job-p', { path, bytes: pcm.length, sha256: sha(pcm), filename: 'audio_file', raw: true }, { compress: false });
    assert.equal(plain.format, 'original');
    const copy = await restoreUpload(handle.db, 'job-p', plain, out);
    assert.equal(sha(readFileSync(copy)), sha(readFileSync(path)));
  });

  test(`${kind}: PCM under FLAC_MIN_BYTES is stored as it came, with compression on (no encoder to wait for); from FLAC_MIN_BYTES on, as FLAC`, async (t) => {
    const { handle, dir } = await openTestDb(t, kind);
    const pcm = jfkPcm();
    const path = join(dir, 'short.wav');
    writeFileSync(path, Buffer.concat([wavHeader(pcm.length), pcm]));
    assert.ok(pcm.length < FLAC_MIN_BYTES);
    const blob = await storeUpload(handle.db, 'job-s', { path, bytes: pcm.length, sha256: sha(pcm), filename: 'audio_file', raw: true }, { compress: true });
    assert.equal(blob.format, 'original');
    assert.equal(blob.stored_bytes, pcm.length + 44, 'the client\'s samples and the WAV header, nothing else');
    const out = mkdtempSync(join(tmpdir(), 'tio-blob-'));
    t.after(() => rmSync(out, { recursive: true, force: true }));
    assert.equal(sha(readFileSync(await restoreUpload(handle.db, 'job-s', blob, out))), sha(readFileSync(path)));

    // The same file counted as FLAC_MIN_BYTES long is compressed.
    const big = await storeUpload(handle.db, 'job-b', { path, bytes: FLAC_MIN_BYTES, sha256: sha(pcm), filename: 'audio_file', raw: true }, { compress: true });
    assert.equal(big.format, 'flac');
  });

  test(`${kind}: missing chunks fail as upload_missing, an unreadable database as upload_unreadable (retried)`, async (t) => {
    const { handle, dir } = await openTestDb(t, kind);
    const path = join(dir, 'up.bin');
    writeFileSync(path, randomBytes(2_500_000));
    const blob = await storeUpload(handle.db, 'job-m', { path, bytes: 2_500_000, sha256: 'x', filename: 'f', raw: false }, { compress: true });
    assert.equal(blob.format, 'original', 'not PCM: stored as sent');
    assert.equal(blob.chunks, Math.ceil(2_500_000 / BLOB_CHUNK_BYTES));
    // A chunk in the middle is gone: the copy stops there and says so.
    await handle.db.deleteFrom('job_blobs').where('job_id', '=', 'job-m').where('seq', '=', 40).execute();
    await assert.rejects(restoreUpload(handle.db, 'job-m', blob, dir), (e: { code?: string; message: string }) => e.code === 'upload_missing' && new RegExp(`40 of ${blob.chunks} chunks`).test(e.message));
    const { ERROR_CODES } = await import('../../src/error-codes.js');
    assert.equal(ERROR_CODES.upload_unreadable.retryable, true);
    // A database without the table (a node on an older schema, or the table lost).
    await sql`drop table job_blobs`.execute(handle.db);
    await assert.rejects(restoreUpload(handle.db, 'job-m', blob, dir), (e: { code?: string; message: string }) => e.code === 'upload_unreadable' && /could not be read from the database/.test(e.message));
  });

  test(`${kind}: the stray clean-up removes chunks of ended jobs and old orphans, keeps live, failed and fresh ones`, async (t) => {
    const { handle } = await openTestDb(t, kind);
    const db = handle.db;
    for (const [id, status] of [['q', 'queued'], ['p', 'processing'], ['f', 'failed'], ['c', 'completed'], ['x', 'cancelled']] as const) {
      await insertJob(db, id, status);
      await writeBlob(db, id, Readable.from([Buffer.from('abc')]));
    }
    await writeBlob(db, 'orphan-new', Readable.from([Buffer.from('abc')]));
    await writeBlob(db, 'orphan-old', Readable.from([Buffer.from('abc')]));
    await db.updateTable('job_blobs').set({ created_ms: Date.now() - 3_600_000 }).where('job_id', '=', 'orphan-old').execute();
    const removed = await deleteStrayBlobs(db, Date.now() - 600_000);
    assert.equal(removed, 3);
    const left = (await db.selectFrom('job_blobs').select('job_id').execute()).map((r) => r.job_id).sort();
    assert.deepEqual(left, ['f', 'orphan-new', 'p', 'q']);
  });
}

test('cleanup: provider jobs past the TTL go with their audio; stray upload files and orphaned chunks go too; live ones stay', async (t) => {
  const { cleanupProvider } = await import('../../src/provider/provider.cleanup.js');
  const { SettingsService } = await import('../../src/settings/settings.service.js');
  const { mkdirSync, existsSync, utimesSync } = await import('node:fs');
  const { handle, dir } = await openTestDb(t, 'sqlite');
  const db = handle.db;
  const settings = new SettingsService(db);
  await settings.initDefaults();
  await settings.bulkUpdate({ provider_result_ttl_minutes: 60 });
  await insertJob(db, 'live', 'queued');
  await insertJob(db, 'old', 'failed');
  await insertJob(db, 'recent', 'failed');
  await db.updateTable('jobs').set({ completed_at: new Date(Date.now() - 120 * 60_000).toISOString() }).where('id', '=', 'old').execute();
  for (const id of ['live', 'old', 'recent', 'orphan']) await writeBlob(db, id, Readable.from([Buffer.from('abc')]));
  await db.updateTable('job_blobs').set({ created_ms: Date.now() - 3_600_000 }).where('job_id', '=', 'orphan').execute();
  const uploads = join(dir, 'provider-uploads');
  mkdirSync(uploads, { recursive: true });
  const stray = join(uploads, 'stray.upload');
  const fresh = join(uploads, 'fresh.upload');
  writeFileSync(stray, 'x');
  writeFileSync(fresh, 'x');
  const old = new Date(Date.now() - 3_600_000);
  utimesSync(stray, old, old);
  const r = await cleanupProvider({ settings, database: handle, config: { dataDir: dir } } as never);
  assert.deepEqual(r, { jobs: 1, uploads: 1, blobChunks: 2 });
  assert.ok(!existsSync(stray));
  assert.ok(existsSync(fresh), 'a file a request may still be receiving stays');
  assert.deepEqual((await db.selectFrom('jobs').select('id').orderBy('id').execute()).map((j) => j.id), ['live', 'recent']);
  assert.deepEqual((await db.selectFrom('job_blobs').select('job_id').orderBy('job_id').execute()).map((j) => j.job_id), ['live', 'recent']);
});
