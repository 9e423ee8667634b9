/**
 * GET /api/logs and /api/logs/download over the real log file under DATA_DIR,
 * written by the real logger (as `transcriptorio server` writes it): the level
 * filter, limit and since, keys taken out, both rotated files read, and bad
 * parameters answered 400 with a message that names them.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { databaseKinds } from '../helpers/db.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createLogger } from '../../src/logger.js';
import { RotatingLogFile, logFilePath } from '../../src/logs/log-file.js';
import { LogsService } from '../../src/logs/logs.service.js';
import { expectStatus } from './api-helpers.js';

type Lines = { lines: Array<{ time: string; level: string; source: string; message: string; fields: Record<string, unknown> }>; truncated: boolean };

for (const kind of databaseKinds()) {
  describe(`logs API (${kind})`, () => {
    let t: TestApp;
    let file: RotatingLogFile;
    let key: string;
    before(async () => {
      t = await createTestApp(kind);
      key = t.ctx.settings.getString('api_key');
      file = new RotatingLogFile(logFilePath(t.ctx.config.dataDir));
      const discard = new Writable({ write: (_c, _e, done) => done() });
      const log = createLogger('debug', 'transcriptorio', discard as never, { sinks: [file] });
      log.debug('a debug line');
      log.info({ component: 'scanner', files: 3 }, 'scan finished');
      log.warn({ token: 'tok-secret-123' }, 'a remote server refused the token');
      log.error({ err: new Error('disk full') }, 'could not write the subtitle');
      log.info(`Generated API key: ${key} (other machines send it as X-Api-Key)`);
      log.info({ url: `/provider/${key}/asr` }, 'provider request');
      // A line a worker process forwarded (the supervisor writes it as it came).
      file.write(`${JSON.stringify({ level: 30, time: new Date().toISOString(), name: 'worker', worker: 'worker-cpu-0', node: 'n1', msg: 'job claimed', job: 'j1' })}\n`);
    });
    after(async () => {
      file.close();
      await t.close();
    });

    it('lists the lines oldest first, each with time, level, source, message and its fields; keys and tokens taken out', async () => {
      const body = expectStatus(await t.app.inject({ url: '/api/logs' }), 200) as Lines;
      assert.deepEqual(body.lines.map((l) => l.message.slice(0, 20)), ['a debug line', 'scan finished', 'a remote server refu', 'could not write the ', 'Generated API key: [', 'provider request', 'job claimed']);
      const scan = body.lines[1];
      assert.equal(scan.level, 'info');
      assert.equal(scan.source, 'server');
      assert.deepEqual(scan.fields, { component: 'scanner', files: 3 });
      assert.ok(!Number.isNaN(Date.parse(scan.time)));
      assert.equal(body.lines[6].source, 'worker-cpu-0');
      assert.equal(body.lines[3].level, 'error');
      assert.match(JSON.stringify(body.lines[3].fields.err), /disk full/);
      const all = JSON.stringify(body);
      assert.ok(!all.includes(key), 'the API key never leaves the server in a log line');
      assert.ok(!all.includes('tok-secret-123'), 'token fields are censored');
      assert.match(body.lines[4].message, /^Generated API key: \[redacted\]/);
      assert.equal(body.lines[5].fields.url, '/provider/[redacted]/asr');
      assert.equal(body.truncated, false);
    });

    it('level= keeps that level and above; limit= keeps the newest; since= only what came after', async () => {
      const warn = expectStatus(await t.app.inject({ url: '/api/logs?level=warn' }), 200) as Lines;
      assert.deepEqual(warn.lines.map((l) => l.level), ['warn', 'error']);
      const two = expectStatus(await t.app.inject({ url: '/api/logs?limit=2' }), 200) as Lines;
      assert.deepEqual(two.lines.map((l) => l.message), ['provider request', 'job claimed']);
      assert.equal(two.truncated, true);
      const all = (expectStatus(await t.app.inject({ url: '/api/logs' }), 200) as Lines).lines;
      const cut = all[3].time;
      const since = expectStatus(await t.app.inject({ url: `/api/logs?since=${encodeURIComponent(cut)}` }), 200) as Lines;
      assert.ok(since.lines.every((l) => Date.parse(l.time) > Date.parse(cut)));
      const epoch = expectStatus(await t.app.inject({ url: `/api/logs?since=${Date.now() + 60_000}` }), 200) as Lines;
      assert.deepEqual(epoch.lines, []);
    });

    it('bad parameters are a 400 that names them', async () => {
      const level = expectStatus(await t.app.inject({ url: '/api/logs?level=loud' }), 400);
      assert.match(level.detail, /level/);
      assert.match(level.detail, /must be one of trace, debug, info, warn, error, fatal/, "a choice names its choices");
      const limit = expectStatus(await t.app.inject({ url: '/api/logs?limit=0' }), 400);
      assert.match(limit.detail, /limit/);
      const since = expectStatus(await t.app.inject({ url: '/api/logs?since=yesterday' }), 400);
      assert.match(since.detail, /since must be an ISO date .* got "yesterday"/);
    });

    it('download: every kept line as readable text (or JSON lines), as a file, keys taken out', async () => {
      const text = await t.app.inject({ url: '/api/logs/download' });
      assert.equal(text.statusCode, 200);
      assert.match(String(text.headers['content-disposition']), /^attachment; filename="transcriptorio-.*\.log"$/);
      assert.match(text.body, /^\S+Z INFO {2}\[server\] scan finished \{"component":"scanner","files":3\}$/m);
      assert.match(text.body, /^\S+Z INFO {2}\[worker-cpu-0\] job claimed/m);
      assert.ok(!text.body.includes(key));
      const json = await t.app.inject({ url: '/api/logs/download?format=json' });
      assert.equal(json.statusCode, 200);
      const lines = json.body.trim().split('\n').map((l) => JSON.parse(l) as { msg: string });
      assert.equal(lines.length, 7);
      assert.ok(!json.body.includes(key));
    });

    it('the file stays bounded: past its size it rotates once, and both files are read, newest last', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'tio-logs-rotation-'));
      try {
        const path = logFilePath(dir);
        const small = new RotatingLogFile(path, 2000);
        for (let i = 0; i < 100; i++) small.write(`${JSON.stringify({ level: 30, time: new Date(1_700_000_000_000 + i).toISOString(), msg: `line ${i}` })}\n`);
        small.close();
        assert.ok(statSync(path).size <= 2000);
        assert.ok(statSync(`${path}.1`).size <= 2000);
        const current = readFileSync(path, 'utf8').trim().split('\n').length;
        const { lines } = new LogsService(dir, () => []).recent({ limit: 1000 });
        assert.ok(lines.length > current, `the rotated file is read too (${lines.length} lines, ${current} in the current file)`);
        assert.equal(lines.at(-1)?.message, 'line 99');
        const numbers = lines.map((l) => Number(l.message.slice(5)));
        assert.deepEqual(numbers, numbers.map((_, i) => numbers[0] + i), 'in order, none lost between the two files');
        assert.ok(numbers[0] > 0, 'the oldest lines are gone: the pair is bounded');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
