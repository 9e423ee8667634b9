#!/usr/bin/env node
// Builds whisper.cpp (whisper-cli, whisper-server, whisper-vad-speech-segments)
// from the source tree that the `nodejs-whisper` package ships, with the CPU
// features of this machine, into vendor/whisper/<variant>/. The prebuilt Node
// bindings are up to 10x slower on CPU (docs: src/transcription/README.md), so
// the product compiles its own engine at install time.
//
//   node scripts/build-whisper.mjs            CPU build, plus CUDA when nvcc and a GPU exist
//   node scripts/build-whisper.mjs --cpu      CPU only
//   node scripts/build-whisper.mjs --cuda     CUDA only (same as TRANSCRIPTORIO_CUDA=1)
//   node scripts/build-whisper.mjs --force    rebuild even when up to date
//
// Exit code 0 when built or already up to date, 1 when something is missing.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const vendorDir = process.env.TRANSCRIPTORIO_WHISPER_DIR ?? join(root, 'vendor', 'whisper');
const TARGETS = ['whisper-cli', 'whisper-server', 'whisper-vad-speech-segments'];

function log(msg) {
  process.stderr.write(`[whisper.cpp] ${msg}\n`);
}

function has(cmd, args = ['--version']) {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return r.status === 0;
}

export function findSource() {
  const candidates = [
    process.env.TRANSCRIPTORIO_WHISPER_SRC,
    join(root, 'node_modules', 'nodejs-whisper', 'cpp', 'whisper.cpp'),
  ].filter(Boolean);
  return candidates.find((p) => existsSync(join(p, 'CMakeLists.txt'))) ?? null;
}

function sourceVersion(src) {
  const text = readFileSync(join(src, 'CMakeLists.txt'), 'utf8');
  return /project\("whisper\.cpp" VERSION ([\d.]+)\)/.exec(text)?.[1] ?? 'unknown';
}

/** A GPU is usable for a CUDA build only when the toolkit and a device are both there. */
export function cudaWanted() {
  if (process.env.TRANSCRIPTORIO_CUDA === '1') return true;
  if (process.env.TRANSCRIPTORIO_CUDA === '0') return false;
  if (!has('nvcc')) return false;
  const smi = spawnSync('nvidia-smi', ['-L'], { encoding: 'utf8' });
  return smi.status === 0 && /GPU \d+:/.test(smi.stdout ?? '');
}

function variantFlags(variant) {
  const common = [
    '-DCMAKE_BUILD_TYPE=Release',
    '-DBUILD_SHARED_LIBS=OFF', // self-contained binaries: no LD_LIBRARY_PATH games at run time
    '-DWHISPER_BUILD_TESTS=OFF',
    '-DWHISPER_BUILD_EXAMPLES=ON',
    '-DWHISPER_BUILD_SERVER=ON',
    '-DWHISPER_SDL2=OFF',
    '-DWHISPER_CURL=OFF',
    '-DGGML_NATIVE=ON', // the speed: AVX2/AVX-512/FMA as this CPU has them
  ];
  if (variant === 'cuda') return [...common, '-DGGML_CUDA=ON'];
  return [...common, '-DGGML_CUDA=OFF', '-DGGML_VULKAN=OFF'];
}

function stampFor(src, variant) {
  const flags = variantFlags(variant);
  const key = JSON.stringify({ version: sourceVersion(src), flags, src, targets: TARGETS });
  return createHash('sha1').update(key).digest('hex');
}

/** Returns null when the variant is built and current, else the reason it is not. */
export function buildState(variant, src = findSource()) {
  if (!src) return 'whisper.cpp source not found (is nodejs-whisper installed?)';
  const dir = join(vendorDir, variant);
  const stampPath = join(dir, 'build.stamp');
  if (!existsSync(stampPath)) return 'not built';
  if (readFileSync(stampPath, 'utf8').trim() !== stampFor(src, variant)) return 'built from another version or flags';
  for (const t of TARGETS) if (!existsSync(join(dir, 'bin', t))) return `${t} missing`;
  return null;
}

function run(cmd, args) {
  log(`$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} exited with status ${r.status}`);
}

export function buildVariant(variant, { force = false } = {}) {
  const src = findSource();
  if (!src) throw new Error('whisper.cpp source not found: run `npm install` so node_modules/nodejs-whisper exists');
  const state = buildState(variant, src);
  if (!force && state === null) {
    log(`${variant} build is up to date (${join(vendorDir, variant)})`);
    return;
  }
  const missing = [];
  if (!has('cmake')) missing.push('cmake');
  if (!has('c++') && !has('g++') && !has('clang++')) missing.push('a C++ compiler (g++ or clang++)');
  if (variant === 'cuda' && !has('nvcc')) missing.push('nvcc (CUDA toolkit)');
  if (missing.length) throw new Error(`cannot build whisper.cpp: missing ${missing.join(', ')}`);

  const dir = join(vendorDir, variant);
  const buildDir = join(dir, 'build');
  mkdirSync(dir, { recursive: true });
  const jobs = String(Math.max(1, availableParallelism()));
  const started = Date.now();
  log(`building the ${variant} engine from whisper.cpp ${sourceVersion(src)} with ${jobs} jobs (a few minutes${variant === 'cuda' ? ', much longer for CUDA' : ''})...`);
  run('cmake', ['-S', src, '-B', buildDir, ...variantFlags(variant)]);
  run('cmake', ['--build', buildDir, '--config', 'Release', '-j', jobs, '--target', ...TARGETS]);
  mkdirSync(join(dir, 'bin'), { recursive: true });
  for (const t of TARGETS) {
    const out = join(buildDir, 'bin', t);
    if (!existsSync(out)) throw new Error(`build finished but ${out} is missing`);
    copyFileSync(out, join(dir, 'bin', t));
    chmodSync(join(dir, 'bin', t), 0o755);
  }
  writeFileSync(join(dir, 'build.stamp'), `${stampFor(src, variant)}\n`);
  writeFileSync(join(dir, 'build.json'), JSON.stringify({ variant, version: sourceVersion(src), flags: variantFlags(variant), builtAt: new Date().toISOString() }, null, 2));
  // The object files are ~100 MB and only useful for an incremental rebuild.
  if (process.env.TRANSCRIPTORIO_KEEP_BUILD !== '1') rmSync(buildDir, { recursive: true, force: true });
  log(`${variant} engine built in ${Math.round((Date.now() - started) / 1000)} s -> ${join(dir, 'bin')}`);
}

function main() {
  const argv = process.argv.slice(2);
  const force = argv.includes('--force');
  let variants;
  if (argv.includes('--cuda')) variants = ['cuda'];
  else if (argv.includes('--cpu')) variants = ['cpu'];
  else variants = cudaWanted() ? ['cpu', 'cuda'] : ['cpu'];
  if (process.env.TRANSCRIPTORIO_SKIP_WHISPER_BUILD === '1') {
    log('TRANSCRIPTORIO_SKIP_WHISPER_BUILD=1: not building');
    return 0;
  }
  let failed = false;
  for (const v of variants) {
    try {
      buildVariant(v, { force });
    } catch (err) {
      failed = true;
      log(`ERROR: ${err.message}`);
    }
  }
  return failed ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exit(main());
}
