/**
 * Every setting does something: each defined key is read somewhere in src/
 * outside the definitions (by its literal name, or by a template such as
 * `preset_${preset}_model` that builds it). A setting nobody reads promises
 * behaviour the product does not have; remove it with a migration instead.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { definitionByKey, settingDefinitions } from './index.js';
import { normalizeValue } from '../settings.values.js';
import type { SettingDefinition } from '../settings.types.js';

const SRC = join(import.meta.dirname, '..', '..');

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (p.endsWith('.ts') && !p.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

test('every defined setting is read outside its definition', () => {
  const defsDir = join(SRC, 'settings', 'definitions');
  const code = sources(SRC).filter((f) => !f.startsWith(defsDir)).map((f) => readFileSync(f, 'utf8')).join('\n');
  const literal = (key: string) => new RegExp(`['"\`]${key}['"\`]`).test(code);
  // Keys built from a template literal: `preset_${p}_model` matches preset_fast_model and friends.
  const templates = [...code.matchAll(/`([a-z_]*)\$\{[^}`]+\}([a-z_]*)`/g)]
    .filter((m) => m[1] || m[2])
    .map((m) => new RegExp(`^${m[1]}[a-z0-9]+${m[2]}$`));
  const unread = settingDefinitions.map((d) => d.key).filter((k) => !literal(k) && !templates.some((t) => t.test(k)));
  assert.deepEqual(unread, [], `settings defined but never read (in ${relative(process.cwd(), defsDir)}): ${unread.join(', ')}`);
});

test('no key is defined twice', () => {
  const keys = settingDefinitions.map((d) => d.key);
  assert.deepEqual(keys.filter((k, i) => keys.indexOf(k) !== i), []);
});

test('every default, and every fail-closed value, passes its own definition', () => {
  const bad: string[] = [];
  for (const d of settingDefinitions as readonly SettingDefinition[]) {
    for (const [what, v] of [['default', d.default], ['failClosed', d.failClosed]] as const) {
      if (v === undefined) continue;
      try {
        if (normalizeValue(d, v) !== v) bad.push(`${d.key} ${what} "${v}" is not in its normalized form`);
      } catch (e) {
        bad.push(`${d.key} ${what}: ${(e as Error).message}`);
      }
    }
  }
  assert.deepEqual(bad, []);
});

test('every number setting has bounds (an unbounded one can break every job, e.g. whisper_threads=1e9)', () => {
  const unbounded = (settingDefinitions as readonly SettingDefinition[])
    .filter((d) => (d.value_type === 'integer' || d.value_type === 'float') && (d.min === undefined || d.max === undefined))
    .map((d) => d.key);
  assert.deepEqual(unbounded, []);
});

test('the security settings fail closed: a broken stored value gives their safest value', () => {
  // The settings whose weakening opens access. Adding one here is a decision:
  // give it a failClosed value in its definition.
  const safest = Object.fromEntries((settingDefinitions as readonly SettingDefinition[]).filter((d) => d.failClosed !== undefined).map((d) => [d.key, d.failClosed]));
  assert.deepEqual(safest, {
    library_paths: '',
    auth_enabled: 'true',
    auth_exempt_local: 'false',
    allowed_hosts: '',
    trust_proxy: '',
    browse_roots: definitionByKey.get('browse_roots')!.default,
    allowed_media_roots: '',
    bazarr_provider_enabled: 'false',
  });
});
