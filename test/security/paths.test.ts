/**
 * Every path a request names is confined to the library: POST /api/jobs
 * refuses files outside library_paths / allowed_media_roots (after `..` and
 * symlinks), and the browse_roots migration replaces the old default "/".
 * On SQLite and PostgreSQL.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { databaseKinds } from '../helpers/db.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { expectStatus } from '../api/api-helpers.js';
import { up as migration004 } from '../../src/db/migrations/004-safe-browse-roots.js';
import { parseList } from '../../src/settings/settings.values.js';
import { definitionByKey } from '../../src/settings/definitions/index.js';
import { readSettingRow, writeSettingRow } from '../helpers/settings-rows.js';

for (const kind of databaseKinds()) {
  describe(`POST /api/jobs stays inside the library (${kind})`, () => {
    let t: TestApp;
    let base: string;
    let lib: string;
    let outside: string;
    const create = (file_path: string) =>
      t.app.inject({ method: 'POST', url: '/api/jobs', payload: { file_path, file_name: 'x.mkv', target_lang: 'spa' } });
    const jobCount = async () => (await t.ctx.database.db.selectFrom('jobs').select('id').execute()).length;

    before(async () => {
      t = await createTestApp(kind);
      base = realpathSync(mkdtempSync(join(tmpdir(), 'tio-paths-')));
      lib = join(base, 'library');
      outside = join(base, 'outside');
      mkdirSync(join(lib, 'Show'), { recursive: true });
      mkdirSync(outside);
      writeFileSync(join(lib, 'Show', 'ep1.mkv'), 'video');
      writeFileSync(join(outside, 'secret.mkv'), 'not yours');
      symlinkSync('/etc/passwd', join(lib, 'passwd.mkv'));
      symlinkSync(outside, join(lib, 'escape'));
      symlinkSync(join(lib, 'Show'), join(lib, 'Show-link'));
      await t.ctx.settings.bulkUpdate({ library_paths: lib, allowed_media_roots: 'D:\\Media,\\\\nas\\media' });
    });
    after(async () => {
      rmSync(base, { recursive: true, force: true });
      await t.close();
    });

    it('paths outside the media roots are a 403 outside_library naming the path, and create no job', async () => {
      const cases = ['/etc/passwd', `${lib}/../../../../etc/passwd`, '/media/../etc/passwd', join(lib, 'passwd.mkv'), join(lib, 'escape', 'secret.mkv'), join(outside, 'secret.mkv'), '/proc/self/environ'];
      for (const path of cases) {
        const body = expectStatus(await create(path), 403);
        assert.equal(body.code, 'outside_library', path);
        assert.ok(body.detail.includes(path), `the message names ${path}: ${body.detail}`);
        assert.match(body.detail, /library_paths|allowed_media_roots/);
      }
      // Even a root of "/" does not open the kernel's trees.
      await t.ctx.settings.bulkUpdate({ allowed_media_roots: '/' });
      try {
        assert.equal(expectStatus(await create('/proc/self/environ'), 403).code, 'outside_library');
      } finally {
        await t.ctx.settings.bulkUpdate({ allowed_media_roots: 'D:\\Media,\\\\nas\\media' });
      }
      assert.equal(await jobCount(), 0);
    });

    it('a file inside the library is a 201 and stored by its real path; the same file through a symlinked folder is a 409', async () => {
      const job = expectStatus(await create(join(lib, 'Show', '..', 'Show', 'ep1.mkv')), 201);
      assert.equal(job.file_path, join(lib, 'Show', 'ep1.mkv'));
      const dup = expectStatus(await create(join(lib, 'Show-link', 'ep1.mkv')), 409);
      assert.equal(dup.code, 'duplicate_job');
      // A job the scanner keyed by the symlinked path blocks an API request for the real file's link path too.
      await t.ctx.database.db.deleteFrom('jobs').execute();
      await t.ctx.jobs.create({ file_path: join(lib, 'Show-link', 'ep1.mkv'), target_lang: 'spa' });
      expectStatus(await create(join(lib, 'Show-link', 'ep1.mkv')), 409);
      await t.ctx.database.db.deleteFrom('jobs').execute();
    });

    it('Windows paths are compared by name with the Windows roots', async () => {
      assert.equal(expectStatus(await create('D:\\Media\\Show\\ep1.mkv'), 201).file_path, 'D:\\Media\\Show\\ep1.mkv');
      assert.equal(expectStatus(await create('d:\\media\\Show\\ep2.mkv'), 201).file_path, 'd:\\media\\Show\\ep2.mkv');
      expectStatus(await create('\\\\nas\\media\\Show\\ep3.mkv'), 201);
      for (const p of ['E:\\Media\\ep1.mkv', 'D:\\Media\\..\\Windows\\system.ini', 'D:\\MediaX\\ep1.mkv', '\\\\nas\\private\\ep1.mkv']) {
        assert.equal(expectStatus(await create(p), 403).code, 'outside_library', p);
      }
      await t.ctx.database.db.deleteFrom('jobs').execute();
    });

    it('internal creators are not confined (the provider keys jobs by a synthetic path)', async () => {
      const job = await t.ctx.jobs.create({ file_path: 'provider://asr/abc', target_lang: 'und', synthetic_path: true });
      assert.equal(job.file_path, 'provider://asr/abc');
      await t.ctx.database.db.deleteFrom('jobs').execute();
    });

    it('a client cannot slip a synthetic path or another job type through the request body', async () => {
      const r = await t.app.inject({ method: 'POST', url: '/api/jobs', payload: { file_path: 'provider://asr/x', file_name: 'x', target_lang: 'spa', synthetic_path: true } });
      expectStatus(r, 400);
      assert.equal(await jobCount(), 0);
    });
  });

  describe(`migration 004-safe-browse-roots (${kind})`, () => {
    const newDefault = definitionByKey.get('browse_roots')!.default;

    /** A database as an older version left it: browse_roots stored as `value`, migration 004 not applied. */
    async function upgradeFrom(value: string): Promise<string> {
      const t = await createTestApp(kind);
      try {
        const db = t.ctx.database.db;
        await writeSettingRow(db, 'browse_roots', value);
        // Run directly: the migrator refuses to re-run one migration once later ones are applied.
        await migration004(db, kind);
        return parseList(String(await readSettingRow(db, 'browse_roots'))).join(',');
      } finally {
        await t.close();
      }
    }

    it('a browse_roots still at the old default "/" gets the new default', async () => {
      assert.equal(await upgradeFrom('/'), newDefault);
    });

    it("a user's own browse_roots is kept", async () => {
      assert.equal(await upgradeFrom('/srv/media,/mnt/disk'), '/srv/media,/mnt/disk');
      assert.equal(await upgradeFrom('/,/media'), '/,/media');
    });

    it('a fresh database starts with the new default', async () => {
      const t = await createTestApp(kind);
      try {
        assert.equal(t.ctx.settings.getList('browse_roots').join(','), newDefault);
      } finally {
        await t.close();
      }
    });
  });
}
