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
//   node scripts/build-whisper.mjs --vulkan   Vulkan only (Intel/AMD GPUs; needs glslc, libvulkan-dev,
//                                             spirv-headers; ~30 min the first time, cached, see whisper-vulkan.mjs)
//   node scripts/build-whisper.mjs --vulkan --if-cached   only when its build cache exists (CI)
//   node scripts/build-whisper.mjs --force    rebuild even when up to date
//
// It prints a few lines (configuring, compiling N/M, linked, the time) and
// keeps what cmake and the compiler say, warnings included, in
// vendor/whisper/build-<variant>.log; a failed build shows the log's end and
// its path.
//
// Exit code 0 when built or already up to date, 1 when something is missing
// or the build failed.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, closeSync, copyFileSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VULKAN_PROBE, prepareVulkanSource, pruneVulkanCaches, vulkanCacheKey, vulkanCacheRoot, vulkanMissing, vulkanProbeArgs, vulkanShaderCount } from './whisper-vulkan.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const vendorDir = process.env.TRANSCRIPTORIO_WHISPER_DIR ?? join(root, 'vendor', 'whisper');
const TARGETS = ['whisper-cli', 'whisper-server', 'whisper-vad-speech-segments'];

/** What a variant puts in its bin/: the targets, and for Vulkan its device probe. */
function outputsOf(variant) {
  return variant === 'vulkan' ? [...TARGETS, VULKAN_PROBE] : TARGETS;
}

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
    // The speed: AVX2/AVX-512/FMA as this CPU has them. TRANSCRIPTORIO_WHISPER_NATIVE=0 builds for any
    // x86-64 CPU with AVX2 and CUDA kernels for every recent GPU, for a container image other machines run.
    process.env.TRANSCRIPTORIO_WHISPER_NATIVE === '0' ? '-DGGML_NATIVE=OFF' : '-DGGML_NATIVE=ON',
  ];
  if (variant === 'cuda') return [...common, '-DGGML_CUDA=ON'];
  if (variant === 'vulkan') return [...common, '-DGGML_CUDA=OFF', '-DGGML_VULKAN=ON'];
  return [...common, '-DGGML_CUDA=OFF', '-DGGML_VULKAN=OFF'];
}

function stampFor(src, variant) {
  const flags = variantFlags(variant);
  // The Vulkan key already names the version and hashes the tree, patch and flags.
  if (variant === 'vulkan') return vulkanCacheKey(src, sourceVersion(src), flags);
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
  for (const t of outputsOf(variant)) if (!existsSync(join(dir, 'bin', t))) return `${t} missing`;
  return null;
}

/** Where a variant's build writes everything cmake and the compiler print (kept: the warnings are there). */
export function buildLogPath(variant) {
  return join(vendorDir, `build-${variant}.log`);
}

/**
 * Runs `cmd` with its output going to the log file `fd` only; `onLine` sees
 * each line of its stdout (progress). Rejects with the exit status on failure.
 */
function runLogged(fd, cmd, args, onLine = () => {}) {
  writeSync(fd, `$ ${cmd} ${args.join(' ')}\n`);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let rest = '';
    child.stdout.on('data', (b) => {
      writeSync(fd, b);
      const lines = (rest + b.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const l of lines) onLine(l);
    });
    child.stderr.on('data', (b) => writeSync(fd, b));
    child.on('error', (err) => reject(new Error(`${cmd}: ${err.message}`)));
    child.on('close', (code, signal) => {
      if (rest) onLine(rest);
      if (code === 0) resolvePromise();
      else reject(new Error(`${cmd === 'cmake' ? `cmake ${args[0] === '--build' ? '--build' : '(configure)'}` : cmd} exited with ${code ?? signal}`));
    });
  });
}

/**
 * How many object files a fresh build of `targets` compiles, from make's dry
 * run of each target (0 when it cannot tell: then progress is a plain count).
 * A dry run stops where a library it would have made is missing, with the
 * objects before it listed, so it fails and still counts; the union over the
 * targets is the whole build.
 */
function objectCount(buildDir, targets) {
  const objects = new Set();
  for (const t of targets) {
    const r = spawnSync('cmake', ['--build', buildDir, '--target', t, '--', '-n'], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
    for (const line of (r.stdout ?? '').split('\n')) {
      const out = / -o (\S+\.o)(?:\s|$)/.exec(line);
      if (out && / -c /.test(line)) objects.add(`${/^cd (\S+) &&/.exec(line)?.[1] ?? ''}:${out[1]}`);
    }
  }
  return objects.size;
}

/**
 * A few lines about the build instead of the compiler's hundreds: on a
 * terminal one line that counts up in place, elsewhere a line every quarter.
 */
function progressReporter() {
  const tty = process.stderr.isTTY;
  let shownQuarter = -1;
  let shownStep = 'compiling';
  let open = false;
  return {
    /** `step`: what is counted (the Vulkan build first generates its shaders' code, then compiles). */
    compiled(n, total, step = 'compiling') {
      if (step !== shownStep) {
        shownStep = step;
        shownQuarter = -1;
      }
      const text = total ? `${step} ${Math.min(n, total)}/${total}` : `${step} ${n}`;
      if (tty) {
        process.stderr.write(`\r\x1b[K[whisper.cpp] ${text}`);
        open = true;
        return;
      }
      const quarter = total ? Math.floor((4 * Math.min(n, total)) / total) : Math.floor(n / 10);
      if (quarter > shownQuarter) {
        shownQuarter = quarter;
        log(text);
      }
    },
    done() {
      if (open) process.stderr.write('\n');
      open = false;
    },
  };
}

/** The end of the log, for a failure message. */
function logTail(path, lines = 25) {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).map((l) => `    ${l}`).join('\n');
  } catch {
    return '    (the log could not be read)';
  }
}

/**
 * Parallel compile jobs: one per core (TRANSCRIPTORIO_BUILD_JOBS overrides);
 * for Vulkan also at most one per 6 GiB of memory, since one generated shader
 * file takes over 5 GB to compile.
 */
function buildJobs(variant) {
  const asked = Number.parseInt(process.env.TRANSCRIPTORIO_BUILD_JOBS ?? '', 10);
  let jobs = Number.isInteger(asked) && asked > 0 ? asked : availableParallelism();
  if (variant === 'vulkan') jobs = Math.min(jobs, Math.floor(totalmem() / (6 * 2 ** 30)));
  return Math.max(1, jobs);
}

/** Whether the Vulkan build's cache for the current source and flags holds a finished build. */
function vulkanCached() {
  const src = findSource();
  return !!src && existsSync(join(vulkanCacheRoot(), stampFor(src, 'vulkan'), 'build', 'bin', 'whisper-server'));
}

/** The C++ compiler for the Vulkan device probe (cmake finds its own for the rest). */
function compiler() {
  return ['c++', 'g++', 'clang++'].find((c) => has(c)) ?? null;
}

export async function buildVariant(variant, { force = false } = {}) {
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
  if (variant === 'vulkan') missing.push(...vulkanMissing());
  if (missing.length) throw new Error(`cannot build whisper.cpp: missing ${missing.join(', ')}`);

  const dir = join(vendorDir, variant);
  let buildDir = join(dir, 'build');
  let buildSrc = src;
  let cacheRoot = null;
  const key = variant === 'vulkan' ? stampFor(src, variant) : null;
  mkdirSync(dir, { recursive: true });
  const logPath = buildLogPath(variant);
  const fd = openSync(logPath, 'w');
  const jobs = String(buildJobs(variant));
  const started = Date.now();
  if (key) {
    cacheRoot = vulkanCacheRoot();
    const cacheDir = join(cacheRoot, key);
    mkdirSync(cacheDir, { recursive: true });
    buildSrc = prepareVulkanSource(src, cacheDir);
    buildDir = join(cacheDir, 'build');
    const cached = existsSync(join(buildDir, 'CMakeCache.txt'));
    log(`building the vulkan engine from whisper.cpp ${sourceVersion(src)} with ${jobs} jobs (${cached ? 'shaders cached: a minute at most' : 'first time: about 30 minutes on 2 cores and up to 5 GB of memory, then cached'})`);
    log(`build cache: ${cacheDir} (TRANSCRIPTORIO_VULKAN_CACHE moves it)`);
  } else {
    log(`building the ${variant} engine from whisper.cpp ${sourceVersion(src)} with ${jobs} jobs (a few minutes${variant === 'cuda' ? ', much longer for CUDA' : ''})`);
  }
  log(`the compiler's messages go to ${logPath}`);
  const progress = progressReporter();
  try {
    log('configuring...');
    await runLogged(fd, 'cmake', ['-S', buildSrc, '-B', buildDir, ...variantFlags(variant)]);
    // The Vulkan build first generates one source file per shader (counted apart), then compiles them with the rest.
    const shaders = key ? vulkanShaderCount(buildSrc) : 0;
    const total = objectCount(buildDir, TARGETS);
    let compiled = 0;
    let generated = 0;
    await runLogged(fd, 'cmake', ['--build', buildDir, '--config', 'Release', '-j', jobs, '--target', ...TARGETS], (line) => {
      if (/Building (C|CXX|CUDA) object/.test(line)) progress.compiled(++compiled, total);
      else if (/Generate vulkan shaders for /.test(line)) progress.compiled(++generated, shaders, 'generating shaders');
    });
    progress.done();
    if (key) await runLogged(fd, compiler(), vulkanProbeArgs(buildSrc, buildDir, join(buildDir, 'bin', VULKAN_PROBE)));
  } catch (err) {
    progress.done();
    closeSync(fd);
    throw new Error(`the ${variant} build failed (${err.message}). The end of its log:\n${logTail(logPath)}\n[whisper.cpp] the whole log: ${logPath}`, { cause: err });
  }
  closeSync(fd);
  mkdirSync(join(dir, 'bin'), { recursive: true });
  for (const t of outputsOf(variant)) {
    const out = join(buildDir, 'bin', t);
    if (!existsSync(out)) throw new Error(`build finished but ${out} is missing (log: ${logPath})`);
    copyFileSync(out, join(dir, 'bin', t));
    chmodSync(join(dir, 'bin', t), 0o755);
  }
  log(`linked ${outputsOf(variant).join(', ')}`);
  writeFileSync(join(dir, 'build.stamp'), `${key ?? stampFor(src, variant)}\n`);
  writeFileSync(join(dir, 'build.json'), JSON.stringify({ variant, version: sourceVersion(src), flags: variantFlags(variant), builtAt: new Date().toISOString() }, null, 2));
  // The object files are ~100 MB and only useful for an incremental rebuild;
  // the Vulkan build's are its cache (the shaders), kept outside the clone.
  if (key) pruneVulkanCaches(cacheRoot, key);
  else if (process.env.TRANSCRIPTORIO_KEEP_BUILD !== '1') rmSync(buildDir, { recursive: true, force: true });
  log(`${variant} engine built in ${Math.round((Date.now() - started) / 1000)} s -> ${join(dir, 'bin')}`);
}

async function main() {
  const argv = process.argv.slice(2);
  const force = argv.includes('--force');
  let variants;
  if (argv.includes('--cuda')) variants = ['cuda'];
  else if (argv.includes('--vulkan')) variants = ['vulkan'];
  else if (argv.includes('--cpu')) variants = ['cpu'];
  else variants = cudaWanted() ? ['cpu', 'cuda'] : ['cpu'];
  if (process.env.TRANSCRIPTORIO_SKIP_WHISPER_BUILD === '1') {
    log('TRANSCRIPTORIO_SKIP_WHISPER_BUILD=1: not building');
    return 0;
  }
  let failed = false;
  for (const v of variants) {
    // CI: the Vulkan build only where its cache for this source and these flags exists (then it takes seconds).
    if (v === 'vulkan' && argv.includes('--if-cached') && !vulkanCached()) {
      log(`no Vulkan build cache for this source and these flags in ${vulkanCacheRoot()}: not building (--if-cached)`);
      continue;
    }
    try {
      await buildVariant(v, { force });
    } catch (err) {
      failed = true;
      log(`ERROR: ${err.message}`);
    }
  }
  return failed ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exit(await main());
}
