import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { isDeadLocalOwner, isProcessAlive } from './scan-lease.js';

test('a lease owner is dead only when it names this host and a process that is gone', async () => {
  const exited = spawnSync(process.execPath, ['-e', '']);
  const deadPid = exited.pid!;
  assert.equal(isProcessAlive(deadPid), false);
  assert.equal(isDeadLocalOwner(`${hostname()}:${deadPid}:ab12`), true);
  const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
  try {
    assert.equal(isDeadLocalOwner(`${hostname()}:${live.pid}:ab12`), false);
  } finally {
    live.kill('SIGKILL');
  }
  assert.equal(isDeadLocalOwner(`${hostname()}:${process.pid}:ab12`), false, 'this process is alive');
  assert.equal(isDeadLocalOwner(`another-host:${deadPid}:ab12`), false, 'another machine cannot be asked');
  assert.equal(isDeadLocalOwner(`${hostname()}:notapid:ab12`), false);
  assert.equal(isDeadLocalOwner(undefined), false);
});
