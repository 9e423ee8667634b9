// `npm run build` (and every `npm start`): compiles the server (src/ ->
// dist/) and the web UI (web/ -> web/dist/), each only when its sources
// changed since its last build (scripts/build-stamp.mjs). With nothing
// changed it prints nothing and takes a few milliseconds, so a restart is as
// quick as starting the server directly.
//
//   node scripts/build.mjs            build what is stale
//   node scripts/build.mjs --force    build both whatever the stamps say
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { outputMissing, serverTarget, sourceStamp, staleReason, webTarget, writeStamp } from './build-stamp.mjs';

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The commands that build each target (run in the target's root), with this package's compilers. */
function commands() {
  return {
    server: [process.execPath, [join(packageRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json', '--incremental', '--tsBuildInfoFile', 'dist/.tsbuildinfo']],
    // Warnings and errors only: the list of chunks Vite prints says nothing a person starting the server needs.
    web: [process.execPath, [join(packageRoot, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn']],
  };
}

/**
 * Builds the stale targets of `root`; returns the exit code. `write` gets
 * every line printed (stdout), `which` limits the targets (tests).
 */
export function build({ root = packageRoot, force = false, which = ['server', 'web'], write = (s) => process.stdout.write(s) } = {}) {
  const cmds = commands();
  const targets = { server: serverTarget(root), web: webTarget(root) };
  for (const name of which) {
    const target = targets[name];
    if (name === 'web' && !existsSync(join(root, 'web', 'vite.config.ts'))) continue;
    const stamp = sourceStamp(target);
    const reason = force ? 'rebuild asked for' : staleReason(target, stamp);
    if (reason === null) continue;
    // tsc's incremental cache does not notice a deleted output file: start it afresh then.
    if (name === 'server' && outputMissing(target, stamp)) rmSync(join(root, 'dist', '.tsbuildinfo'), { force: true });
    // A build that fails half-way must not look current next time.
    rmSync(join(root, target.stampFile), { force: true });
    write(`transcriptorio: building ${target.label} (${reason})...\n`);
    const started = Date.now();
    const [cmd, args] = cmds[name];
    const res = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
    if (res.status !== 0) {
      process.stderr.write(`transcriptorio: building ${target.label} failed (exit ${res.status ?? res.signal}); the messages above say why\n`);
      return res.status || 1;
    }
    writeStamp(target, stamp);
    write(`transcriptorio: ${target.label} built in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exit(build({ force: process.argv.includes('--force') }));
}
