/**
 * The API key over a real socket from another machine: a network namespace
 * with a veth pair gives the client a non-loopback source address, and the
 * server listens on the veth address. Every route family is tried with no
 * key, a wrong key and the key in header, query and Bearer, and protected
 * paths in encoded, double-encoded, case-changed, dot-segment and
 * trailing-slash spellings: none of them may answer without the key.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createNetns, type Netns, type NsClient, type NsRequest } from './netns.js';

const made = createNetns();
const skip = 'skip' in made ? made.skip : false;

/** Requests that answer 200 with the key, one or more per route family. */
const PROTECTED: Array<{ family: string; req: NsRequest; spellings: string[] }> = [
  {
    family: 'api',
    req: { path: '/api/settings/api_key?reveal=true' },
    spellings: [
      '/%61pi/settings/api_key?reveal=true', '/api/%73ettings/api_key?reveal=true', '/%2561pi/settings/api_key?reveal=true',
      '/API/settings/api_key?reveal=true', '/Api/Settings/Api_Key?reveal=true', '/api/./settings/api_key?reveal=true',
      '/x/../api/settings/api_key?reveal=true', '/api/settings/../settings/api_key?reveal=true', '/api/settings/api_key/?reveal=true',
      '//api/settings/api_key?reveal=true', '/api%2Fsettings%2Fapi_key?reveal=true', '/api/settings/api%5Fkey?reveal=true',
    ],
  },
  { family: 'api', req: { path: '/api/settings' }, spellings: ['/%61pi/settings', '/api/settings/', '/API/SETTINGS'] },
  { family: 'api', req: { path: '/api/filesystem/browse' }, spellings: ['/%61pi/filesystem/browse', '/api/filesystem/browse/'] },
  { family: 'api', req: { path: '/api/status' }, spellings: ['/%61pi/status', '/api/status/', '/api/%2e/status'] },
  { family: 'v1', req: { path: '/v1/models' }, spellings: ['/v%31/models', '/V1/models', '/v1/models/', '/v1/./models'] },
  {
    family: 'webhooks',
    req: { method: 'POST', path: '/webhooks/sonarr', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ eventType: 'Test' }) },
    spellings: ['/webhooks/%73onarr', '/%77ebhooks/sonarr', '/webhooks/Sonarr', '/webhooks/sonarr/'],
  },
];

/** State-changing or streaming requests, tried without a valid key only. */
const WRITES: NsRequest[] = [
  { method: 'PUT', path: '/%61pi/settings/auth_enabled', headers: { 'content-type': 'application/json' }, body: '{"value":"false"}' },
  { method: 'PUT', path: '/api/settings/auth_enabled', headers: { 'content-type': 'application/json' }, body: '{"value":"false"}' },
  { method: 'POST', path: '/%61pi/jobs', headers: { 'content-type': 'application/json' }, body: '{"file_path":"/media/x.mkv","target_lang":"eng"}' },
  { method: 'POST', path: '/api/workers/pool/stop' },
  { method: 'POST', path: '/api/jobs/queue/clear' },
  { method: 'POST', path: '/api/setup/skip' },
  { method: 'POST', path: '/%61sr', headers: { 'content-type': 'application/octet-stream' }, body: 'x' },
  { method: 'GET', path: '/%61pi/events' },
  { method: 'GET', path: '/api/events' },
  { method: 'GET', path: '/api/no-such-route' },
  { method: 'GET', path: '/provider/not-the-key/status' },
];

/** Open routes: answer without any key. */
/** no key, a wrong key in each header that carries one */
const WRONG_KEYS: Array<Record<string, string>> = [{}, { 'x-api-key': 'wrong' }, { authorization: 'Bearer wrong' }];
const OPEN = ['/health', '/', '/assets/app.js', '/openapi.json', '/docs', '/redoc', '/redoc/redoc.standalone.js'];

describe('API key from another machine (real socket, network namespace)', { skip }, () => {
  let ns: Netns;
  let t: TestApp;
  let client: NsClient;
  let key: string;
  const send = (r: NsRequest, headers: Record<string, string> = {}) => client.send({ ...r, headers: { ...(r.headers ?? {}), ...headers } });
  const withQueryKey = (path: string, k: string) => `${path}${path.includes('?') ? '&' : '?'}apikey=${k}`;

  before(async () => {
    ns = (made as { ns: Netns }).ns;
    const web = mkdtempSync(join(tmpdir(), 'tio-web-'));
    mkdirSync(join(web, 'assets'));
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>TranscriptorIO</title>');
    writeFileSync(join(web, 'assets', 'app.js'), 'console.log(1)');
    t = await createTestApp('sqlite', undefined, { webDir: web });
    key = t.ctx.settings.getString('api_key');
    await t.app.listen({ host: ns.hostAddr, port: 0 });
    client = ns.client(`${ns.hostAddr}:${(t.app.server.address() as AddressInfo).port}`);
  });
  after(async () => {
    await client?.close();
    await t?.close();
    ns?.close();
  });

  for (const exempt of ['false', 'true']) {
    describe(`auth on, local exemption ${exempt === 'true' ? 'on (the default)' : 'off'}`, () => {
      before(async () => t.ctx.settings.bulkUpdate({ auth_enabled: true, auth_exempt_local: exempt }));

      it('every protected route and every spelling of it answers 401 without a key or with a wrong one', async () => {
        for (const p of PROTECTED) {
          for (const path of [p.req.path, ...p.spellings]) {
            for (const headers of WRONG_KEYS) {
              const res = await send({ ...p.req, path }, headers);
              assert.equal(res.status, 401, `${p.family} ${p.req.method ?? 'GET'} ${path} ${JSON.stringify(headers)} answered ${res.status}: ${res.body.slice(0, 200)}`);
              assert.ok(!res.body.includes(key), `${path}: the key leaked`);
              const body = JSON.parse(res.body);
              // /v1 answers in OpenAI's error shape.
              assert.equal(body.code ?? body.error?.code, 'unauthorized', `${path}: ${res.body}`);
            }
            const wrongQuery = await send({ ...p.req, path: withQueryKey(path, 'wrong') });
            assert.equal(wrongQuery.status, 401, `${path}?apikey=wrong answered ${wrongQuery.status}`);
          }
        }
      });

      it('state-changing, streaming and unknown routes answer 401 without the key, and change nothing', async () => {
        for (const r of WRITES) {
          const res = await send(r);
          assert.equal(res.status, 401, `${r.method} ${r.path} answered ${res.status}: ${res.body.slice(0, 200)}`);
        }
        assert.equal(t.ctx.settings.getBoolean('auth_enabled'), true, 'auth is still on');
        assert.equal((await t.ctx.jobs.stats()).total_jobs, 0, 'no job was created');
      });

      it('the key in the X-Api-Key header, the apikey query or a Bearer token opens every family', async () => {
        for (const p of PROTECTED) {
          const ways: NsRequest[] = [
            { ...p.req, headers: { ...(p.req.headers ?? {}), 'x-api-key': key } },
            { ...p.req, path: withQueryKey(p.req.path, key) },
            { ...p.req, headers: { ...(p.req.headers ?? {}), authorization: `Bearer ${key}` } },
          ];
          for (const w of ways) {
            const res = await client.send(w);
            assert.equal(res.status, 200, `${p.family} ${w.path} ${JSON.stringify(w.headers)} answered ${res.status}: ${res.body.slice(0, 200)}`);
          }
        }
        const revealed = JSON.parse((await send({ path: '/api/settings/api_key?reveal=true' }, { 'x-api-key': key })).body);
        assert.equal(revealed.value, key, 'reveal shows the key to a caller that has it');
      });

      it('with the key, a decoded spelling reaches its route and an unknown path is a 404', async () => {
        const decoded = await send({ path: '/%61pi/settings/api_key?reveal=true' }, { 'x-api-key': key });
        assert.equal(decoded.status, 200, 'the router decodes %61: auth must judge the route it reached');
        const unknown = await send({ path: '/api/no-such-route' }, { 'x-api-key': key });
        assert.equal(unknown.status, 404);
        const provider = await send({ path: `/provider/${key}/status` });
        assert.equal(provider.status, 200, 'the provider URL carries its own key');
      });

      it('the open list answers without a key', async () => {
        for (const path of OPEN) {
          const res = await send({ path });
          assert.ok(res.status === 200 || res.status === 302, `${path} answered ${res.status}`);
          assert.ok(!res.body.includes(key), `${path}: the key leaked`);
        }
      });

      it("the root /status (Bazarr's Test button) tells a caller without the key only name and version", async () => {
        for (const path of ['/status', '/%73tatus']) {
          const res = await send({ path });
          assert.equal(res.status, 200, `${path} answered ${res.status}`);
          assert.deepEqual(Object.keys(JSON.parse(res.body)).sort(), ['detail', 'name', 'version'], `${path}: nothing but name, version and a hint`);
        }
        const full = JSON.parse((await send({ path: '/status' }, { 'x-api-key': key })).body);
        assert.ok(Object.keys(full).length > 3, 'with the key, the full status');
      });
    });
  }
});

if (skip) {
  it(`network-namespace auth tests skipped: ${skip}`, { skip }, () => {});
}
