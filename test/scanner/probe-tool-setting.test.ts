/**
 * scanner_probe_tool: `auto` reads new files in this process (no ffprobe
 * process for a plain MKV), `ffprobe` hands every new file to ffprobe; a scan
 * through the API on real media shows which ran.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { expectStatus } from '../api/api-helpers.js';
import { ffprobeRunCount, probeCount } from '../../src/scanner/ffprobe.js';
import { mux, speech } from './media.js';

let t: TestApp;
let root: string;
before(async () => {
  root = mkdtempSync(join(tmpdir(), 'tio-probe-tool-'));
  const wav = speech(join(root, 'voice.wav'), 'en', 'one two three');
  for (const name of ['a', 'b']) {
    mkdirSync(join(root, name));
    mux(join(root, name, `${name}.mkv`), { audio: [{ wav, language: 'eng' }] });
  }
  t = await createTestApp('sqlite');
});
after(async () => {
  await t?.close();
  rmSync(root, { recursive: true, force: true });
});

async function scanFolder(folder: string): Promise<{ probes: number; ffprobes: number }> {
  const probes = probeCount();
  const ffprobes = ffprobeRunCount();
  await t.ctx.settings.bulkUpdate({ library_paths: join(root, folder) });
  expectStatus(await t.app.inject({ method: 'POST', url: '/api/scanner/scan', payload: { dry_run: true } }), 200);
  return { probes: probeCount() - probes, ffprobes: ffprobeRunCount() - ffprobes };
}

test('auto reads a plain MKV in process; ffprobe runs ffprobe for every new file', async () => {
  const auto = await scanFolder('a');
  assert.equal(auto.probes, 1);
  assert.equal(auto.ffprobes, 0, 'no ffprobe process for a file MediaInfo reads');
  await t.ctx.settings.bulkUpdate({ scanner_probe_tool: 'ffprobe' });
  const forced = await scanFolder('b');
  assert.equal(forced.probes, 1);
  assert.equal(forced.ffprobes, 1, 'the setting sends the new file to ffprobe');
});
