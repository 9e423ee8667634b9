// Generates web/src/api/schema.d.ts from web/src/api/openapi.json.
//
// openapi-typescript needs the TypeScript 5 compiler API, which the
// project's TypeScript 7 (the native compiler) no longer ships, and the two
// cannot share one node_modules (same package name, same `tsc` binary). So
// this runs openapi-typescript through npx, with TypeScript 5 beside it, in a
// temporary directory outside the project. Only needed when the API changes;
// the generated file is committed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const input = resolve(root, process.argv[2] ?? 'web/src/api/openapi.json');
const output = resolve(root, process.argv[3] ?? 'web/src/api/schema.d.ts');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const otsVersion = (pkg.devDependencies?.['openapi-typescript'] ?? '7').replace(/^[\^~]/, '');

const cwd = mkdtempSync(join(tmpdir(), 'tio-types-'));
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const r = spawnSync(
  npx,
  ['--yes', '-p', 'typescript@5.9', '-p', `openapi-typescript@${otsVersion}`, 'openapi-typescript', input, '-o', output],
  { cwd, stdio: 'inherit' },
);
rmSync(cwd, { recursive: true, force: true });
process.exit(r.status ?? 1);
