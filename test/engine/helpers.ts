import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isWhisperBuilt } from '../../src/transcription/binaries.js';
import { ensureTestModel } from '../../scripts/test-model.js';

/**
 * Tests of the real engine need the whisper.cpp build. Without it they are
 * skipped locally (with the reason), but fail in CI.
 */
export function engineSkip(): string | false {
  if (isWhisperBuilt('cpu')) return false;
  if (process.env.CI) throw new Error('whisper.cpp is not built: run `npm run build:whisper` (required in CI)');
  return 'whisper.cpp is not built (npm run build:whisper)';
}

export const minimalModel = () => ensureTestModel('minimal');

export function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'tio-engine-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
