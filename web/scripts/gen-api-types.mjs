// Generates web/src/api/schema.d.ts from web/src/api/openapi.json (written by
// `npm run openapi`). Only needed when the API changes; both files are
// committed so building the UI needs no running server.
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const input = resolve(root, process.argv[2] ?? 'web/src/api/openapi.json');
const output = resolve(root, process.argv[3] ?? 'web/src/api/schema.d.ts');
const cli = resolve(root, 'node_modules', 'openapi-typescript', 'bin', 'cli.js');
const r = spawnSync(process.execPath, [cli, input, '-o', output], { stdio: 'inherit' });
process.exit(r.status ?? 1);
