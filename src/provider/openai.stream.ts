/**
 * `stream=true` on /v1/audio/transcriptions: the answer as server-sent
 * events, the way OpenAI streams a transcription (the openai SDK's
 * `TranscriptionStreamEvent`): one `transcript.text.delta` per segment as the
 * worker decodes it, then `transcript.text.done` with the whole text. Every
 * event is one `data:` line of JSON; the stream ends after `done`.
 *
 * The events start once the request has a job: an error before that (bad
 * parameters, no worker) is a normal HTTP error with OpenAI's error body. An
 * error after it arrives as `data: {"error": {...}}`, which the SDK raises as
 * an APIError. Comments keep an idle connection open while the job waits in
 * the queue.
 */
import type { FastifyReply } from 'fastify';
import { AppError } from '../errors.js';
import type { Segment } from '../transcription/index.js';
import type { Answer, AsrResult, ClientLink } from './provider.service.js';
import { clientLink } from './provider.render.js';
import { openAiError } from './openai.errors.js';

const KEEP_ALIVE_MS = 15_000;

export async function streamTranscription(reply: FastifyReply, run: (link: ClientLink) => Promise<Answer<AsrResult>>): Promise<FastifyReply> {
  const raw = reply.raw;
  let started = false;
  let sent = 0;
  let keepAlive: NodeJS.Timeout | undefined;
  const write = (data: unknown) => raw.write(`data: ${JSON.stringify(data)}\n\n`);
  const start = (jobId: string) => {
    if (started) return;
    started = true;
    reply.hijack();
    raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no', 'x-job-id': jobId });
    raw.write(': transcription queued\n\n');
    keepAlive = setInterval(() => raw.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
  };
  // Deltas carry the text between segments the way Whisper joins it: a space before every segment but the first.
  const deltas = (segments: Segment[]) => {
    for (; sent < segments.length; sent++) {
      const text = segments[sent].text.trim();
      if (text) write({ type: 'transcript.text.delta', delta: sent === 0 ? text : ` ${text}` });
    }
  };
  const link: ClientLink = { ...clientLink(reply), onJob: start, onPartial: (segments) => started && deltas(segments) };
  try {
    const ans = await run(link);
    start(ans.jobId);
    deltas(ans.result.segments);
    write({ type: 'transcript.text.done', text: ans.result.segments.map((s) => s.text.trim()).filter(Boolean).join(' ') });
  } catch (e) {
    if (!started) throw e;
    const err = e instanceof AppError ? e : new AppError(500, 'internal', 'Internal server error');
    if (!(e instanceof AppError)) reply.log.error({ err: e }, 'streaming transcription failed');
    if (err.status !== 499 && !raw.destroyed) write(openAiError(err.status, err.message, err.code));
  } finally {
    clearInterval(keepAlive);
    if (started && !raw.destroyed) raw.end();
  }
  return reply;
}
