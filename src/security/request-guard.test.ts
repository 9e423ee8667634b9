/** The Host header is read strictly: only a host and an optional port can name this machine. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hostName, isLocalHostName } from './request-guard.js';

const local = (host: string, allowed: string[] = []) => isLocalHostName(hostName(host), allowed);

describe('hostName / isLocalHostName', () => {
  it('reads a host and an optional port of digits', () => {
    assert.equal(hostName('localhost'), 'localhost');
    assert.equal(hostName('localhost:8000'), 'localhost');
    assert.equal(hostName('127.0.0.1:8000'), '127.0.0.1');
    assert.equal(hostName('[::1]:8000'), '::1');
    assert.equal(hostName('[::1]'), '::1');
    assert.equal(hostName('LOCALHOST'), 'localhost');
    assert.equal(hostName('evil.com'), 'evil.com');
  });

  it('loopback names and addresses are local, with or without a port', () => {
    for (const host of ['localhost', 'localhost:8000', '127.0.0.1:8000', '[::1]:8000', 'LOCALHOST', 'app.localhost:80']) {
      assert.equal(local(host), true, host);
    }
  });

  it('a header that is not exactly a host and port is no host, so never local', () => {
    for (const host of [
      'localhost:80@evil.com',
      'localhost@evil.com',
      'user:pass@localhost',
      'localhost:abc',
      'localhost:80abc',
      'localhost:99999',
      'localhost/x',
      'localhost:8000/x',
      'localhost?x',
      'localhost#x',
      'local host',
      ' localhost',
      'localhost ',
      'localhost:',
      '',
      ':8000',
      '[::1',
      '[::1]x',
      '[localhost]',
      '[127.0.0.1]',
      'localhost:8000:8000',
    ]) {
      assert.equal(hostName(host), null, JSON.stringify(host));
      assert.equal(local(host), false, JSON.stringify(host));
      assert.equal(local(host, ['localhost', 'evil.com']), false, `${JSON.stringify(host)} with allowed_hosts`);
    }
  });

  it('another host is not local unless allowed_hosts names it', () => {
    assert.equal(local('evil.com'), false);
    assert.equal(local('localhost.evil.com'), false);
    assert.equal(local('192.168.1.20:8000'), false);
    assert.equal(local('evil.com:8000', ['Evil.com']), true);
  });
});
