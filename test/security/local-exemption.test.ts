/**
 * The local exemption holds only for the local machine: a loopback peer that
 * names this machine in its Host header, and for state-changing methods no
 * cross-site Origin or Sec-Fetch-Site. DNS rebinding (a foreign Host on a
 * loopback connection) needs the key; a cross-site POST is refused with 403.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../helpers/app.js';

describe('local exemption (loopback connection)', () => {
  let t: TestApp;
  let key: string;
  const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ url, headers });
  const post = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'POST', url, headers });

  before(async () => {
    t = await createTestApp();
    key = t.ctx.settings.getString('api_key');
  });
  after(async () => t.close());

  it('loopback host names are exempt, as the UI at localhost:8000 and 127.0.0.1:8000 needs', async () => {
    for (const host of ['localhost:8000', '127.0.0.1:8000', '[::1]:8000', 'LOCALHOST', '127.0.0.2:8000']) {
      assert.equal((await get('/api/settings', { host })).statusCode, 200, host);
    }
  });

  it('a foreign Host on a loopback connection (DNS rebinding, a reverse proxy) needs the key', async () => {
    for (const host of ['evil.example', 'evil.example:8000', '192.168.1.20:8000', 'localhost.evil.example']) {
      const res = await get('/api/settings/api_key?reveal=true', { host });
      assert.equal(res.statusCode, 401, host);
      assert.ok(!res.body.includes(key), `${host}: the key leaked`);
      assert.equal((await get('/api/settings', { host, 'x-api-key': key })).statusCode, 200, `${host} with the key`);
    }
  });

  it('a host listed in allowed_hosts is exempt', async () => {
    assert.equal((await get('/api/status', { host: 'mybox:8000' })).statusCode, 401);
    await t.ctx.settings.update('allowed_hosts', 'mybox, media.lan');
    assert.equal((await get('/api/status', { host: 'mybox:8000' })).statusCode, 200);
    assert.equal((await get('/api/status', { host: 'MEDIA.LAN' })).statusCode, 200);
    await t.ctx.settings.update('allowed_hosts', '');
  });

  it('cross-site state-changing requests are refused with 403 and a reason, and change nothing', async () => {
    const attacks: Array<Record<string, string>> = [
      { host: 'localhost:8000', origin: 'http://evil.example' },
      { host: 'localhost:8000', origin: 'null' },
      { host: 'localhost:8000', origin: 'http://localhost:9999' },
      { host: 'localhost:8000', 'sec-fetch-site': 'cross-site' },
      { host: 'localhost:8000', 'sec-fetch-site': 'same-site' },
    ];
    for (const path of ['/api/workers/pool/stop', '/api/jobs/queue/clear', '/api/setup/skip']) {
      for (const headers of attacks) {
        const res = await post(path, headers);
        assert.equal(res.statusCode, 403, `${path} ${JSON.stringify(headers)}: ${res.body}`);
        assert.equal(res.json().code, 'cross_site_refused');
        assert.match(res.json().detail, /cross-site/);
      }
    }
    assert.equal(t.ctx.settings.getBoolean('setup_completed'), false, 'setup was not skipped');
  });

  it('cross-site requests are refused even with auth turned off', async () => {
    await t.ctx.settings.update('auth_enabled', 'false');
    try {
      assert.equal((await post('/api/setup/skip', { host: '192.168.1.20:8000', origin: 'http://evil.example' })).statusCode, 403);
      assert.equal((await post('/api/setup/skip', { host: 'localhost:8000', 'sec-fetch-site': 'cross-site' })).statusCode, 403);
      assert.equal((await get('/api/status', { host: '192.168.1.20:8000' })).statusCode, 200, 'auth off: the API is open to the network, as the user chose');
    } finally {
      await t.ctx.settings.update('auth_enabled', 'true');
    }
  });

  it('same-origin requests of the UI and requests without Origin (curl, scripts) keep working', async () => {
    const sameOrigin = await post('/api/jobs/queue/clear', { host: 'localhost:8000', origin: 'http://localhost:8000', 'sec-fetch-site': 'same-origin' });
    assert.equal(sameOrigin.statusCode, 200, sameOrigin.body);
    assert.equal((await post('/api/jobs/queue/clear', { host: '127.0.0.1:8000', origin: 'http://127.0.0.1:8000' })).statusCode, 200);
    assert.equal((await post('/api/jobs/queue/clear', { host: 'localhost:8000' })).statusCode, 200);
    assert.equal((await post('/api/jobs/queue/clear', { host: 'localhost:8000', 'sec-fetch-site': 'none' })).statusCode, 200);
  });

  it('a cross-site request that carries the key is the key holder speaking, and is let through', async () => {
    const res = await post('/api/jobs/queue/clear', { host: 'localhost:8000', origin: 'http://other-tool.lan', 'x-api-key': key });
    assert.equal(res.statusCode, 200, res.body);
  });

  it('trust_proxy: a loopback proxy forwarding another client makes that client remote', async () => {
    const forwarded = { host: 'localhost:8000', 'x-forwarded-for': '10.1.2.3' };
    assert.equal((await get('/api/status', forwarded)).statusCode, 200, 'trust_proxy off: forwarding headers are ignored');
    await t.ctx.settings.update('trust_proxy', 'loopback');
    try {
      assert.equal((await get('/api/status', forwarded)).statusCode, 401, 'the forwarded client is not this machine');
      assert.equal((await get('/api/status', { host: 'localhost:8000', 'x-forwarded-for': '127.0.0.1' })).statusCode, 200);
      const viaHost = await get('/api/status', { host: 'localhost:8000', 'x-forwarded-host': 'subs.example.com', 'x-forwarded-for': '127.0.0.1' });
      assert.equal(viaHost.statusCode, 401, 'the forwarded Host is judged too');
    } finally {
      await t.ctx.settings.update('trust_proxy', '');
    }
  });

  it('turning the exemption off makes loopback requests need the key', async () => {
    await t.ctx.settings.update('auth_exempt_local', 'false');
    try {
      assert.equal((await get('/api/status', { host: 'localhost:8000' })).statusCode, 401);
      assert.equal((await get('/health')).statusCode, 200, '/health stays open');
    } finally {
      await t.ctx.settings.update('auth_exempt_local', 'true');
    }
  });
});
