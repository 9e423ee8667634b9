import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { ConfigError, loadConfig } from './config.js';

test('defaults: SQLite under ./data, port 8000, info logs', () => {
  const c = loadConfig({}, {});
  assert.equal(c.databaseKind, 'sqlite');
  assert.match(c.databaseUrl, /data\/transcriptorio\.db$/);
  assert.equal(c.port, 8000);
  assert.equal(c.logLevel, 'info');
  assert.ok(Object.isFrozen(c));
});

test('flags win over the environment', () => {
  const c = loadConfig({ port: '9001' }, { PORT: '8001', DATABASE_URL: 'postgres://u@h:5432/db' });
  assert.equal(c.port, 9001);
  assert.equal(c.databaseKind, 'postgres');
});

test('empty variables count as unset', () => {
  const c = loadConfig({}, { LOG_LEVEL: '', DATABASE_URL: '', PORT: '' });
  assert.equal(c.logLevel, 'info');
  assert.equal(c.databaseKind, 'sqlite');
  assert.equal(c.port, 8000);
});

test('bad values fail fast with a message naming the variable', () => {
  assert.throws(() => loadConfig({}, { PORT: 'eighty' }), (e: Error) => e instanceof ConfigError && /PORT/.test(e.message));
  assert.throws(() => loadConfig({}, { LOG_LEVEL: 'loud' }), /LOG_LEVEL/);
  assert.throws(() => loadConfig({}, { DATABASE_URL: 'mysql://x@y/z' }), /DATABASE_URL/);
});

test('node name: TRANSCRIPTORIO_NODE_NAME, else the older TRANSCRIPTORIO_NODE, else the host name; a flag wins', () => {
  assert.equal(loadConfig({}, {}).nodeName, hostname());
  assert.equal(loadConfig({}, { TRANSCRIPTORIO_NODE: 'old-name' }).nodeName, 'old-name');
  assert.equal(loadConfig({}, { TRANSCRIPTORIO_NODE_NAME: ' gpu-box ', TRANSCRIPTORIO_NODE: 'old-name' }).nodeName, 'gpu-box');
  assert.equal(loadConfig({ nodeName: 'from-flag' }, { TRANSCRIPTORIO_NODE_NAME: 'gpu-box' }).nodeName, 'from-flag');
  assert.equal(loadConfig({}, { TRANSCRIPTORIO_NODE_NAME: '   ' }).nodeName, hostname());
});

test('extra handler modules (test-only) are absolute paths, none by default', () => {
  assert.deepEqual(loadConfig({}, {}).extraHandlers, []);
  const c = loadConfig({}, { TRANSCRIPTORIO_EXTRA_HANDLERS: 'a.ts, /x/b.ts,' });
  assert.deepEqual(c.extraHandlers, [resolve('a.ts'), '/x/b.ts']);
  assert.ok(Object.isFrozen(c.extraHandlers));
});

test('tool paths: read from their variables once, each with today\'s default', () => {
  const d = loadConfig({}, {}).tools;
  assert.equal(d.nvidiaSmi, 'nvidia-smi');
  assert.equal(d.ffmpeg, null);
  assert.equal(d.ffprobe, null);
  assert.equal(d.modelBaseUrl, null);
  assert.equal(d.modelPath, null);
  assert.match(d.whisperDir, /vendor[/\\]whisper$/);
  const t = loadConfig({}, {
    NVIDIA_SMI: '/opt/nv/nvidia-smi', FFMPEG_PATH: '/x/ffmpeg', FFPROBE_PATH: '/x/ffprobe', TRANSCRIPTORIO_WHISPER_DIR: '/w',
    TRANSCRIPTORIO_MODEL_BASE_URL: 'http://mirror.lan/m', TRANSCRIPTORIO_MODEL_PATH: '/models',
  }).tools;
  assert.deepEqual({ ...t }, { nvidiaSmi: '/opt/nv/nvidia-smi', ffmpeg: '/x/ffmpeg', ffprobe: '/x/ffprobe', whisperDir: '/w', modelBaseUrl: 'http://mirror.lan/m', modelPath: '/models' });
  assert.ok(Object.isFrozen(t));
  assert.equal(loadConfig({}, { NVIDIA_SMI: '' }).tools.nvidiaSmi, 'nvidia-smi');
});
