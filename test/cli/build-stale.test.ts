/**
 * `npm start` builds only what changed (scripts/build.mjs, build-stamp.mjs):
 * nothing changed means no build and no output; a changed, added or removed
 * source, or a deleted output file, means a build. The server side runs the
 * real tsc on a two-file project; the web side is judged on a built-looking
 * web/dist (Vite itself is too slow for a unit-sized test).
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from '../../scripts/build.mjs';
import { serverTarget, sourceStamp, staleReason, webTarget, writeStamp } from '../../scripts/build-stamp.mjs';

const root = mkdtempSync(join(tmpdir(), 'tio-build-'));
after(() => rmSync(root, { recursive: true, force: true }));

function put(rel: string, text: string): void {
  mkdirSync(join(root, rel, '..'), { recursive: true });
  writeFileSync(join(root, rel), text);
}

/** A later mtime than anything written so far, as an editor's save would give. */
function touchLater(rel: string): void {
  const later = new Date(statSync(join(root, rel)).mtimeMs + 5_000);
  utimesSync(join(root, rel), later, later);
}

function runBuild(): { code: number; out: string } {
  let out = '';
  const code = build({ root, which: ['server'], write: (s) => (out += s) });
  return { code, out };
}

put(
  'tsconfig.json',
  JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', types: [], outDir: 'dist', rootDir: 'src', strict: true },
    include: ['src/**/*.ts'],
    exclude: ['src/**/*.test.ts'],
  }),
);
put('src/a.ts', "export const a = 'one';\n");
put('src/b.ts', "import { a } from './a.js';\nexport const b = a + '!';\n");
put('src/a.test.ts', '// not part of the build\n');

describe('the server build is skipped while nothing changed', () => {
  const server = serverTarget(root);

  it('a project never built is stale and gets built', () => {
    assert.equal(staleReason(server), 'not built yet');
    const r = runBuild();
    assert.equal(r.code, 0);
    assert.match(r.out, /building the server \(not built yet\)/);
    assert.match(readFileSync(join(root, 'dist/a.js'), 'utf8'), /'one'/);
    assert.equal(staleReason(server), null);
  });

  it('nothing changed: no build and no output at all', () => {
    const before = statSync(join(root, 'dist/a.js')).mtimeMs;
    const r = runBuild();
    assert.equal(r.code, 0);
    assert.equal(r.out, '');
    assert.equal(statSync(join(root, 'dist/a.js')).mtimeMs, before, 'dist/a.js was not written again');
  });

  it('a changed source file is rebuilt, and the message names it', () => {
    put('src/a.ts', "export const a = 'two';\n");
    touchLater('src/a.ts');
    assert.equal(staleReason(server), 'src/a.ts changed');
    const r = runBuild();
    assert.match(r.out, /building the server \(src\/a\.ts changed\)/);
    assert.match(readFileSync(join(root, 'dist/a.js'), 'utf8'), /'two'/);
    assert.equal(runBuild().out, '');
  });

  it('a file touched with the same size still counts as changed', () => {
    touchLater('src/b.ts');
    assert.equal(staleReason(server), 'src/b.ts changed');
    // What a build records (the decision alone is under test here; tsc ran above).
    writeStamp(server, sourceStamp(server));
    assert.equal(staleReason(server), null);
  });

  it('a deleted output file is rebuilt, although tsc\'s own cache thinks it is current', () => {
    rmSync(join(root, 'dist/b.js'));
    assert.equal(staleReason(server), 'dist/b.js is missing');
    const r = runBuild();
    assert.match(r.out, /dist\/b\.js is missing/);
    assert.match(readFileSync(join(root, 'dist/b.js'), 'utf8'), /'!'/);
  });

  it('an added or removed source counts; a test file does not', () => {
    put('src/a.test.ts', '// edited test\n// longer\n');
    assert.equal(staleReason(server), null);
    put('src/c.ts', 'export const c = 3;\n');
    assert.equal(staleReason(server), 'src/c.ts added');
    writeStamp(server, sourceStamp(server));
    rmSync(join(root, 'src/c.ts'));
    assert.equal(staleReason(server), 'src/c.ts removed');
  });

  it('a deleted dist/ is stale', () => {
    rmSync(join(root, 'dist'), { recursive: true });
    assert.equal(staleReason(server), 'not built yet');
  });

  it('a failed build leaves the output stale, so the next start tries again', () => {
    put('src/a.ts', 'export const a: number = "not a number";\n');
    touchLater('src/a.ts');
    const r = runBuild();
    assert.notEqual(r.code, 0);
    put('src/a.ts', "export const a = 'two';\n");
    assert.notEqual(staleReason(server), null);
  });
});

describe('the web UI is judged on its own sources and output', () => {
  const web = webTarget(root);
  put('web/vite.config.ts', 'export default {};\n');
  put('web/index.html', '<div id="root"></div>\n');
  put('web/src/main.tsx', 'export {};\n');
  put('web/dist/index.html', '<script type="module" src="/assets/index-abc.js"></script><link rel="stylesheet" href="/assets/index-def.css">\n');
  put('web/dist/assets/index-abc.js', '');
  put('web/dist/assets/index-def.css', '');

  it('current after a build; the output folder and the server sources do not count', () => {
    assert.equal(staleReason(web), 'not built yet');
    writeStamp(web, sourceStamp(web));
    assert.equal(staleReason(web), null);
    put('web/dist/assets/extra.js', '');
    put('src/d.ts', 'export {};\n');
    assert.equal(staleReason(web), null);
  });

  it('a changed web source is stale', () => {
    put('web/src/main.tsx', 'export const x = 1;\n');
    touchLater('web/src/main.tsx');
    assert.equal(staleReason(web), 'web/src/main.tsx changed');
    writeStamp(web, sourceStamp(web));
  });

  it('an asset the page loads, once deleted, is stale', () => {
    rmSync(join(root, 'web/dist/assets/index-def.css'));
    assert.equal(staleReason(web), 'web/dist/assets/index-def.css is missing');
  });
});
