// Steps that `npm install` runs after the dependencies are in place.
//
// Builds the whisper.cpp engine (scripts/build-whisper.mjs). A failed build
// must not fail the install: the server, the API and the UI work without it,
// and the engine itself reports the missing build with the command to run.
//
// Then the Vulkan engine (Intel and AMD GPUs) where glslc and the Vulkan
// headers are installed, unless TRANSCRIPTORIO_BUILD_VULKAN=0: its first
// build takes about 30 minutes on 2 cores, so it says so first; later builds
// reuse its cache and take under a minute. A failed Vulkan build only warns:
// the CPU engine works without it.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildState, findSource } from './build-whisper.mjs';
import { vulkanAutoBuild, vulkanCacheRoot } from './whisper-vulkan.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const bar = '!'.repeat(72);

const r = spawnSync(process.execPath, [join(here, 'build-whisper.mjs')], { stdio: 'inherit' });
if (r.status !== 0) {
  process.stderr.write(
    `\n${bar}\n` +
      'WARNING: the whisper.cpp engine could not be built (see the messages above).\n' +
      'TranscriptorIO installs and starts, but transcription will fail until it is built.\n' +
      'Install cmake and a C++ compiler (e.g. `apt install cmake g++`), then run:\n' +
      '    npm run build:whisper\n' +
      `${bar}\n\n`,
  );
}

const src = findSource();
if (process.env.TRANSCRIPTORIO_SKIP_WHISPER_BUILD !== '1' && vulkanAutoBuild(src)) {
  if (buildState('vulkan', src) !== null) {
    const why = process.env.TRANSCRIPTORIO_BUILD_VULKAN === '1' ? 'TRANSCRIPTORIO_BUILD_VULKAN=1' : 'glslc and the Vulkan headers are installed';
    process.stderr.write(
      `[whisper.cpp] ${why}: building the Vulkan engine for Intel/AMD GPUs too. ` +
        `The first build takes about 30 minutes on 2 cores and is cached in ${vulkanCacheRoot()} (later builds: under a minute); ` +
        'skip it with TRANSCRIPTORIO_BUILD_VULKAN=0.\n',
    );
  }
  const v = spawnSync(process.execPath, [join(here, 'build-whisper.mjs'), '--vulkan'], { stdio: 'inherit' });
  if (v.status !== 0) {
    process.stderr.write(
      `\n${bar}\n` +
        'WARNING: the Vulkan engine could not be built (see the messages above); the CPU engine is not affected.\n' +
        'GPU workers on an Intel or AMD GPU need it. Fix what the messages name, then run:\n' +
        '    npm run build:whisper -- --vulkan\n' +
        'or skip it at install with TRANSCRIPTORIO_BUILD_VULKAN=0.\n' +
        `${bar}\n\n`,
    );
  }
}
