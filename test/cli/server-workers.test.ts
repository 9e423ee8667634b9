/** `server --workers N` starts N CPU transcription workers with the server, whatever worker_cpu_count says. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/transcriptorio.js', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

const env = (dataDir: string) => {
  const base: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn', TRANSCRIPTORIO_FROM_SOURCE: '1' };
  delete base.DATABASE_URL;
  delete base.PORT;
  return base;
};

test('server --workers 2 starts two CPU workers although worker_cpu_count is 0', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tio-srv-workers-'));
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, 'server', '--host', '127.0.0.1', '--port', String(port), '--workers', '2'], { env: env(dataDir), stdio: 'ignore' });
  t.after(async () => {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  });
  const deadline = Date.now() + 60_000;
  let workers: Array<{ worker_type: string; status: string; pid: number }> = [];
  while (Date.now() < deadline) {
    try {
      workers = (await (await fetch(`http://127.0.0.1:${port}/api/workers`)).json()) as typeof workers;
      // A worker being forked is listed as idle before it has a pid (the contract has no 'starting'): wait for both processes.
      if (workers.length === 2 && workers.every((w) => w.status === 'idle' && w.pid > 0)) break;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.equal(workers.length, 2);
  assert.ok(workers.every((w) => w.worker_type === 'cpu' && w.status === 'idle' && w.pid > 0));
  const setting = (await (await fetch(`http://127.0.0.1:${port}/api/settings/worker_cpu_count`)).json()) as { value: string };
  assert.equal(setting.value, '0', 'the flag does not rewrite the setting');
});

test('server --workers with a bad value fails fast with a message', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tio-srv-workers-'));
  const r = spawnSync(process.execPath, [BIN, 'server', '--workers', 'many'], { env: env(dataDir), encoding: 'utf8', timeout: 60_000 });
  rmSync(dataDir, { recursive: true, force: true });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--workers must be an integer/);
});
