/** Every command module under src/cli/ is registered: a renamed or broken file fails here instead of vanishing from the CLI. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');

test('transcriptorio --help lists a command for every src/cli/*.command.ts', () => {
  const names = readdirSync(join(ROOT, 'src', 'cli')).filter((f) => f.endsWith('.command.ts')).map((f) => f.replace('.command.ts', '')).sort();
  assert.deepEqual(names, ['db', 'models', 'scan', 'server', 'sync', 'transcribe', 'worker']);
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'transcriptorio.js'), '--help'], { encoding: 'utf8', env: { ...process.env, TRANSCRIPTORIO_FROM_SOURCE: '1' } });
  assert.equal(r.status, 0, r.stderr);
  const listed = [...r.stdout.split('Commands:')[1].matchAll(/^ {2}(\w+)/gm)].map((m) => m[1]);
  for (const n of names) assert.ok(listed.includes(n), `${n} is listed: ${listed.join(', ')}`);
});
