/**
 * A test-only job type for the temporary-files tests (loaded through
 * TRANSCRIPTORIO_EXTRA_HANDLERS, like test-handlers.ts): it does what the
 * transcription pipeline does with its audio (ffmpeg extracts it into a
 * folder made in `os.tmpdir()`, removed when the job ends), then holds the
 * job until it is aborted, so a test can kill the worker mid-job.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractAudio } from '../../src/transcription/audio.js';
import type { JobHandler } from '../../src/core/job-handler.js';
import { JFK_WAV } from '../helpers/fixtures.js';

const extract_and_hold: JobHandler = async (ctx) => {
  const dir = await mkdtemp(join(tmpdir(), 'transcriptorio-'));
  try {
    await extractAudio(JFK_WAV, null, join(dir, 'audio.wav'), { signal: ctx.signal });
    ctx.reportProgress({ stage: 'transcribing', progress: 50, etaSeconds: null });
    await new Promise((_, reject) => {
      if (ctx.signal.aborted) reject(ctx.signal.reason);
      ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
    });
    return { result: {} };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};

export default { extract_and_hold } satisfies Record<string, JobHandler>;
