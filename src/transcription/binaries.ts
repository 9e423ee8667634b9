/**
 * Where the whisper.cpp binaries built by scripts/build-whisper.mjs live.
 * CPU and CUDA builds sit in separate folders so CPU workers and GPU workers
 * each run the build made for them.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../errors.js';
import type { Device } from './types.js';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function whisperDir(): string {
  return process.env.TRANSCRIPTORIO_WHISPER_DIR ?? join(projectRoot, 'vendor', 'whisper');
}

export type WhisperBinary = 'whisper-cli' | 'whisper-server' | 'whisper-vad-speech-segments';

export function whisperBinaryPath(name: WhisperBinary, device: Device = 'cpu'): string {
  return join(whisperDir(), device, 'bin', name);
}

export function isWhisperBuilt(device: Device = 'cpu'): boolean {
  return existsSync(whisperBinaryPath('whisper-server', device));
}

/** The binary's path, or a clear error naming the command that builds it. */
export function requireWhisperBinary(name: WhisperBinary, device: Device = 'cpu'): string {
  const path = whisperBinaryPath(name, device);
  if (existsSync(path)) return path;
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
