// Runs every *.test.ts under src/ and test/ with node's test runner (tsx loads
// TypeScript). Extra arguments narrow the run: `npm test -- test/api`.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const roots = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const flags = process.argv.slice(2).filter((a) => a.startsWith('--'));
const start = roots.length ? roots : ['src', 'test'];

function walk(path, out) {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return out;
  if (st.isFile()) {
    if (path.endsWith('.test.ts')) out.push(path);
    return out;
  }
  for (const name of readdirSync(path)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    walk(join(path, name), out);
  }
  return out;
}

const files = start.flatMap((p) => walk(p, [])).map((f) => relative('.', f)).sort();
if (files.length === 0) {
  console.error('no test files found under', start.join(', '));
  process.exit(1);
}
const args = [
  '--import', 'tsx',
  '--test',
  `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`,
  '--test-reporter=spec',
  ...flags,
  ...files,
];
const res = spawnSync(process.execPath, args, { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } });
process.exit(res.status ?? 1);
