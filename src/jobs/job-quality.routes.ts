import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError } from '../errors.js';
import { errors } from '../http/schemas.js';
import { JobSchema } from './jobs.schemas.js';
import { ClipQuery, JobQualitySchema, MAX_CLIP_SECONDS } from './job-quality.schemas.js';

const IdParams = Type.Object({ job_id: Type.String() });

/** `/api/jobs/{job_id}/quality`, `/review/accept` and `/clip`: HTTP only, the rules are JobQualityService's. */
export const jobQualityRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const jobs = app.ctx.jobs;
  const quality = jobs.quality;
  const tags = ['Jobs'];

  app.get('/:job_id/quality', {
    schema: {
      tags, summary: "The quality report of a job's subtitle: score, why points were taken off, the cues to look at",
      description:
        'The report the transcription wrote when the job completed: a 0-100 score, the penalties by signal (low confidence, loops, text over silence, stock phrases, reading speed, coverage), the flagged cues with their reasons (each playable with `/clip`), and each re-decode of a flagged segment. `needs_review` is the job\'s flag now: false once accepted. 404 quality_not_available for a job without a report (not a transcription, or completed before reports existed: redo it to get one).',
      params: IdParams, response: { 200: JobQualitySchema, ...errors(404) },
    },
  }, async (req) => quality.report(req.params.job_id));

  app.post('/:job_id/review/accept', {
    schema: {
      tags, summary: 'Accept a subtitle that needs review: it counts as done from now on',
      description: 'Clears needs_review for good and keeps when (`review_accepted_at`, in GET /quality); the timeline records it. Accepting again changes nothing. 409 not_reviewable when the job is not completed or has no quality report.',
      params: IdParams, response: { 200: JobSchema, ...errors(404, 409) },
    },
  }, async (req) => {
    await quality.accept(req.params.job_id);
    return jobs.get(req.params.job_id);
  });

  app.get('/:job_id/clip', {
    schema: {
      tags, summary: "A span of the job's media as audio (WAV), to hear a flagged cue",
      description: `Cut from the job's media file on request: 16 kHz mono 16-bit PCM WAV (\`audio/wav\`), which every browser plays; byte ranges are served. \`start\` and \`end\` are seconds of the media, 0 ≤ start < end, at most ${MAX_CLIP_SECONDS} s apart (else 400 bad_clip_range). Only a file inside library_paths or allowed_media_roots once resolved (else 403 outside_library); 404 file_not_found when the file is gone or the job was a provider request. An \`<audio>\` element can send the API key as \`?apikey=\`.`,
      params: IdParams, querystring: ClipQuery,
      response: { 200: Type.String({ description: 'audio/wav', contentMediaType: 'audio/wav' }), 206: Type.String({ description: 'audio/wav, the range asked for' }), ...errors(400, 403, 404, 416) },
    },
  }, async (req, reply) => {
    // A client that leaves (the player moved on) stops ffmpeg.
    const gone = new AbortController();
    const onClose = () => {
      if (!reply.raw.writableFinished) gone.abort();
    };
    reply.raw.on('close', onClose);
    let wav: Buffer;
    try {
      wav = await quality.clip(req.params.job_id, req.query, { settings: app.ctx.settings, tools: app.ctx.config.tools, signal: gone.signal });
    } catch (e) {
      if (!gone.signal.aborted) throw e;
      // Nobody is left to answer.
      reply.hijack();
      reply.raw.destroy();
      return;
    } finally {
      reply.raw.off('close', onClose);
    }
    reply.type('audio/wav').header('accept-ranges', 'bytes').header('cache-control', 'private, max-age=3600');
    const range = byteRange(req.headers.range, wav.length);
    if (range === 'unsatisfiable') {
      reply.header('content-range', `bytes */${wav.length}`);
      throw new AppError(416, 'bad_request', `Range ${req.headers.range} lies outside the clip's ${wav.length} bytes`);
    }
    // Bytes, not a string: the response schema only documents the body.
    if (range) return reply.status(206).header('content-range', `bytes ${range.start}-${range.end}/${wav.length}`).send(wav.subarray(range.start, range.end + 1) as never);
    return reply.send(wav as never);
  });
};

/** One `bytes=a-b` range (what media elements send); null: none or one this does not serve (the whole clip then). */
function byteRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  const m = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!m || (m[1] === '' && m[2] === '')) return null;
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}
