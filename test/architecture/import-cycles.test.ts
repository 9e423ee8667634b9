/**
 * No import cycles in src/: every module can be loaded (and understood) on
 * its own, and dependencies point one way (routes -> services ->
 * repositories -> db). Type-only imports count too: a service that needs the
 * context holding it is a cycle of design even when it erases at run time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import madge from 'madge';

const ROOT = join(import.meta.dirname, '..', '..');

test('src/ has no import cycles (madge)', { timeout: 120_000 }, async () => {
  const graph = await madge(join(ROOT, 'src'), {
    baseDir: ROOT,
    tsConfig: join(ROOT, 'tsconfig.json'),
    fileExtensions: ['ts'],
  });
  const modules = Object.keys(graph.obj());
  assert.ok(modules.length > 50, `madge found only ${modules.length} modules under src/: is the TypeScript parser installed?`);
  const cycles = graph.circular();
  assert.deepEqual(cycles, [], `import cycles in src/:\n${cycles.map((c) => `  ${[...c, c[0]].join(' -> ')}`).join('\n')}`);
});
