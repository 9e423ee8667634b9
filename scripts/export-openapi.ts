// Writes the server's OpenAPI document (from the route schemas) to a file;
// the web UI generates its API types from it. Usage: npm run openapi [-- out.json]
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { createContext, closeContext } from '../src/server/context.js';
import { buildApp } from '../src/server/app.js';
import { createLogger } from '../src/logger.js';

const out = process.argv[2] ?? 'web/src/api/openapi.json';
const dir = mkdtempSync(join(tmpdir(), 'tio-openapi-'));
const config = loadConfig({ dataDir: dir, databaseUrl: `sqlite:${join(dir, 'db.sqlite')}`, logLevel: 'silent' }, {});
const ctx = await createContext(config, { log: createLogger('silent') });
const app = await buildApp(ctx, { webDir: '/nonexistent' });
await app.ready();
writeFileSync(out, JSON.stringify(app.swagger(), null, 2) + '\n');
await app.close();
await closeContext(ctx);
rmSync(dir, { recursive: true, force: true });
console.log(`OpenAPI document written to ${out}`);
