import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root, whether running from src/ (tsx) or dist/ (compiled). */
export function projectRoot(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..');
}

let version: string | null = null;
export function packageVersion(): string {
  version ??= JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')).version as string;
  return version;
}
