/**
 * transcribeMedia: media file -> subtitle file in the target language.
 *
 * Task choice (docs/PRODUCT.md): target == audio language -> transcribe;
 * target English, audio not -> Whisper's translate task; anything else ->
 * transcribe, then the configured translation provider. Without a provider
 * such a job fails before transcription and writes nothing.
 *
 * The pipeline runs on the engine it is given (`hooks.engine`, a
 * TranscriptionEngine: local whisper.cpp or a remote server) and never builds
 * or closes one: a worker's engine cache (src/workers/worker-engine.ts) or
 * `withLocalEngine` (the CLI, tests) owns it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../errors.js';
import { findLanguage, normalizeLanguage, toWhisperCode, translationTarget, type LanguageNamingType } from '../languages.js';
import { assertCompleteAudio, extractAudio, isAudioOnly, probeMedia, selectAudioStream, type MediaTools } from './audio.js';
import type { LocalEngineOptions } from './engine.js';
import type { TranscriptionEngine } from './engine.types.js';
import { filterHallucinations, suppressHallucinations } from './hallucination.js';
import { analyzeQuality } from './quality/analyze.js';
import { redecodeFlagged } from './quality/redecode.js';
import type { EngineSegment, QualityReport, QualityThresholds } from './quality/types.js';
import { retimeCues } from './retime.js';
import type { Span } from './vad.js';
import { assertOutputFolderWritable, subtitlePath, writeSubtitleFile } from './output.js';
import { assertWritable } from './subtitle-files.js';
import { breakLines, regroupSegments } from './regroup.js';
import { detectLanguageInWav, transcribeWavChunked } from './transcribe-audio.js';
import { createTranslationProvider, isTranslationConfigured, translateSegments, type TranslationConfig } from './translate.js';
import { decodeRawPcm, openPcmWav } from './wav.js';
import { renderSubtitles } from './writers.js';
import { DEFAULT_LINE_BREAK, type LanguageGuess, type LineBreakOptions, type Segment, type SubtitleFormat, type Task } from './types.js';

export type Stage = 'extracting_audio' | 'detecting_language' | 'transcribing' | 'translating' | 'writing' | 'finalizing';

/**
 * A job's options. The LocalEngineOptions part (model, modelDir, threads,
 * device, gpuDevice, vadModelPath) is what a local engine is built from
 * (`withLocalEngine`, the worker's engine cache): the pipeline does not read
 * it. `vad` is read by both: the pipeline gates decoding only when the engine
 * can (`capabilities.vad`).
 */
export interface TranscribeMediaOptions extends LocalEngineOptions {
  /** ISO 639-2/T (any accepted spelling) */
  targetLang: string;
  /** a regional variant of the target (`pt-BR`, `zh-TW`, `es-MX`: Bazarr's pb, zt, ea), kept when translating */
  targetVariant?: string | null;
  /** the ffmpeg and ffprobe to run (Config.tools); absent: the system ones, else the npm-installed ones */
  tools?: Partial<MediaTools>;
  /** audio language; null -> detect */
  sourceLang?: string | null;
  /** preferred audio track languages, first match wins */
  audioLanguage?: string | string[] | null;
  preset?: 'fast' | 'balanced' | 'best' | null;
  beamSize?: number;
  bestOf?: number;
  temperature?: number;
  temperatureFallback?: boolean;
  initialPrompt?: string;
  wordTimestamps?: boolean;
  vadThreshold?: number;
  suppressNonSpeech?: boolean;
  detectLanguageLength?: number;
  detectLanguageOffset?: number;
  detectLanguageWindows?: number;
  /** force_detected_language_to */
  forceLanguage?: string | null;
  /** use the language tag of the chosen audio track instead of detecting (use_track_language) */
  trustTrackLanguage?: boolean;
  format?: SubtitleFormat;
  lrcForAudioFiles?: boolean;
  outputDir?: string | null;
  namingType?: LanguageNamingType;
  tag?: string | null;
  customLanguageName?: string | null;
  lineBreak?: Partial<LineBreakOptions> | false;
  wordHighlight?: boolean;
  translation?: TranslationConfig | null;
  writeOutput?: boolean;
  chunkSeconds?: number;
  /** the quality report, the second try of flagged segments and the retiming; absent: none of them */
  quality?: PipelineQuality | null;
}

/** What the pipeline does about a subtitle's worth (settings quality_*, subtitle_retime, subtitle_min_gap). */
export interface PipelineQuality {
  thresholds: QualityThresholds;
  /** decode flagged segments once more; budget: a share of the first pass's engine time */
  retry: { enabled: boolean; budget: number };
  /** lengthen cues too fast to read or too short; null: off */
  retime: { minGap: number } | null;
}

export interface TranscribeHooks {
  onStage?(stage: Stage, progress: number, etaSeconds: number | null): void;
  signal?: AbortSignal;
  /** the engine to run on; the caller owns it (the pipeline never closes it) */
  engine: TranscriptionEngine;
  /**
   * The engine of the second tries (quality_retry_model), asked for only when
   * a segment is retried; absent, or when it fails: `engine`. The caller owns it.
   */
  retryEngine?(): Promise<TranscriptionEngine>;
}

export interface TranscribeMediaResult {
  /** null when nothing was written: writeOutput off, or no speech found (no empty subtitle that would pass for a result) */
  outputPath: string | null;
  segmentsCount: number;
  language: string;
  languageConfidence: number | null;
  /** the engine's label */
  modelUsed: string;
  /** the engine's device (capabilities.device) */
  deviceUsed: string;
  vramUsedMb?: number | null;
  task: Task;
  segments: Segment[];
  /** how good the subtitle is (quality/analyze.ts); null when the options asked for no report */
  quality: QualityReport | null;
  /**
   * Silero speech spans of the track, seconds of the media (collected for the
   * quality report; null without one): kept per file so subtitle sync never
   * listens to a transcribed file again (src/sync/).
   */
  speech: { spans: Span[]; seconds: number } | null;
}

const abortErr = () => Object.assign(new Error('transcription cancelled'), { name: 'AbortError' });

/** Stage weights of the overall 0-100 progress. */
function stageRange(stage: Stage, translating: boolean): [number, number] {
  switch (stage) {
    case 'extracting_audio':
      return [0, 8];
    case 'detecting_language':
      return [8, 12];
    case 'transcribing':
      return translating ? [12, 85] : [12, 95];
    case 'translating':
      return [85, 95];
    case 'writing':
      return [95, 98];
    case 'finalizing':
      return [98, 100];
  }
}

function reporter(hooks: TranscribeHooks) {
  const started = Date.now();
  let translating = false;
  let last = 0;
  return {
    setTranslating(v: boolean) {
      translating = v;
    },
    report(stage: Stage, stagePercent: number) {
      if (hooks.signal?.aborted) return;
      const [a, b] = stageRange(stage, translating);
      const overall = Math.max(last, Math.min(100, a + ((b - a) * Math.min(100, Math.max(0, stagePercent))) / 100));
      last = overall;
      const elapsed = (Date.now() - started) / 1000;
      const eta = overall >= 3 && overall < 100 ? Math.round((elapsed / overall) * (100 - overall)) : overall >= 100 ? 0 : null;
      hooks.onStage?.(stage, Math.round(overall * 10) / 10, eta);
    },
  };
}

/**
 * Which Whisper task, and whether machine translation follows. An engine
 * without Whisper's translate task (`canTranslate` false) transcribes and
 * leaves English to the translation provider.
 */
export function chooseTask(audioLang: string, targetLang: string, canTranslate = true): { task: Task; machineTranslate: boolean } {
  const a = normalizeLanguage(audioLang);
  const t = normalizeLanguage(targetLang);
  if (a && t && a === t) return { task: 'transcribe', machineTranslate: false };
  if (t === 'eng' && canTranslate) return { task: 'translate', machineTranslate: false };
  return { task: 'transcribe', machineTranslate: true };
}

/** Decoding of every chunk: the options, as far as the engine can do them. */
function decodeOptions(o: Omit<TranscribeMediaOptions, 'targetLang'>, engine: TranscriptionEngine) {
  return {
    beamSize: o.beamSize ?? 5,
    bestOf: o.bestOf ?? 5,
    temperature: o.temperature ?? 0,
    temperatureFallback: o.temperatureFallback ?? true,
    initialPrompt: o.initialPrompt,
    wordTimestamps: (o.wordTimestamps ?? true) && engine.capabilities.wordTimestamps,
    // VAD is on by default; a remote server, or a local engine built without a VAD model, decodes everything.
    vad: o.vad !== false && engine.capabilities.vad,
    vadThreshold: o.vadThreshold,
    chunkSeconds: o.chunkSeconds,
  };
}

export interface AudioTranscription {
  segments: Segment[];
  language: string;
  languageConfidence: number | null;
  duration: number;
  task: Task;
}

/**
 * Lower-level entry for the HTTP provider: any audio/video file, or raw
 * s16le 16 kHz mono PCM as a Buffer. Returns raw (hallucination-filtered,
 * not regrouped) segments and the language (ISO 639-1).
 */
export async function transcribeAudioFile(
  input: string | Buffer,
  o: Omit<TranscribeMediaOptions, 'targetLang'> & { task?: Task; language?: string | null },
  hooks: { onProgress?(p: number): void; signal?: AbortSignal; engine: TranscriptionEngine },
): Promise<AudioTranscription> {
  const { engine } = hooks;
  const tmp = await mkdtemp(join(tmpdir(), 'transcriptorio-'));
  try {
    const wav = await prepareWav(input, tmp, o.audioLanguage, hooks.signal, undefined, false, o.tools);
    const lang = o.language ?? o.sourceLang ?? null;
    let guess: LanguageGuess | null = null;
    const forced = toWhisperCode(o.forceLanguage);
    if (!lang && !forced) guess = await detectLanguageInWav(wav.path, engine, detectOpts(o, tmp, hooks.signal));
    const language = toWhisperCode(lang) ?? forced ?? guess!.language;
    const r = await transcribeWavChunked(wav.path, engine, { ...decodeOptions(o, engine), language, task: o.task ?? 'transcribe', signal: hooks.signal, onProgress: hooks.onProgress });
    const segments = shift(suppressHallucinations(r.segments, { phrases: o.suppressNonSpeech !== false }), wav.offset);
    return { segments, language, languageConfidence: guess ? guess.confidence : null, duration: r.duration, task: o.task ?? 'transcribe' };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Language of an audio file or raw PCM buffer, from speech windows. */
export async function detectLanguage(input: string | Buffer, o: Omit<TranscribeMediaOptions, 'targetLang'>, hooks: { signal?: AbortSignal; engine: TranscriptionEngine }): Promise<LanguageGuess> {
  const tmp = await mkdtemp(join(tmpdir(), 'transcriptorio-'));
  try {
    const wav = await prepareWav(input, tmp, o.audioLanguage, hooks.signal, undefined, false, o.tools);
    return await detectLanguageInWav(wav.path, hooks.engine, detectOpts(o, tmp, hooks.signal));
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

function detectOpts(o: Omit<TranscribeMediaOptions, 'targetLang'>, tmpDir: string, signal: AbortSignal | undefined) {
  return { length: o.detectLanguageLength, offset: o.detectLanguageOffset, windows: o.detectLanguageWindows, tmpDir, signal };
}

function shift(segments: Segment[], offset: number): Segment[] {
  if (!offset) return segments;
  return segments.map((s) => ({ ...s, start: s.start + offset, end: s.end + offset, words: s.words?.map((w) => ({ ...w, start: w.start + offset, end: w.end + offset })) }));
}

/**
 * The input as a 16 kHz WAV in `tmp`. `requireComplete`: a library file whose
 * audio ends far before its container says fails as `incomplete_media`
 * (a provider upload arrived whole, its length is what the client sent).
 */
async function prepareWav(
  input: string | Buffer,
  tmp: string,
  audioLanguage: string | string[] | null | undefined,
  signal?: AbortSignal,
  onProgress?: (p: number) => void,
  requireComplete = false,
  tools?: Partial<MediaTools>,
): Promise<{ path: string; offset: number; audioOnly: boolean; trackLanguage?: string | null; trackSeconds: number | null; mediaSeconds: number | null }> {
  const path = join(tmp, 'audio.wav');
  if (Buffer.isBuffer(input)) {
    await writeFile(path, decodeRawPcm(input));
    return { path, offset: 0, audioOnly: true, trackSeconds: null, mediaSeconds: null };
  }
  const info = await probeMedia(input, signal, tools);
  const stream = selectAudioStream(info, Array.isArray(audioLanguage) ? audioLanguage : [audioLanguage]);
  const note = await extractAudio(input, stream, path, { duration: info.duration, signal, onProgress, tools });
  if (requireComplete) assertCompleteAudio(input, info, stream, (await openPcmWav(path)).duration, note);
  return {
    path,
    offset: Math.max(0, stream.startTime - info.formatStartTime),
    audioOnly: isAudioOnly(input, info),
    trackLanguage: stream.language,
    trackSeconds: stream.duration,
    mediaSeconds: info.durationEstimated ? null : info.duration,
  };
}

/** The pipeline workers call: one media file -> one subtitle in `targetLang`. */
export async function transcribeMedia(file: string, o: TranscribeMediaOptions, hooks: TranscribeHooks): Promise<TranscribeMediaResult> {
  const { engine } = hooks;
  const canTranslate = engine.capabilities.translate;
  const target = normalizeLanguage(o.targetLang);
  if (!target) throw new AppError(400, 'bad_language', `Unknown target language "${o.targetLang}"`);
  const source = o.sourceLang ? normalizeLanguage(o.sourceLang) : null;
  if (o.sourceLang && !source) throw new AppError(400, 'bad_language', `Unknown source language "${o.sourceLang}"`);
  const needsProviderFor = (audio: string) => chooseTask(audio, target, canTranslate).machineTranslate && !isTranslationConfigured(o.translation);
  const forced = normalizeLanguage(o.forceLanguage);
  if ((source ?? forced) && needsProviderFor((source ?? forced)!)) throw notConfigured(source ?? forced!, target);

  const writeOutput = o.writeOutput !== false;
  const rep = reporter(hooks);
  const tmp = await mkdtemp(join(tmpdir(), 'transcriptorio-'));
  const signal = hooks.signal;
  const check = () => {
    if (signal?.aborted) throw abortErr();
  };
  try {
    check();
    // A folder we cannot write fails now, not after the transcription (the name's format does not change the folder).
    if (writeOutput) assertOutputFolderWritable(subtitlePath(file, target, o.format ?? 'srt', o), file);
    rep.report('extracting_audio', 0);
    const wav = await prepareWav(file, tmp, o.audioLanguage, signal, (p) => rep.report('extracting_audio', p), true, o.tools);
    const format: SubtitleFormat = wav.audioOnly && o.lrcForAudioFiles ? 'lrc' : (o.format ?? 'srt');
    const outPath = writeOutput ? subtitlePath(file, target, format, o) : null;
    if (outPath) assertWritable(outPath); // before the heavy work, not after
    check();

    // A language tag on the track is the file's own statement; detection on a
    // random 30 s is the weaker evidence, so it is used only without one.
    const tagged = o.trustTrackLanguage !== false ? normalizeLanguage(wav.trackLanguage) : null;
    let audioLang = source ?? forced ?? tagged;
    let confidence: number | null = source ? null : forced ? 1 : null;
    if (!source && !forced && tagged && needsProviderFor(tagged)) throw notConfigured(tagged, target);
    if (!audioLang) {
      rep.report('detecting_language', 0);
      const g = await detectLanguageInWav(wav.path, engine, detectOpts(o, tmp, signal));
      audioLang = normalizeLanguage(g.language) ?? 'eng';
      confidence = g.confidence;
      rep.report('detecting_language', 100);
      if (needsProviderFor(audioLang)) throw notConfigured(audioLang, target);
    }
    const { task, machineTranslate } = chooseTask(audioLang, target, canTranslate);
    rep.setTranslating(machineTranslate);
    const provider = machineTranslate ? createTranslationProvider(o.translation) : null;
    check();

    rep.report('transcribing', 0);
    const q = o.quality ?? null;
    const decoding = { ...decodeOptions(o, engine), language: toWhisperCode(audioLang) ?? 'auto', task };
    const r = await transcribeWavChunked(wav.path, engine, { ...decoding, signal, onProgress: (p) => rep.report('transcribing', p), speechTmpDir: q ? tmp : undefined });
    const speech = r.speech ? shiftSpans(r.speech, wav.offset) : null;
    let raw: EngineSegment[] = shift(r.segments, wav.offset);
    let redecode: QualityReport['redecode'] | undefined;
    if (q?.retry.enabled && raw.length) {
      const retried = await redecodeFlagged(wav.path, raw, speech, await retryEngineOf(hooks), {
        decode: decoding,
        thresholds: q.thresholds,
        budgetSeconds: q.retry.budget * r.engineSeconds,
        costPerAudioSecond: r.engineSeconds / Math.max(1, r.duration),
        offset: wav.offset,
        signal,
      });
      raw = retried.segments;
      redecode = retried.redecode;
    }
    check();
    const filtered = filterHallucinations(raw, { phrases: o.suppressNonSpeech !== false });
    let segments: Segment[] = filtered.kept;
    const lb = o.lineBreak === false ? null : { ...DEFAULT_LINE_BREAK, ...(o.lineBreak ?? {}) };
    if (lb) segments = regroupSegments(segments, lb);
    check();

    if (provider) {
      rep.report('translating', 0);
      const from = toWhisperCode(audioLang) ?? audioLang;
      // A regional variant asked for (Bazarr's pt-BR, zh-TW) reaches the provider in its own spelling of it.
      const variant = o.targetVariant && o.translation?.provider ? translationTarget(o.targetVariant, o.translation.provider) : null;
      const to = variant ?? toWhisperCode(target) ?? target;
      segments = await translateSegments(segments, from, to, o.translation!, { provider, signal, onProgress: (p) => rep.report('translating', p) });
      if (lb) segments = segments.map((s) => ({ ...s, text: breakLines(s.text, lb.maxLineChars, lb.maxLines).join('\n') }));
    }
    check();
    // Reading speed: after regrouping and translation (the text read is the written one), before writing.
    if (q?.retime && lb) segments = retimeCues(segments, { maxCps: lb.maxCps, minDuration: lb.minDuration, maxDuration: lb.maxDuration, minGap: q.retime.minGap, speech, mediaEnd: wav.mediaSeconds });
    // The cues are judged by the limits they were laid out with (custom_regroup's sl= may set the line length).
    const limits = lb ? { maxCps: lb.maxCps, maxLineChars: lb.maxLineChars, maxLines: lb.maxLines, minDuration: lb.minDuration, maxDuration: lb.maxDuration } : {};
    const quality = q
      ? analyzeQuality(
          { cues: segments, segments: raw, suppressed: filtered.suppressed, speech, audioSeconds: r.duration, trackSeconds: wav.trackSeconds, mediaSeconds: wav.mediaSeconds },
          { ...q.thresholds, ...limits },
          redecode,
        )
      : null;

    // No speech: the job is done, and an empty file would only pass for a subtitle.
    if (outPath && segments.length > 0) {
      rep.report('writing', 0);
      const text = renderSubtitles(segments, format, { language: findLanguage(target)?.iso6391 ?? target, wordHighlight: o.wordHighlight });
      check();
      await writeSubtitleFile(outPath, text, { media: file, language: target, model: engine.label });
      rep.report('writing', 100);
    }
    rep.report('finalizing', 100);
    return {
      outputPath: segments.length > 0 ? outPath : null,
      segmentsCount: segments.length,
      language: audioLang,
      languageConfidence: confidence,
      modelUsed: engine.label,
      deviceUsed: engine.capabilities.device,
      vramUsedMb: null,
      task,
      segments,
      quality,
      speech: speech ? { spans: speech, seconds: wav.mediaSeconds ?? r.duration + wav.offset } : null,
    };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

function shiftSpans(spans: Span[], offset: number): Span[] {
  return offset ? spans.map((s) => ({ start: s.start + offset, end: s.end + offset })) : spans;
}

/** The engine of the second tries: quality_retry_model's when the caller has one and it starts, else the job's. */
async function retryEngineOf(hooks: TranscribeHooks): Promise<TranscriptionEngine> {
  if (!hooks.retryEngine) return hooks.engine;
  try {
    return await hooks.retryEngine();
  } catch {
    return hooks.engine;
  }
}

function notConfigured(audio: string, target: string): AppError {
  return new AppError(
    422,
    'translation_not_configured',
    `The audio is ${findLanguage(audio)?.name ?? audio} and the target is ${findLanguage(target)?.name ?? target}: that needs a translation provider, and none is configured (settings translation_provider, translation_url, translation_api_key). Nothing was written.`,
  );
}
