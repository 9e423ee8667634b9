/**
 * Request schemas carry their enums and bounds: a bad status filter, page
 * size, sort, bulk action or library filter is refused by the route's schema
 * (the OpenAPI document lists the choices and bounds, so clients and the web
 * UI get the unions), with the same 400 body the services gave: the code
 * and the message that names the parameter, the choices and the value sent.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../helpers/app.js';

type Param = { name: string; in: string; schema?: Record<string, unknown> };
type Operation = { parameters?: Param[]; requestBody?: { content: { 'application/json': { schema: { properties: Record<string, Record<string, unknown>> } } } } };

describe('request schemas carry their enums and bounds', () => {
  let t: TestApp;
  let spec: { paths: Record<string, Record<string, Operation>> };
  before(async () => {
    t = await createTestApp('sqlite');
    spec = (await t.app.inject({ url: '/openapi.json' })).json();
  });
  after(async () => t.close());

  const param = (path: string, name: string) => spec.paths[path].get.parameters!.find((p) => p.name === name)!.schema!;
  const body = async (method: 'GET' | 'POST', url: string, payload?: object) => {
    const res = await t.app.inject({ method, url, payload });
    assert.equal(res.statusCode, 400, `${method} ${url}: ${res.body}`);
    return res.json() as { detail: string; code: string };
  };

  it('the same 400 bodies as the services gave, for status_filter, page_size, sort, a bulk action and a library filter', async () => {
    assert.deepEqual(await body('GET', '/api/jobs?status_filter=bogus'), {
      detail: 'status_filter must be one of queued, processing, completed, failed, cancelled, got "bogus"', code: 'bad_status',
    });
    assert.deepEqual(await body('GET', '/api/jobs?page_size=501'), { detail: 'page_size must be an integer between 1 and 500', code: 'bad_page_size' });
    assert.deepEqual(await body('GET', '/api/jobs?page=0'), { detail: 'page must be an integer of at least 1', code: 'bad_page' });
    assert.deepEqual(await body('GET', '/api/jobs?sort=nope'), { detail: 'sort must be one of added, priority, status, got "nope"', code: 'bad_sort' });
    assert.deepEqual(await body('GET', '/api/jobs?order=sideways'), { detail: 'order must be asc or desc, got "sideways"', code: 'bad_sort' });
    assert.deepEqual(await body('POST', '/api/jobs/bulk', { action: 'explode', ids: ['x'] }), {
      detail: 'action must be one of retry, cancel, remove, got "explode"', code: 'bad_bulk_action',
    });
    assert.deepEqual(await body('GET', '/api/library/items?filter=x'), {
      detail: 'filter must be one of all, wanted, generated, failed, missing, ignored, needs_review, out_of_sync, got "x"', code: 'bad_filter',
    });
    assert.deepEqual(await body('POST', '/api/library/actions', { action: 'transcribe', filter: { filter: 'x' } }), {
      detail: 'filter must be one of all, wanted, generated, failed, missing, ignored, needs_review, out_of_sync, got "x"', code: 'bad_filter',
    });
    assert.deepEqual(await body('POST', '/api/jobs', { file_path: '/media/a.mkv', target_lang: 'eng', quality_preset: 'ultra' }), {
      detail: 'Invalid quality preset "ultra": use one of fast, balanced, best', code: 'bad_quality_preset',
    });
    assert.deepEqual(await body('POST', '/api/jobs', { file_path: '/media/a.mkv', target_lang: 'eng', transcribe_or_translate: 'dub' }), {
      detail: 'transcribe_or_translate must be transcribe or translate, got "dub"', code: 'bad_mode',
    });
    const categories = 'general, workers, transcription, subtitles, quality, skip, scanner, bazarr, advanced, integrations';
    assert.deepEqual(await body('GET', '/api/settings?category=nonsense'), { detail: `Unknown category "nonsense": use one of ${categories}`, code: 'bad_category' });
    assert.deepEqual(await body('POST', '/api/settings', { key: 'my.flag', value: 'x', category: 'misc' }), { detail: `category must be one of ${categories}`, code: 'bad_category' });
    assert.deepEqual(await body('POST', '/api/settings', { key: 'my.flag', value: 'x', value_type: 'date' }), {
      detail: 'value_type must be one of string, integer, float, boolean, list, json, secret', code: 'bad_value_type',
    });
    assert.deepEqual(await body('POST', '/api/jobs/queue/clear?status=queued'), {
      detail: 'status must be one of completed, failed, cancelled (only finished jobs can be cleared), got "queued"', code: 'bad_status',
    });
  });

  it('an empty choice is the default, as before: ?status_filter=&sort=&order= lists every job', async () => {
    const res = await t.app.inject({ url: '/api/jobs?status_filter=&sort=&order=' });
    assert.equal(res.statusCode, 200, res.body);
  });

  it('the OpenAPI document gives the choices and bounds, so clients get unions instead of strings', () => {
    assert.deepEqual(param('/api/jobs', 'status_filter').enum, ['queued', 'processing', 'completed', 'failed', 'cancelled', '']);
    assert.equal(param('/api/jobs', 'page_size').maximum, 500);
    assert.deepEqual(param('/api/jobs', 'sort').enum, ['added', 'priority', 'status', '']);
    assert.deepEqual(param('/api/library/items', 'filter').enum, ['all', 'wanted', 'generated', 'failed', 'missing', 'ignored', 'needs_review', 'out_of_sync']);
    const bulk = spec.paths['/api/jobs/bulk'].post.requestBody!.content['application/json'].schema.properties;
    assert.deepEqual(bulk.action.enum, ['retry', 'cancel', 'remove']);
    const create = spec.paths['/api/jobs'].post.requestBody!.content['application/json'].schema as unknown as { properties: Record<string, { enum?: string[] }>; required: string[] };
    assert.deepEqual(create.properties.quality_preset.enum, ['fast', 'balanced', 'best']);
    assert.ok(!create.required.includes('file_name'), 'file_name is optional: the service takes the path\'s last part');
  });

  it('a job created without file_name takes the path\'s last part', async () => {
    await t.ctx.settings.update('allowed_media_roots', '/media');
    const res = await t.app.inject({ method: 'POST', url: '/api/jobs', payload: { file_path: '/media/show/Episode 1.mkv', target_lang: 'eng' } });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().file_name, 'Episode 1.mkv');
  });
});
