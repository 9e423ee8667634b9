/**
 * The provider key opens the provider routes and nothing else. Bazarr shows
 * its Whisper endpoint (/provider/<key>) in its settings and writes it to its
 * log, so after the wizard's Bazarr mode the key in that URL must not be the
 * API key, and from another machine it must answer 401/403 on every route of
 * every other family. Every route the OpenAPI document lists is tried with
 * it, in the header, the query and as a Bearer token; over a real socket
 * from a network namespace where the machine allows one, and through
 * app.inject with a non-loopback remote address always.
 *
 * An older install whose provider URL carries the API key gets a Health
 * warning, and "Make a separate provider key" moves Bazarr's endpoint (its
 * settings API, the fake in fake-bazarr-settings.ts) to the new key in the
 * same step: Bazarr keeps working, and the API key no longer opens the
 * provider URL.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { fakeServer, type FakeServer } from '../integrations/fake-server.js';
import { bazarrSettingsApi, defaultBazarrConfig, type FakeBazarrConfig } from '../integrations/fake-bazarr-settings.js';
import { createNetns, type Netns, type NsClient } from './netns.js';

const REMOTE = '10.0.0.5';

interface Answer {
  status: number;
  body: string;
}
type Send = (method: string, path: string, headers?: Record<string, string>, body?: string) => Promise<Answer>;

/** Every method and path of the OpenAPI document, parameters filled with a plausible value. */
async function everyRoute(t: TestApp): Promise<Array<{ method: string; path: string }>> {
  const doc = (await t.app.inject({ url: '/openapi.json' })).json<{ paths: Record<string, Record<string, unknown>> }>();
  const out: Array<{ method: string; path: string }> = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const method of Object.keys(methods)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      out.push({ method: method.toUpperCase(), path: path.replace(/\{[^}]+\}/g, (p) => (p === '{apiKey}' ? '{apiKey}' : '1')) });
    }
  }
  return out;
}

/**
 * Routes that answer without any key (docs/SECURITY.md's open list, Bazarr's
 * Test button at /status, and the 405 hint of a GET of a POST-only provider
 * path): the provider key cannot matter there. A route outside this list that
 * answers without a key fails the test.
 */
const OPEN = new Set(['GET /', 'GET /health', 'GET /openapi.json', 'GET /status', 'GET /asr', 'GET /detect-language']);
/** The root provider routes the provider key opens as a header too. */
const PROVIDER_ROOT = new Set(['POST /asr', 'POST /detect-language']);

async function assertOnlyProviderRoutes(t: TestApp, send: Send, providerKey: string, apiKey: string): Promise<void> {
  const routes = await everyRoute(t);
  assert.ok(routes.length > 50, `the OpenAPI document lists the routes (${routes.length})`);
  let refused = 0;
  for (const r of routes) {
    const id = `${r.method} ${r.path}`;
    if (OPEN.has(id)) continue;
    if (r.path.startsWith('/provider/{apiKey}')) {
      const path = r.path.replace('{apiKey}', providerKey);
      const res = await send(r.method, path, { 'content-type': 'application/octet-stream' }, r.method === 'POST' ? 'x' : undefined);
      assert.notEqual(res.status, 401, `${r.method} ${path} takes the provider key: ${res.body.slice(0, 200)}`);
      assert.notEqual(res.status, 403, `${r.method} ${path} takes the provider key: ${res.body.slice(0, 200)}`);
      const admin = await send(r.method, r.path.replace('{apiKey}', apiKey), { 'content-type': 'application/octet-stream' }, r.method === 'POST' ? 'x' : undefined);
      assert.equal(admin.status, 401, `${r.method} /provider/<api key>/…: the API key no longer opens the provider URL`);
      continue;
    }
    const body = ['POST', 'PUT', 'PATCH'].includes(r.method) ? '{}' : undefined;
    const headers: Record<string, string> = body ? { 'content-type': 'application/json' } : {};
    const none = await send(r.method, r.path, headers, body);
    assert.ok(PROVIDER_ROOT.has(id) || none.status === 401 || none.status === 403, `${id} answered ${none.status} without any key: ${none.body.slice(0, 200)}`);
    const ways: Array<[string, Record<string, string>]> = [
      [r.path, { ...headers, 'x-api-key': providerKey }],
      [`${r.path}${r.path.includes('?') ? '&' : '?'}apikey=${encodeURIComponent(providerKey)}`, headers],
      [r.path, { ...headers, authorization: `Bearer ${providerKey}` }],
    ];
    for (const [path, h] of ways) {
      const res = await send(r.method, path, h, body);
      if (PROVIDER_ROOT.has(id)) {
        assert.ok(res.status !== 401 && res.status !== 403, `${id} takes the provider key as a header too (${res.status}: ${res.body.slice(0, 200)})`);
        continue;
      }
      assert.ok(res.status === 401 || res.status === 403, `${r.method} ${path} ${JSON.stringify(h)} answered ${res.status} to the provider key: ${res.body.slice(0, 300)}`);
      assert.ok(!res.body.includes(apiKey), `${id}: the API key leaked`);
      refused++;
    }
  }
  assert.ok(refused > 150, `every other route was tried three ways (${refused})`);
}

describe('provider key: the wizard makes one, and it opens only the provider routes', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp('sqlite');
  });
  after(async () => t.close());

  it("after the wizard's Bazarr mode on a fresh install the URL's key is not the API key, and it opens nothing but the provider routes (non-loopback client)", async () => {
    const apiKey = t.ctx.settings.getString('api_key');
    const res = await t.app.inject({ method: 'POST', url: '/api/setup/bazarr-slave', headers: { host: 'nas.local:8000', 'x-api-key': apiKey }, payload: {} });
    assert.equal(res.statusCode, 200, res.body);
    const info = res.json<{ bazarr_info: { api_key: string; provider_url: string; key_rotated: boolean } }>().bazarr_info;
    const inUrl = /\/provider\/([^/]+)$/.exec(info.provider_url)![1];
    assert.equal(inUrl, info.api_key);
    assert.notEqual(inUrl, apiKey, 'the provider URL does not carry the API key');
    assert.ok(inUrl.length >= 32, 'at least 192 bits');
    assert.equal(t.ctx.settings.getString('bazarr_api_key'), inUrl);
    assert.equal(t.ctx.settings.getString('api_key'), apiKey, 'the API key is left alone');
    const settings = await t.app.inject({ url: '/api/settings', headers: { 'x-api-key': inUrl }, remoteAddress: REMOTE });
    assert.equal(settings.statusCode, 401, 'the provider key does not open /api/settings');
    const send: Send = async (method, path, headers = {}, body) => {
      const r = await t.app.inject({ method: method as 'GET', url: path, headers: { host: 'nas.local:8000', ...headers }, payload: body, remoteAddress: REMOTE });
      return { status: r.statusCode, body: r.body };
    };
    await assertOnlyProviderRoutes(t, send, inUrl, apiKey);
    // The wizard again keeps the provider key: Bazarr's URL stays valid.
    const again = (await t.app.inject({ method: 'POST', url: '/api/setup/bazarr-slave', payload: {} })).json<{ bazarr_info: { api_key: string; key_rotated: boolean } }>().bazarr_info;
    assert.equal(again.api_key, inUrl);
    assert.equal(again.key_rotated, false);
  });
});

const made = createNetns();
const skip = 'skip' in made ? made.skip : false;

describe('provider key over a real socket from another machine (network namespace)', { skip }, () => {
  let ns: Netns;
  let t: TestApp;
  let client: NsClient;
  before(async () => {
    ns = (made as { ns: Netns }).ns;
    t = await createTestApp('sqlite');
    await t.app.listen({ host: ns.hostAddr, port: 0 });
    client = ns.client(`${ns.hostAddr}:${(t.app.server.address() as AddressInfo).port}`);
  });
  after(async () => {
    await client?.close();
    await t?.close();
    ns?.close();
  });

  it('the provider key answers 401/403 on every route outside the provider routes, in every way it can be sent', async () => {
    const apiKey = t.ctx.settings.getString('api_key');
    const info = (await t.app.inject({ method: 'POST', url: '/api/setup/bazarr-slave', payload: {} })).json<{ bazarr_info: { api_key: string } }>().bazarr_info;
    assert.notEqual(info.api_key, apiKey);
    const send: Send = async (method, path, headers = {}, body) => client.send({ method, path, headers, body });
    const status = await send('GET', `/provider/${info.api_key}/status`);
    assert.equal(status.status, 200, status.body);
    assert.ok(Object.keys(JSON.parse(status.body)).length > 3, 'the full status through the provider URL');
    await assertOnlyProviderRoutes(t, send, info.api_key, apiKey);
  });
});

if (skip) it(`provider key over a real socket skipped: ${skip}`, { skip }, () => {});

describe('an older install whose provider URL carries the API key', () => {
  let t: TestApp;
  let bazarr: FakeServer;
  let config: FakeBazarrConfig;
  const bazarrKey = 'bazarr-own-key';
  before(async () => {
    t = await createTestApp('sqlite');
    config = defaultBazarrConfig();
    bazarr = await fakeServer((req, res) => {
      const key = new URL(req.url, 'http://bazarr').searchParams.get('apikey') ?? req.headers['x-api-key'];
      if (key !== bazarrKey) {
        res.statusCode = 401;
        return void res.end('{"message":"Unauthorized"}');
      }
      if (!bazarrSettingsApi(config, req, res)) {
        res.statusCode = 404;
        res.end();
      }
    });
  });
  after(async () => {
    await t.close();
    await bazarr.close();
  });

  const health = async () => (await t.app.inject({ url: '/api/system/health' })).json<{ checks: Array<{ id: string; message: string; fix: string }> }>().checks;

  it('gets a Health warning; "Make a separate provider key" moves Bazarr\'s endpoint to the new key in the same step', async () => {
    const apiKey = t.ctx.settings.getString('api_key');
    // What the wizard wrote before provider keys were separate.
    await t.ctx.settings.setInternal('bazarr_api_key', apiKey);
    await t.ctx.settings.bulkUpdate({ bazarr_provider_enabled: 'true', operation_mode: 'provider' });
    config.general.enabled_providers = ['whisperai'];
    config.whisperai.endpoint = `http://tio.lan:8000/provider/${apiKey}`;
    const warned = (await health()).find((c) => c.id === 'provider_key_is_api_key');
    assert.ok(warned, 'the Health page warns');
    assert.match(warned.message, /carries this server’s API key/);
    assert.match(warned.fix, /paste the new provider URL into Bazarr/, 'without Bazarr connected, the fix says what to do by hand');
    // Until it is fixed the old URL keeps working.
    assert.equal((await t.app.inject({ url: `/provider/${apiKey}/status`, remoteAddress: REMOTE })).statusCode, 200);

    await t.ctx.settings.bulkUpdate({ bazarr_url: bazarr.url, bazarr_sync_api_key: bazarrKey });
    assert.match((await health()).find((c) => c.id === 'provider_key_is_api_key')!.fix, /Bazarr’s endpoint is updated in the same step/);
    const res = await t.app.inject({ method: 'POST', url: '/api/setup/provider-key', headers: { host: 'tio.lan:8000', 'x-api-key': apiKey } });
    assert.equal(res.statusCode, 200, res.body);
    const info = res.json<{ api_key: string; provider_url: string; bazarr_update: { updated: boolean; message: string } }>();
    assert.notEqual(info.api_key, apiKey);
    assert.equal(t.ctx.settings.getString('bazarr_api_key'), info.api_key);
    assert.equal(t.ctx.settings.getString('api_key'), apiKey, 'the API key is left alone');
    assert.equal(info.bazarr_update.updated, true, info.bazarr_update.message);
    assert.equal(config.whisperai.endpoint, `http://tio.lan:8000/provider/${info.api_key}`, "Bazarr's endpoint keeps its address and gets the new key");
    const post = bazarr.calls.filter((c) => c.method === 'POST');
    assert.equal(post.length, 1);
    assert.deepEqual([...new URLSearchParams(post[0].body.toString()).keys()], ['settings-whisperai-endpoint'], 'only the endpoint is written');

    assert.ok(!(await health()).some((c) => c.id === 'provider_key_is_api_key'), 'the warning is gone');
    assert.equal((await t.app.inject({ url: `/provider/${info.api_key}/status`, remoteAddress: REMOTE })).statusCode, 200, 'Bazarr\'s new endpoint works');
    const old = await t.app.inject({ url: `/provider/${apiKey}/status`, remoteAddress: REMOTE });
    assert.equal(old.statusCode, 401, 'the API key no longer opens the provider URL');
    assert.match(old.json<{ detail: string }>().detail, /provider URL/);
  });

  it("a Bazarr endpoint that points elsewhere is left alone, and the answer says so", async () => {
    config.whisperai.endpoint = 'http://whisper-asr:9000';
    const before = bazarr.calls.filter((c) => c.method === 'POST').length;
    const info = (await t.app.inject({ method: 'POST', url: '/api/setup/provider-key' })).json<{ bazarr_update: { updated: boolean; message: string } }>();
    assert.equal(info.bazarr_update.updated, false);
    assert.match(info.bazarr_update.message, /does not point at this server’s provider URL: it was left as it is/);
    assert.equal(config.whisperai.endpoint, 'http://whisper-asr:9000');
    assert.equal(bazarr.calls.filter((c) => c.method === 'POST').length, before, 'nothing was written to Bazarr');
  });
});
