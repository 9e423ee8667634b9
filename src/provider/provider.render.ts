/**
 * Turns a provider job's result into the answer body: subtitle text for
 * /asr, OpenAI's JSON shapes for /v1/audio/*. Subtitle formats (srt, vtt) are
 * regrouped into readable cues with the subtitle settings, since Bazarr saves
 * the body as the subtitle file; txt, tsv and json keep Whisper's segments.
 */
import { deflateSync } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { probeMedia, regroupSegments, renderSubtitles, pipelineOptionsFromSettings, type Segment } from '../transcription/index.js';
import { openPcmWav } from '../transcription/wav.js';
import type { SegmentDetails } from '../transcription/engine.types.js';
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
  if (output === 'json') return `${JSON.stringify(asrJson(result, wordTimestamps))}\n`;
  let segs = cuesFor(result, output, settings);
  if (!wordTimestamps) segs = segs.map(({ words: _w, ...s }) => s);
  return renderSubtitles(segs, output, { language: result.language });
}

/** Seconds to whole milliseconds (10.620000000000001 -> 10.62): every time the provider answers. */
export const ms = (x: number): number => Math.round(x * 1000) / 1000;
/** Scores (log probabilities, ratios) to four decimals. */
const score = (x: number): number => Math.round(x * 10_000) / 10_000;

/** Whisper's compression ratio of a segment's text: bytes over zlib-compressed bytes (high means repetitive). */
function compressionRatio(text: string): number {
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length ? bytes.length / deflateSync(bytes).length : 0;
}

/** A segment as Whisper (and whisper-asr-webservice, OpenAI's verbose_json) lists it. */
interface WhisperSegment {
  id: number;
  seek: number;
  start: number;
  end: number;
  text: string;
  tokens: number[];
  temperature: number;
  avg_logprob: number;
  compression_ratio: number;
  no_speech_prob: number;
  words?: Array<{ word: string; start: number; end: number; probability: number }>;
}

/**
 * The segments with Whisper's fields, from the engine's own values where it
 * has them (tokens, temperature, avg_logprob, no_speech_prob from
 * whisper.cpp); compression_ratio computed as Whisper does; seek is the 30 s
 * window the segment starts in, in Whisper's 10 ms frames. Times in ms.
 */
export function whisperSegments(segments: Segment[], words: boolean): WhisperSegment[] {
  return segments.map((s, id) => {
    const d = s as Segment & SegmentDetails;
    return {
      id,
      seek: Math.floor(s.start / 30) * 3000,
      start: ms(s.start),
      end: ms(s.end),
      text: s.text,
      tokens: d.tokens ?? [],
      temperature: d.temperature ?? 0,
      avg_logprob: score(s.avgLogprob ?? 0),
      compression_ratio: score(compressionRatio(s.text.trim())),
      no_speech_prob: score(s.noSpeechProb ?? 0),
      ...(words ? { words: (s.words ?? []).map((w) => ({ word: w.text, start: ms(w.start), end: ms(w.end), probability: score(w.probability ?? 0) })) } : {}),
    };
  });
}

/** The full text of a result, segments joined by a space (OpenAI's `text`). */
export function resultText(r: AsrResult): string {
  return r.segments.map((s) => s.text.trim()).join(' ');
}

/** /asr?output=json as whisper-asr-webservice answers it: Whisper's result dict (text, segments, language). */
export function asrJson(r: AsrResult, words: boolean) {
  return { text: resultText(r), segments: whisperSegments(r.segments, words), language: r.language };
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
 * stream: checked before a job is queued, so junk is a 422 at once. A WAV of
 * 16 kHz mono 16-bit PCM with samples (what OpenAI clients and Bazarr send
 * for short clips) is audio by its header alone: no ffprobe run for it.
 */
export async function requireAudio(upload: StoredUpload, field: string, req: FastifyRequest): Promise<void> {
  if (await openPcmWav(upload.path).then((w) => w.dataBytes >= 2, () => false)) return;
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
