/**
 * Where the whisper.cpp binaries built by scripts/build-whisper.mjs live.
 * CPU, CUDA and Vulkan builds sit in separate folders (vendor/whisper/<device>/)
 * so CPU workers and GPU workers each run the build made for them.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../errors.js';
import { DEFAULT_WHISPER_DIR } from '../paths.js';
import type { Device } from './types.js';

// The builds' folder when none is given: vendor/whisper in the package. TRANSCRIPTORIO_WHISPER_DIR is
// read by the configuration (Config.tools.whisperDir), whose holders pass it here.
export { DEFAULT_WHISPER_DIR };

/** The binaries of a build; ggml-vulkan-devices (the Vulkan build's device probe) only in vendor/whisper/vulkan. */
type WhisperBinary = 'whisper-cli' | 'whisper-server' | 'whisper-vad-speech-segments' | 'ggml-vulkan-devices';

export function whisperBinaryPath(name: WhisperBinary, device: Device = 'cpu', whisperDir = DEFAULT_WHISPER_DIR): string {
  return join(whisperDir, device, 'bin', name);
}

export function isWhisperBuilt(device: Device = 'cpu', whisperDir = DEFAULT_WHISPER_DIR): boolean {
  return existsSync(whisperBinaryPath('whisper-server', device, whisperDir));
}

/** The binary's path, or a clear error naming the command that builds it. */
export function requireWhisperBinary(name: WhisperBinary, device: Device = 'cpu', whisperDir = DEFAULT_WHISPER_DIR): string {
  const path = whisperBinaryPath(name, device, whisperDir);
  if (existsSync(path)) return path;
  if (device === 'vulkan') {
    throw new AppError(
      503,
      'engine_not_built',
      `No Vulkan build of whisper.cpp (${path} is missing). Install glslc, libvulkan-dev and spirv-headers (Debian/Ubuntu names), then run \`npm run build:whisper -- --vulkan\`; or use the cpu device.`,
    );
  }
  if (device === 'cuda') {
    throw new AppError(
      503,
      'engine_not_built',
      `No CUDA build of whisper.cpp (${path} is missing). Install the CUDA toolkit (nvcc) and an NVIDIA driver, then run \`TRANSCRIPTORIO_CUDA=1 npm run build:whisper\`; or use the cpu device.`,
    );
  }
  throw new AppError(
    503,
    'engine_not_built',
    `The whisper.cpp engine is not built (${path} is missing). Install cmake and a C++ compiler, then run \`npm run build:whisper\`.`,
  );
}
