/**
 * Query parameters of whisper-asr-webservice's /asr and /detect-language,
 * checked one by one so a bad value is a 400 that names the parameter.
 */
import { badRequest } from '../errors.js';
import { toWhisperCode } from '../languages.js';

const ASR_OUTPUTS = ['txt', 'vtt', 'srt', 'tsv', 'json'] as const;
export type AsrOutput = (typeof ASR_OUTPUTS)[number];
const TASKS = ['transcribe', 'translate'] as const;
type AsrTask = (typeof TASKS)[number];

/** What decides the transcription (and so the dedup key); the output format is only rendering. */
export interface AsrJobParams {
  task: AsrTask;
  /** Whisper code, null = detect */
  language: string | null;
  initialPrompt: string | null;
  /** null = the vad_enabled setting decides */
  vad: boolean | null;
  temperature: number | null;
  /** an installed model chosen by the request (OpenAI `model`); null = the settings decide */
  model?: string | null;
}

interface AsrRequest extends AsrJobParams {
  encode: boolean;
  output: AsrOutput;
  /** words are always computed (regrouping needs them); this only decides whether the answer lists them */
  wordTimestamps: boolean;
  /** the client's media path (subgen-style `video_file`), used to name the answer */
  videoFile: string | null;
}

type Query = Record<string, unknown>;

function one(q: Query, name: string): string | undefined {
  const v = q[name];
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) {
    if (v.length !== 1) throw badRequest(`${name} was given ${v.length} times; give it once`, 'bad_parameter');
    return String(v[0]);
  }
  return String(v);
}

export function parseBool(q: Query, name: string, fallback: boolean): boolean;
export function parseBool(q: Query, name: string, fallback: null): boolean | null;
export function parseBool(q: Query, name: string, fallback: boolean | null): boolean | null {
  const v = one(q, name);
  if (v === undefined || v === '') return fallback;
  const s = v.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(s)) return true;
  if (['false', '0', 'no', 'off'].includes(s)) return false;
  throw badRequest(`${name} must be true or false, got "${v}"`, 'bad_parameter');
}

/** Whisper's two-letter codes, also ISO 639-2 (`eng`, `fre`/`fra`) and names; null when absent or "auto". */
export function parseLanguage(value: string | undefined, name = 'language'): string | null {
  if (value === undefined || value.trim() === '' || value.trim().toLowerCase() === 'auto') return null;
  const code = toWhisperCode(value);
  if (!code) throw badRequest(`${name} "${value}" is not a language Whisper knows: use a code such as en, es, ja (or eng, spa, jpn)`, 'bad_language');
  return code;
}

export function parseAsrQuery(q: Query): AsrRequest {
  const task = one(q, 'task') || 'transcribe';
  if (!TASKS.includes(task as AsrTask)) throw badRequest(`task must be transcribe or translate, got "${task}"`, 'bad_task');
  const output = (one(q, 'output') || 'txt').toLowerCase();
  if (!ASR_OUTPUTS.includes(output as AsrOutput)) throw badRequest(`output must be one of ${ASR_OUTPUTS.join(', ')}, got "${output}"`, 'bad_output');
  const prompt = one(q, 'initial_prompt');
  return {
    encode: parseBool(q, 'encode', true),
    task: task as AsrTask,
    language: parseLanguage(one(q, 'language')),
    initialPrompt: prompt && prompt.trim() ? prompt : null,
    output: output as AsrOutput,
    wordTimestamps: parseBool(q, 'word_timestamps', false),
    vad: parseBool(q, 'vad_filter', null),
    temperature: null,
    model: null,
    videoFile: one(q, 'video_file')?.trim() || null,
  };
}

export function parseDetectQuery(q: Query): { encode: boolean } {
  return { encode: parseBool(q, 'encode', true) };
}
