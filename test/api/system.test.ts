/**
 * System endpoints (/, /health, /api/status), API-key auth and the generated
 * API documentation, on SQLite and PostgreSQL.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { openDatabase } from '../../src/db/database.js';
import { databaseKinds } from '../helpers/db.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { assertKeys, expectStatus, STATS_KEYS } from './api-helpers.js';

for (const kind of databaseKinds()) {
  describe(`system endpoints (${kind})`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(kind);
    });
    after(async () => t.close());

    it('GET / answers the API info when no UI is built', async () => {
      const body = expectStatus(await t.app.inject({ url: '/' }), 200);
      assertKeys(body, ['name', 'version', 'status', 'message']);
      assert.equal(body.name, 'TranscriptorIO API');
      assert.equal(body.status, 'running');
    });

    it('GET /health reports a connected database and the queue size', async () => {
      await t.ctx.settings.bulkUpdate({ allowed_media_roots: '/m' });
      expectStatus(await t.app.inject({ method: 'POST', url: '/api/jobs', payload: { file_path: '/m/health.mkv', file_name: 'health.mkv', target_lang: 'eng' } }), 201);
      const body = expectStatus(await t.app.inject({ url: '/health' }), 200);
      assertKeys(body, ['status', 'database', 'workers', 'queue_size']);
      assert.equal(body.status, 'healthy');
      assert.equal(body.database, 'connected');
      assert.equal(body.queue_size, 1);
    });

    it('GET /health answers 503 when the database cannot be reached', async () => {
      // A handle on the same database, closed: every query on it fails like a lost connection.
      const dead = openDatabase(t.database.url);
      await sql`select 1`.execute(dead.db); // Kysely connects lazily; closing an unused handle closes nothing
      await dead.close();
      const live = t.ctx.database.db;
      (t.ctx.database as { db: unknown }).db = dead.db;
      try {
        const res = await t.app.inject({ url: '/health' });
        assert.equal(res.statusCode, 503, res.body);
        assertKeys(res.json(), ['status', 'database', 'workers', 'queue_size']);
        assert.equal(res.json().database, 'disconnected');
        assert.equal(res.json().status, 'unhealthy');
      } finally {
        (t.ctx.database as { db: unknown }).db = live;
      }
      expectStatus(await t.app.inject({ url: '/health' }), 200);
    });

    it('GET /api/status has the system, workers, queue and scanner sections', async () => {
      const body = expectStatus(await t.app.inject({ url: '/api/status' }), 200);
      assertKeys(body, ['system', 'workers', 'queue', 'scanner']);
      assertKeys(body.system, ['status', 'uptime_seconds'], 'system');
      assertKeys(body.workers, ['total_workers', 'cpu_workers', 'gpu_workers', 'idle_workers', 'busy_workers', 'total_jobs_completed', 'total_jobs_failed'], 'workers');
      assertKeys(body.queue, STATS_KEYS, 'queue');
      assertKeys(body.scanner, ['scheduler_enabled', 'scheduler_running', 'next_scan_time', 'watcher_enabled', 'watcher_running'], 'scanner');
      assert.equal(typeof body.system.uptime_seconds, 'number');
    });

    it('unknown routes are a 404 with detail', async () => {
      expectStatus(await t.app.inject({ url: '/api/nothing-here' }), 404);
    });
  });

  describe(`API key auth (${kind})`, () => {
    let t: TestApp;
    let key: string;
    before(async () => {
      t = await createTestApp(kind);
      key = t.ctx.settings.getString('api_key');
    });
    after(async () => t.close());

    it('a key is generated on first start', () => {
      assert.match(key, /^[0-9a-f]{32}$/);
    });

    it('remote clients need the key; loopback is exempt by default', async () => {
      const remote = { remoteAddress: '10.0.0.5' };
      const res = await t.app.inject({ url: '/api/jobs', ...remote });
      expectStatus(res, 401);
      assert.match(res.headers['content-type'] as string, /application\/json/);
      expectStatus(await t.app.inject({ url: '/api/jobs', headers: { 'x-api-key': key }, ...remote }), 200);
      expectStatus(await t.app.inject({ url: `/api/jobs?apikey=${key}`, ...remote }), 200);
      expectStatus(await t.app.inject({ url: '/api/jobs', headers: { 'x-api-key': 'wrong' }, ...remote }), 401);
      expectStatus(await t.app.inject({ url: '/api/jobs' }), 200);
    });

    it('turning the loopback exemption off applies to the very next request', async () => {
      expectStatus(await t.app.inject({ method: 'PUT', url: '/api/settings/auth_exempt_local', payload: { value: 'false' } }), 200);
      expectStatus(await t.app.inject({ url: '/api/jobs' }), 401);
      expectStatus(await t.app.inject({ url: '/api/status' }), 401);
      expectStatus(await t.app.inject({ url: '/api/jobs', headers: { 'x-api-key': key } }), 200);
      expectStatus(await t.app.inject({ url: `/api/jobs?apikey=${key}` }), 200);
    });

    it('/health, / and the docs stay open without a key', async () => {
      expectStatus(await t.app.inject({ url: '/health', remoteAddress: '10.0.0.5' }), 200);
      expectStatus(await t.app.inject({ url: '/', remoteAddress: '10.0.0.5' }), 200);
      expectStatus(await t.app.inject({ url: '/openapi.json', remoteAddress: '10.0.0.5' }), 200);
    });

    it('auth_enabled=false opens the API', async () => {
      expectStatus(await t.app.inject({ method: 'PUT', url: '/api/settings/auth_enabled', headers: { 'x-api-key': key }, payload: { value: false } }), 200);
      expectStatus(await t.app.inject({ url: '/api/jobs', remoteAddress: '10.0.0.5' }), 200);
    });
  });
}

describe('API documentation', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp('sqlite');
  });
  after(async () => t.close());

  it('/openapi.json lists the paths of the contract', async () => {
    const spec = expectStatus(await t.app.inject({ url: '/openapi.json' }), 200);
    const expected: Record<string, string[]> = {
      '/': ['get'], '/health': ['get'], '/api/status': ['get'],
      '/api/jobs/': ['get', 'post'], '/api/jobs/stats': ['get'], '/api/jobs/{job_id}': ['get', 'delete'],
      '/api/jobs/{job_id}/retry': ['post'], '/api/jobs/{job_id}/cancel': ['post'], '/api/jobs/queue/clear': ['post'],
      '/api/scan-rules/': ['get', 'post'], '/api/scan-rules/{rule_id}': ['get', 'put', 'delete'], '/api/scan-rules/{rule_id}/toggle': ['post'],
      '/api/settings/': ['get', 'post'], '/api/settings/{key}': ['get', 'put', 'delete'], '/api/settings/bulk-update': ['post'],
      '/api/settings/init-defaults': ['post'],
      '/api/system/resources': ['get'], '/api/system/cpu': ['get'], '/api/system/memory': ['get'], '/api/system/gpus': ['get'],
      '/api/system/gpu/{device_id}': ['get'],
      '/api/filesystem/browse': ['get'], '/api/filesystem/common-paths': ['get'],
      '/api/setup/status': ['get'], '/api/setup/standalone': ['post'], '/api/setup/bazarr-slave': ['post'], '/api/setup/skip': ['post'],
    };
    const paths = spec.paths as Record<string, Record<string, unknown>>;
    for (const [path, methods] of Object.entries(expected)) {
      // Fastify names a prefix's root route "/api/jobs/"; accept either spelling.
      const entry = paths[path] ?? paths[path.replace(/\/$/, '')];
      assert.ok(entry, `openapi.json lacks ${path}`);
      for (const m of methods) assert.ok(entry[m], `openapi.json lacks ${m.toUpperCase()} ${path}`);
    }
  });

  it('/docs serves Swagger UI with its assets from this server', async () => {
    let res = await t.app.inject({ url: '/docs' });
    if (res.statusCode === 302) res = await t.app.inject({ url: res.headers.location as string });
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /text\/html/);
    assert.doesNotMatch(res.body, /<script[^>]+src="https?:\/\//, 'Swagger UI must not load scripts from a CDN');
    const scripts = [...res.body.matchAll(/<script[^>]+src="([^"]+)"/g)].map((m) => m[1]);
    assert.ok(scripts.length > 0);
    for (const src of scripts) {
      const url = src.startsWith('/') ? src : `/docs/${src.replace(/^\.\//, '')}`;
      const asset = await t.app.inject({ url });
      assert.equal(asset.statusCode, 200, `${url} -> ${asset.statusCode}`);
    }
  });

  it('/redoc serves ReDoc with its bundle from this server', async () => {
    const res = await t.app.inject({ url: '/redoc' });
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /text\/html/);
    const src = /<script[^>]+src="([^"]+)"/.exec(res.body)?.[1];
    assert.ok(src && src.startsWith('/'), `ReDoc script must be local, got ${src}`);
    const bundle = await t.app.inject({ url: src });
    assert.equal(bundle.statusCode, 200);
    assert.match(bundle.headers['content-type'] as string, /javascript/);
    assert.ok(bundle.body.length > 100_000);
  });
});
