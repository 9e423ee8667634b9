/**
 * The start banner names the model folder as an absolute path: DATA_DIR/models
 * by default, and the old ./models (with where to read how to move it) for an
 * install whose models are still there.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/transcriptorio.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'tio-banner-models-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Starts the server in `cwd` with DATA_DIR `dataDir` until the banner is out; returns what it printed. */
async function banner(cwd: string, dataDir: string): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['DATABASE_URL', 'PORT', 'HOST', 'LOG_LEVEL', 'TRANSCRIPTORIO_MODEL_PATH']) delete env[k];
  const proc = spawn(process.execPath, [BIN, 'server', '--port', '0', '--host', '127.0.0.1'], {
    cwd,
    env: { ...env, DATA_DIR: dataDir, LOG_FORMAT: 'pretty', TRANSCRIPTORIO_FROM_SOURCE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const deadline = Date.now() + 90_000;
  while (!/Logs\s/.test(out) && proc.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const exited = new Promise((r) => (proc.exitCode !== null ? r(null) : proc.once('exit', r)));
  proc.kill('SIGTERM');
  await exited;
  return out;
}

describe('the start banner names the model folder', () => {
  it('DATA_DIR/models on a new install; the old ./models, with a pointer to the health note, while it holds the models', async () => {
    const install = join(root, 'install');
    const data = join(install, 'data');
    mkdirSync(data, { recursive: true });
    const fresh = await banner(install, data);
    assert.match(fresh, new RegExp(`Models\\s+${join(data, 'models').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n`), fresh);

    mkdirSync(join(install, 'models'));
    writeFileSync(join(install, 'models', 'ggml-small.bin'), 'ggml');
    const legacy = await banner(install, data);
    assert.ok(legacy.includes(`Models    ${join(install, 'models')}  (the old folder: System → Health says how to move it)`), legacy);
  });
});
