/**
 * Transcribe and Redo with a model of the person's choosing (the review
 * page's "Redo with another model"): the job carries it in its options, which
 * the transcription handler hands to the resolver instead of the preset's
 * model; a blank or over-long model is refused with the field named.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { expectStatus } from '../api/api-helpers.js';
import { createLibraryFixture, type LibraryFixture } from './library-media.js';

describe('library actions with a model', () => {
  let t: TestApp;
  let lib: LibraryFixture;
  before(async () => {
    lib = await createLibraryFixture();
    t = await createTestApp('sqlite');
    await t.ctx.settings.bulkUpdate({ library_paths: lib.root });
    expectStatus(await t.app.inject({ method: 'POST', url: '/api/scanner/scan', payload: { dry_run: true } }), 200);
  });
  after(async () => t?.close());

  const itemId = async (path: string) => {
    const page = expectStatus(await t.app.inject({ url: '/api/library/items?page_size=200' }), 200);
    return page.items.find((i: { path: string }) => i.path === path).id as number;
  };
  const optionsOf = async (jobId: string) => {
    const row = await t.ctx.database.db.selectFrom('jobs').select('options').where('id', '=', jobId).executeTakeFirstOrThrow();
    return JSON.parse(row.options ?? '{}') as Record<string, unknown>;
  };

  test('transcribe and redo put the chosen model on the job; without one the job has none', async () => {
    const id = await itemId(lib.a1);
    const done = expectStatus(await t.app.inject({ method: 'POST', url: '/api/library/actions', payload: { action: 'transcribe', item_ids: [id], target_lang: 'spa', model: 'large-v3-turbo' } }), 200);
    assert.equal(done.done.length, 1, JSON.stringify(done.refused));
    assert.equal((await optionsOf(done.done[0].job_id)).model, 'large-v3-turbo');

    const redo = expectStatus(await t.app.inject({ method: 'POST', url: '/api/library/actions', payload: { action: 'redo', item_ids: [await itemId(lib.a3)], target_lang: 'spa', quality_preset: 'best', model: ' small ' } }), 200);
    assert.equal(redo.done.length, 1, JSON.stringify(redo.refused));
    assert.equal((await optionsOf(redo.done[0].job_id)).model, 'small', 'the name is trimmed');

    const plain = expectStatus(await t.app.inject({ method: 'POST', url: '/api/library/actions', payload: { action: 'transcribe', item_ids: [await itemId(lib.gamma)], target_lang: 'fre' } }), 200);
    assert.equal(plain.done.length, 1, JSON.stringify(plain.refused));
    assert.equal((await optionsOf(plain.done[0].job_id)).model, undefined);
  });

  test('an empty model is a 400 naming the field', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/api/library/actions', payload: { action: 'redo', item_ids: [await itemId(lib.a3)], model: '' } });
    assert.equal(r.statusCode, 400, r.body);
    assert.match(r.json().detail ?? r.json().message ?? r.body, /model/);
  });
});
