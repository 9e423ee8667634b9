/**
 * A loopback connection whose Host header is not exactly a host and port
 * (userinfo, a path, a non-numeric port) does not name this machine, so the
 * local exemption does not apply: the key is needed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../helpers/app.js';

describe('local exemption with a malformed Host header', () => {
  let t: TestApp;
  let key: string;
  const get = (url: string, headers: Record<string, string>) => t.app.inject({ url, headers });

  before(async () => {
    t = await createTestApp();
    key = t.ctx.settings.getString('api_key');
    assert.equal(t.ctx.settings.getBoolean('auth_enabled'), true);
    assert.equal(t.ctx.settings.getBoolean('auth_exempt_local'), true);
  });
  after(async () => t.close());

  it('Host localhost:80@evil.com on a loopback connection gets 401 on /api/settings', async () => {
    const res = await get('/api/settings', { host: 'localhost:80@evil.com' });
    assert.equal(res.statusCode, 401, res.body);
    assert.equal(res.json().code, 'unauthorized');
    assert.ok(!res.body.includes(key), 'the key leaked');
    assert.equal((await get('/api/settings', { host: 'localhost:80@evil.com', 'x-api-key': key })).statusCode, 200, 'with the key it is let through');
    assert.equal((await get('/api/settings', { host: 'localhost:80' })).statusCode, 200, 'a plain localhost:80 is still exempt');
  });

  it('other malformed Host headers need the key too', async () => {
    for (const host of ['localhost:abc', 'localhost/x', 'user@localhost', 'localhost:8000/api']) {
      assert.equal((await get('/api/settings', { host })).statusCode, 401, host);
    }
  });
});
