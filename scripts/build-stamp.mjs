// Whether a build output is current: `npm start` builds the server and the
// web UI only when their sources changed since the last build, so a restart
// with nothing changed costs a directory walk, not a compile.
//
// A build writes a stamp beside its output: every source file's path, mtime
// and size. The output is stale when the stamp is missing or differs from the
// sources now (a file changed, added or removed), or when a file the build
// produces is missing (a deleted dist/, or one file of it).
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';

const STAMP_VERSION = 1;

/**
 * @typedef {object} BuildTarget
 * @property {string} label          what the messages call it ("the server")
 * @property {string} root           the package root the paths below are relative to
 * @property {string[]} inputs       files and folders whose contents make the output
 * @property {(rel: string) => boolean} skip  paths under `inputs` that do not (tests, the output itself)
 * @property {string} stampFile      where the stamp of the last build is kept (inside the output)
 * @property {(sources: string[]) => string[]} outputs  files the build must have produced, relative to root
 */

function toPosix(p) {
  return sep === '/' ? p : p.split(sep).join('/');
}

function walk(root, rel, skip, out) {
  const abs = join(root, rel);
  const st = statSync(abs, { throwIfNoEntry: false });
  if (!st) return;
  if (st.isDirectory()) {
    for (const name of readdirSync(abs).sort()) {
      if (name === 'node_modules' || name.startsWith('.')) continue;
      const child = toPosix(join(rel, name));
      if (!skip(child)) walk(root, child, skip, out);
    }
  } else if (st.isFile()) {
    out[toPosix(rel)] = `${Math.round(st.mtimeMs)}:${st.size}`;
  }
}

/** Every source file of `target` with its mtime and size: `{ "src/cli.ts": "1733580000000:1234" }`. */
export function sourceStamp(target) {
  const files = {};
  for (const input of target.inputs) walk(target.root, input, target.skip, files);
  return files;
}

function readStamp(target) {
  try {
    const s = JSON.parse(readFileSync(join(target.root, target.stampFile), 'utf8'));
    return s?.version === STAMP_VERSION && s.files && typeof s.files === 'object' ? s.files : null;
  } catch {
    return null;
  }
}

function listFew(paths) {
  const shown = paths.slice(0, 3).join(', ');
  return paths.length > 3 ? `${shown} and ${paths.length - 3} more` : shown;
}

/**
 * Why `target` must be built, or null when its output is current.
 * `stamp` is sourceStamp(target), taken once by the caller so that the build
 * records the sources as they were when it started.
 */
export function staleReason(target, stamp = sourceStamp(target)) {
  const before = readStamp(target);
  if (!before) return 'not built yet';
  const changed = [];
  const added = [];
  for (const [path, sig] of Object.entries(stamp)) {
    if (!(path in before)) added.push(path);
    else if (before[path] !== sig) changed.push(path);
  }
  const removed = Object.keys(before).filter((p) => !(p in stamp));
  const parts = [];
  if (changed.length) parts.push(`${listFew(changed)} changed`);
  if (added.length) parts.push(`${listFew(added)} added`);
  if (removed.length) parts.push(`${listFew(removed)} removed`);
  if (parts.length) return parts.join('; ');
  const missing = target.outputs(Object.keys(stamp)).find((p) => !existsSync(join(target.root, p)));
  return missing ? `${missing} is missing` : null;
}

/** Whether some output file is missing (then an incremental compiler's own cache cannot be trusted either). */
export function outputMissing(target, stamp = sourceStamp(target)) {
  return target.outputs(Object.keys(stamp)).some((p) => !existsSync(join(target.root, p)));
}

/** Records that the output now matches `stamp` (call after a successful build). */
export function writeStamp(target, stamp) {
  const path = join(target.root, target.stampFile);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify({ version: STAMP_VERSION, files: stamp })}\n`);
}

/** The server: src/ compiled by tsc into dist/ (tsconfig.json: tests are not part of it). */
export function serverTarget(root) {
  return {
    label: 'the server',
    root,
    inputs: ['src', 'tsconfig.json', 'package-lock.json'],
    skip: (rel) => rel.endsWith('.test.ts'),
    stampFile: 'dist/.build-stamp.json',
    outputs: (sources) =>
      sources
        .filter((p) => p.startsWith('src/') && p.endsWith('.ts') && !p.endsWith('.d.ts'))
        .map((p) => `dist/${p.slice('src/'.length, -'.ts'.length)}.js`),
  };
}

/** The files an index.html loads from its own folder (/assets/...). */
function pageAssets(indexHtml) {
  const text = readFileSync(indexHtml, 'utf8');
  return [...text.matchAll(/(?:src|href)="\/(assets\/[^"?#]+)"/g)].map((m) => m[1]);
}

/** The web UI: web/ bundled by Vite into web/dist/. */
export function webTarget(root) {
  return {
    label: 'the web UI',
    root,
    inputs: ['web', 'package-lock.json'],
    skip: (rel) => rel === 'web/dist' || rel === 'web/scripts' || rel.endsWith('.test.ts') || rel.endsWith('.test.tsx'),
    stampFile: 'web/dist/.build-stamp.json',
    outputs: () => {
      const index = join(root, 'web', 'dist', 'index.html');
      if (!existsSync(index)) return ['web/dist/index.html'];
      return ['web/dist/index.html', ...pageAssets(index).map((a) => `web/dist/${a}`)];
    },
  };
}

