/**
 * Secret settings are masked in every listing and shown only on an explicit
 * reveal by a caller that passed the key check; writing the mask back keeps
 * the value.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { settingDefinitions } from '../../src/settings/definitions/index.js';
import { SECRET_MASK } from '../../src/security/secrets.js';

// Typed as plain keys: the tests ask it about any key an answer carries.
const SECRETS: readonly string[] = settingDefinitions.filter((d) => d.value_type === 'secret').map((d) => d.key);
const remote = { remoteAddress: '10.0.0.5' };

describe('secret settings', () => {
  let t: TestApp;
  let key: string;
  const values: Record<string, string> = {};

  before(async () => {
    t = await createTestApp();
    key = t.ctx.settings.getString('api_key');
    for (const k of SECRETS) if (k !== 'api_key') values[k] = `${k}-value-1234`;
    await t.ctx.settings.bulkUpdate(values);
    values.api_key = key;
  });
  after(async () => t.close());

  it('covers the secrets the product has', () => {
    for (const k of ['api_key', 'translation_api_key', 'plex_token', 'jellyfin_api_key', 'emby_api_key', 'bazarr_api_key', 'remote_engine_api_key']) {
      assert.ok(SECRETS.includes(k), `${k} is a secret`);
    }
  });

  it('GET /api/settings and every category listing mask every secret', async () => {
    const listings = ['/api/settings', ...['general', 'transcription', 'bazarr', 'integrations'].map((c) => `/api/settings?category=${c}`)];
    for (const url of listings) {
      const res = await t.app.inject({ url });
      assert.equal(res.statusCode, 200);
      for (const secret of Object.values(values)) assert.ok(!res.body.includes(secret), `${url} shows a secret in clear`);
      for (const s of res.json() as Array<{ key: string; value: string; masked?: boolean }>) {
        if (SECRETS.includes(s.key)) {
          assert.equal(s.value, SECRET_MASK, `${url}: ${s.key}`);
          assert.equal(s.masked, true);
        }
      }
    }
  });

  it('GET /api/settings/{key} masks unless reveal=true', async () => {
    for (const k of SECRETS) {
      const masked = await t.app.inject({ url: `/api/settings/${k}` });
      assert.equal(masked.json().value, SECRET_MASK, k);
      const clear = await t.app.inject({ url: `/api/settings/${k}?reveal=true` });
      assert.equal(clear.json().value, values[k], k);
    }
  });

  it('reveal needs the key from another machine', async () => {
    const res = await t.app.inject({ url: '/api/settings/api_key?reveal=true', ...remote });
    assert.equal(res.statusCode, 401);
    assert.ok(!res.body.includes(key));
    const ok = await t.app.inject({ url: '/api/settings/api_key?reveal=true', headers: { 'x-api-key': key }, ...remote });
    assert.equal(ok.json().value, key);
  });

  it('an empty secret is shown as empty, not as the mask', async () => {
    await t.ctx.settings.update('plex_token', '');
    const s = (await t.app.inject({ url: '/api/settings/plex_token' })).json();
    assert.equal(s.value, '');
    assert.equal(s.masked, undefined);
    await t.ctx.settings.update('plex_token', values.plex_token);
  });

  it('saving the mask back (PUT or bulk-update) keeps the stored secret; a new value replaces it', async () => {
    const put = await t.app.inject({ method: 'PUT', url: '/api/settings/translation_api_key', payload: { value: SECRET_MASK } });
    assert.equal(put.statusCode, 200);
    assert.equal(put.json().value, SECRET_MASK, 'the answer is masked too');
    assert.equal(t.ctx.settings.getString('translation_api_key'), values.translation_api_key);
    const bulk = await t.app.inject({ method: 'POST', url: '/api/settings/bulk-update', payload: { settings: { api_key: SECRET_MASK, plex_token: SECRET_MASK, debug: true } } });
    assert.equal(bulk.statusCode, 200, bulk.body);
    assert.equal(t.ctx.settings.getString('api_key'), key);
    assert.equal(t.ctx.settings.getString('plex_token'), values.plex_token);
    await t.app.inject({ method: 'PUT', url: '/api/settings/translation_api_key', payload: { value: 'new-secret' } });
    assert.equal(t.ctx.settings.getString('translation_api_key'), 'new-secret');
  });
});
