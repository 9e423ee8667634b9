/**
 * The shared fixtures (real speech, a real Silero VAD model) live beside the
 * checkout in ../shared/fixtures; FIXTURES_DIR overrides that.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');

export const FIXTURES_DIR =
  [process.env.FIXTURES_DIR, join(ROOT, '..', 'shared', 'fixtures'), '/work/shared/fixtures'].find(
    (d): d is string => !!d && existsSync(join(d, 'jfk.wav')),
  ) ?? join(ROOT, '..', 'shared', 'fixtures');

export const JFK_WAV = join(FIXTURES_DIR, 'jfk.wav');
export const SILERO_MODEL = join(FIXTURES_DIR, 'silero-v6.2.0-ggml.bin');
