// What the Vulkan variant of the whisper.cpp build needs beyond the CPU one
// (used by build-whisper.mjs):
//
// - a patched copy of the source: whisper.cpp 1.9.1 uses vk::LayerSettingEXT
//   (Vulkan headers 1.3.272+) in the one block that turns on the validation
//   layer's settings; Debian 12 ships 1.3.239. The block is wrapped in
//   `#if VK_HEADER_VERSION >= 272` in a copy, the installed dependency stays
//   untouched;
// - a build cache outside the clone: generating and compiling the shaders
//   took 31 minutes on 2 loaded cores; a build from the cache, 11-24 s.
//   The copy and cmake's build folder live in
//   ${TRANSCRIPTORIO_VULKAN_CACHE:-${XDG_CACHE_HOME:-~/.cache}/transcriptorio/whisper-vulkan}/<key>/
//   where the key names the source version and hashes the source tree, the
//   patch and the flags, so another clone on the same machine reuses it.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const VULKAN_SOURCE_FILE = join('ggml', 'src', 'ggml-vulkan', 'ggml-vulkan.cpp');

/**
 * The device probe built beside the Vulkan engine (vulkan-devices.cpp): the
 * engine's own binaries list their devices only once a model loads.
 */
export const VULKAN_PROBE = 'ggml-vulkan-devices';

/** The compiler arguments that link the probe against the Vulkan build's ggml libraries. */
export function vulkanProbeArgs(src, buildDir, out) {
  const lib = join(buildDir, 'ggml', 'src');
  return [
    '-O2', '-std=c++17', '-fopenmp', '-I', join(src, 'ggml', 'include'),
    join(dirname(fileURLToPath(import.meta.url)), 'vulkan-devices.cpp'),
    join(lib, 'ggml-vulkan', 'libggml-vulkan.a'), join(lib, 'libggml-base.a'),
    '-lvulkan', '-lpthread', '-o', out,
  ];
}

const GUARD_START = '    VkBool32 enable_best_practice = layer_settings;\n';
const GUARD_END = '&layer_setting_info);\n';
const GUARD_ELSE =
  '#else\n' +
  '    // Vulkan headers older than 1.3.272 have no VK_EXT_layer_settings types:\n' +
  '    // create the instance without the validation layer settings.\n' +
  '    vk::InstanceCreateInfo instance_create_info(vk::InstanceCreateFlags{}, &app_info, layers, extensions);\n' +
  '#endif\n';

/**
 * Wraps the block that needs vk::LayerSettingEXT in a header-version guard.
 * Returns the text unchanged when it is already guarded or when the block is
 * not there (a whisper.cpp that no longer needs the patch).
 */
export function patchVulkanSource(text) {
  if (text.includes('#if VK_HEADER_VERSION >= 272')) return text;
  const start = text.indexOf(GUARD_START);
  if (start < 0) return text;
  const endAt = text.indexOf(GUARD_END, start);
  if (endAt < 0 || !text.slice(start, endAt).includes('vk::LayerSettingEXT')) return text;
  const end = endAt + GUARD_END.length;
  return `${text.slice(0, start)}#if VK_HEADER_VERSION >= 272\n${text.slice(start, end)}${GUARD_ELSE}${text.slice(end)}`;
}

/** The folder the Vulkan build caches live in (one sub-folder per key). */
export function vulkanCacheRoot(env = process.env) {
  if (env.TRANSCRIPTORIO_VULKAN_CACHE) return env.TRANSCRIPTORIO_VULKAN_CACHE;
  const base = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'transcriptorio', 'whisper-vulkan');
}

function listFiles(dir, base = dir, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== '.git' && e.name !== 'build') listFiles(p, base, out);
    } else if (e.isFile()) out.push(relative(base, p));
  }
  return out.sort();
}

/** A hash of every file of the source tree (35 MB: well under a second). */
function treeHash(src) {
  const h = createHash('sha1');
  for (const f of listFiles(src)) h.update(`${f}\0`).update(readFileSync(join(src, f))).update('\0');
  return h.digest('hex');
}

/** The cache key: `<version>-<hash of the tree, the patched file and the flags>`. */
export function vulkanCacheKey(src, version, flags) {
  const file = join(src, VULKAN_SOURCE_FILE);
  const patched = existsSync(file) ? patchVulkanSource(readFileSync(file, 'utf8')) : '';
  const h = createHash('sha1').update(treeHash(src)).update(patched).update(JSON.stringify(flags));
  return `${version}-${h.digest('hex').slice(0, 16)}`;
}

/**
 * Makes `<cacheDir>/src`: a copy of `src` with the patch applied, once per
 * key. The copy keeps the source's timestamps and is never rewritten, so
 * cmake's build folder next to it stays valid and a rebuild only relinks.
 * Written to a temporary folder first and renamed: a half copy is never used.
 */
export function prepareVulkanSource(src, cacheDir) {
  const dest = join(cacheDir, 'src');
  if (existsSync(join(dest, 'CMakeLists.txt'))) return dest;
  const tmp = join(cacheDir, `src.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  cpSync(src, tmp, { recursive: true, preserveTimestamps: true, filter: (p) => !/[\\/](\.git|build)$/.test(p) });
  const file = join(tmp, VULKAN_SOURCE_FILE);
  if (existsSync(file)) {
    const before = readFileSync(file, 'utf8');
    const after = patchVulkanSource(before);
    if (after !== before) writeFileSync(file, after);
  }
  renameSync(tmp, dest);
  return dest;
}

/** Marks a cache as used now and removes the other keys unused for `days`. */
export function pruneVulkanCaches(root, keep, days = 30) {
  writeFileSync(join(root, keep, 'last-used'), `${new Date().toISOString()}\n`);
  const cutoff = Date.now() - days * 86_400_000;
  for (const e of readdirSync(root, { withFileTypes: true })) {
    if (!e.isDirectory() || e.name === keep) continue;
    const marker = join(root, e.name, 'last-used');
    const used = existsSync(marker) ? statSync(marker).mtimeMs : statSync(join(root, e.name)).mtimeMs;
    if (used < cutoff) rmSync(join(root, e.name), { recursive: true, force: true });
  }
}

function vulkanHeaders(env = process.env) {
  const dirs = [env.VULKAN_SDK && join(env.VULKAN_SDK, 'include'), '/usr/include', '/usr/local/include'].filter(Boolean);
  return dirs.some((d) => existsSync(join(d, 'vulkan', 'vulkan.hpp')));
}

function spirvHeaders(env = process.env) {
  const dirs = [env.VULKAN_SDK, '/usr', '/usr/local'].filter(Boolean);
  return dirs.some((d) => existsSync(join(d, 'share', 'cmake', 'SPIRV-Headers')) || existsSync(join(d, 'include', 'spirv', 'unified1', 'spirv.hpp')));
}

/**
 * What a Vulkan build lacks here, each with its Debian/Ubuntu package (empty
 * when nothing is missing); the Vulkan SDK (VULKAN_SDK) provides all three.
 */
export function vulkanMissing(env = process.env) {
  const missing = [];
  if (spawnSync('glslc', ['--version'], { stdio: 'ignore' }).status !== 0) missing.push('the shader compiler glslc (package glslc)');
  if (!vulkanHeaders(env)) missing.push('the Vulkan headers (package libvulkan-dev)');
  if (!spirvHeaders(env)) missing.push('the SPIR-V headers (package spirv-headers)');
  return missing;
}

/** How many shader sources the build generates code from (progress of its longest step). */
export function vulkanShaderCount(src) {
  const dir = join(src, 'ggml', 'src', 'ggml-vulkan', 'vulkan-shaders');
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.comp')).length : 0;
}

/**
 * Whether `npm install` builds the Vulkan engine by itself: the source has
 * the Vulkan backend, glslc and the headers are installed, and
 * TRANSCRIPTORIO_BUILD_VULKAN is not 0 (1 asks for it even when something
 * is missing, so the build says what).
 */
export function vulkanAutoBuild(src, env = process.env) {
  if (env.TRANSCRIPTORIO_BUILD_VULKAN === '0' || !src) return false;
  if (!existsSync(join(src, VULKAN_SOURCE_FILE))) return false;
  return env.TRANSCRIPTORIO_BUILD_VULKAN === '1' || vulkanMissing(env).length === 0;
}
