import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root, whether running from src/ (tsx) or dist/ (compiled). */
export function projectRoot(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..');
}

/** Where scripts/build-whisper.mjs puts the whisper.cpp builds unless TRANSCRIPTORIO_WHISPER_DIR says otherwise (Config.tools.whisperDir). */
export const DEFAULT_WHISPER_DIR = join(projectRoot(), 'vendor', 'whisper');

let version: string | null = null;
export function packageVersion(): string {
  version ??= JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')).version as string;
  return version;
}
