/**
 * `npm run bench:start`: how long `npm start` takes from the command to a
 * listening server (GET /health answers), on a copy of this checkout in a
 * temporary folder (so the checkout's own dist/ is never touched):
 *
 * - first start: nothing built yet (the server and the web UI are compiled);
 * - restart, rebuilding: `npm run build -- --force` then the server, which is
 *   what every `npm start` did before builds were skipped when current;
 * - restart, nothing changed: `npm start` as it is now;
 * - the server alone: `node bin/transcriptorio.js server`, the floor.
 *
 * Each restart figure is the median of BENCH_RUNS runs (default 3), the
 * three commands taking turns.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './bench-server.js';

const root = resolve(import.meta.dirname, '..');
const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));

/** A copy of what `npm start` reads, with node_modules linked, in a throw-away folder. */
function copyCheckout(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tio-bench-start-'));
  for (const p of ['package.json', 'package-lock.json', 'tsconfig.json', 'bin', 'scripts', 'src', 'assets']) cpSync(join(root, p), join(dir, p), { recursive: true });
  cpSync(join(root, 'web'), join(dir, 'web'), { recursive: true, filter: (src) => !src.startsWith(join(root, 'web', 'dist')) });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

/** Runs `command` in `cwd` until /health answers; returns the seconds it took and what it printed. */
async function timeToListening(cwd: string, command: string): Promise<{ seconds: number; output: string }> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'tio-bench-start-data-'));
  const started = performance.now();
  const child = spawn('sh', ['-c', command], {
    cwd,
    detached: true, // its own process group: npm's children are stopped with it
    env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', LOG_FORMAT: 'json', TRANSCRIPTORIO_FROM_SOURCE: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr.on('data', (b: Buffer) => (output += b.toString()));
  try {
    const deadline = Date.now() + 300_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`\`${command}\` exited with ${child.exitCode}:\n${output}`);
      const ok = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.status > 0, () => false);
      if (ok) return { seconds: (performance.now() - started) / 1000, output };
      if (Date.now() > deadline) throw new Error(`\`${command}\` was not listening after 300 s:\n${output}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    const exited = new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGTERM');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Runs each command once per round, in turns, so a change in the machine's load weighs on all of them alike. */
async function rounds(cwd: string, series: Array<[label: string, command: string]>): Promise<void> {
  const times = series.map(() => [] as number[]);
  const outputs = series.map(() => '');
  for (let i = 0; i < runs; i++) {
    for (const [k, [, command]] of series.entries()) {
      const r = await timeToListening(cwd, command);
      times[k].push(r.seconds);
      outputs[k] = r.output;
    }
  }
  for (const [k, [label]] of series.entries()) {
    // The build's own lines (npm's "> transcriptorio start" header aside) show whether anything was rebuilt.
    const buildLines = outputs[k].split('\n').filter((l) => l.startsWith('transcriptorio: ')).length;
    console.log(`${label.padEnd(36)} ${median(times[k]).toFixed(2).padStart(6)} s  (runs: ${times[k].map((t) => t.toFixed(2)).join(', ')}; build lines printed: ${buildLines})`);
  }
}

const dir = copyCheckout();
try {
  console.log(`npm start to listening, median of ${runs} (a copy of the checkout in ${dir})`);
  const first = await timeToListening(dir, 'npm start');
  console.log(`${'first start (builds everything)'.padEnd(36)} ${first.seconds.toFixed(2).padStart(6)} s`);
  await rounds(dir, [
    ['restart, rebuilding (before)', 'npm run build --silent -- --force && node bin/transcriptorio.js server'],
    ['restart, nothing changed (npm start)', 'npm start'],
    ['server alone (node bin/...)', 'node bin/transcriptorio.js server'],
  ]);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
