/**
 * Turns a provider job's result into the answer body: subtitle text for
 * /asr, OpenAI's JSON shapes for /v1/audio/*. Subtitle formats (srt, vtt) are
 * regrouped into readable cues with the subtitle settings, since Bazarr saves
 * the body as the subtitle file; txt, tsv and json keep Whisper's segments.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { probeMedia, regroupSegments, renderSubtitles, pipelineOptionsFromSettings, type Segment } from '../transcription/index.js';
import { AppError } from '../errors.js';
import { findLanguage } from '../languages.js';
import type { SettingsService } from '../settings/settings.service.js';
import type { AsrOutput } from './provider.params.js';
import type { AsrResult, ClientLink } from './provider.service.js';
import { removeUpload, type StoredUpload } from './provider.upload.js';

export function cuesFor(result: AsrResult, format: string, settings: SettingsService): Segment[] {
  if (format !== 'srt' && format !== 'vtt') return result.segments;
  const lb = pipelineOptionsFromSettings((k) => settings.get(k)).lineBreak;
  return lb === false ? result.segments : regroupSegments(result.segments, lb);
}

export function renderAsr(result: AsrResult, output: AsrOutput, wordTimestamps: boolean, settings: SettingsService): string {
  let segs = cuesFor(result, output, settings);
  if (!wordTimestamps) segs = segs.map(({ words: _w, ...s }) => s);
  return renderSubtitles(segs, output, { language: result.language });
}

/** Whisper's lower-case English language name (`english`), as whisper-asr-webservice answers. */
export function whisperLanguageName(code: string): string {
  const name = findLanguage(code)?.name ?? code;
  return name.split(/[;,(]/)[0].trim().toLowerCase();
}

/** Whether the client is still there: the response closed before we wrote it means it left. */
export function clientLink(reply: FastifyReply): ClientLink {
  return {
    onDisconnect(fn) {
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) fn();
      });
    },
  };
}

/**
 * An `encode=true` upload must be something ffmpeg reads with an audio
 * stream: checked before a job is queued, so junk is a 422 at once.
 */
export async function requireAudio(upload: StoredUpload, field: string, req: FastifyRequest): Promise<void> {
  try {
    const info = await probeMedia(upload.path);
    if (!info.audio.length) throw new AppError(422, 'no_audio_track', `The file in ${field} has no audio stream`);
  } catch (e) {
    await removeUpload(upload.path);
    if (e instanceof AppError && e.status < 500) {
      const why = e.code === 'no_audio_track' ? e.message : `The file in ${field} is not audio or video that ffmpeg can read${e.message.includes(':') ? ` (${e.message.split(': ').slice(1).join(': ')})` : ''}`;
      throw new AppError(422, e.code === 'no_audio_track' ? 'no_audio_track' : 'bad_audio', why.replace(upload.path, field));
    }
    req.log.error({ err: e }, 'probe of a provider upload failed');
    throw e;
  }
}
