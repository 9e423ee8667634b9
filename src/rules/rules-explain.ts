/**
 * What a rule's action will do, in words a person reads in the rule editor:
 * which Whisper task runs, whether a translation provider follows (and
 * whether one is configured), and which model and decoding the rule's preset
 * resolves to. The task choice is the pipeline's own (`chooseTask`), the
 * model the resolver's (`resolveTranscription`), so the editor never guesses.
 */
import { languageName, normalizeLanguage } from '../languages.js';
import { chooseTask } from '../transcription/pipeline.js';
import { resolveTranscription } from '../transcription/resolve.js';
import { pipelineOptionsFromSettings } from '../transcription/settings-map.js';
import type { SettingsGet } from '../transcription/setting-get.js';
import { isTranslationConfigured } from '../transcription/translate.js';
import type { RuleAction, RuleConditions } from './rules.service.js';

export interface RuleExplanation {
  /** one sentence: "Japanese audio → Spanish subtitles: Whisper transcribes Japanese, then LibreTranslate translates it into Spanish" */
  summary: string;
  source_language: string | null;
  target_language: string;
  /** Whisper's task: `depends` when the audio language is not fixed by the rule */
  whisper_task: 'transcribe' | 'translate' | 'depends';
  /** whether machine translation follows Whisper: always, never, or only for some audio languages */
  machine_translation: 'always' | 'never' | 'sometimes';
  /** the configured provider (libretranslate, deepl, openai), null when none is */
  translation_provider: string | null;
  /** the rule's files (some or all) need a translation provider and none is configured: such jobs fail */
  needs_translation_provider: boolean;
  /** what is wrong and how to fix it, null when nothing is */
  warning: string | null;
  /** a remark on the Transcribe / Translate choice, which does not change what is made */
  action_type_note: string | null;
  preset: string;
  model: string;
  /** which setting chose the model (whisper_model or preset_<name>_model) */
  model_source: string;
  model_installed: boolean;
  beam_size: number;
  device: string;
}

const PROVIDER_NAMES: Record<string, string> = { libretranslate: 'LibreTranslate', deepl: 'DeepL', openai: 'the OpenAI-compatible translator' };
const nameOf = (code: string) => languageName(code)?.split(/[;,]/)[0].trim() ?? code;

/**
 * Whether a rule's jobs need machine translation after Whisper: always (the
 * audio language is fixed and is neither the target nor translated into
 * English by Whisper), never, or for some files (the audio language is open).
 * The one answer the rule editor, the health check and the setup wizard use.
 */
function machineTranslationOf(conditions: Partial<RuleConditions>, targetLanguage: string): RuleExplanation['machine_translation'] {
  const target = normalizeLanguage(targetLanguage) ?? targetLanguage;
  const source = conditions.audio_language_is ? normalizeLanguage(conditions.audio_language_is) : null;
  if (source) return chooseTask(source, target).machineTranslate ? 'always' : 'never';
  if (target === 'eng') return 'never';
  const excluded = (conditions.audio_language_not ?? '').split(',').map((x) => normalizeLanguage(x.trim())).filter(Boolean);
  // "Audio not Spanish → Spanish": every file needs a translation.
  return excluded.includes(target) ? 'always' : 'sometimes';
}

/** A rule whose jobs (some or all) fail without a translation provider. */
export function ruleNeedsTranslation(rule: { conditions: Partial<RuleConditions>; action: Pick<RuleAction, 'target_language'> }): boolean {
  return machineTranslationOf(rule.conditions, rule.action.target_language) !== 'never';
}

export function explainRuleAction(conditions: Partial<RuleConditions>, action: RuleAction, get: SettingsGet): RuleExplanation {
  const target = normalizeLanguage(action.target_language) ?? action.target_language;
  const source = conditions.audio_language_is ? normalizeLanguage(conditions.audio_language_is) : null;
  const options = pipelineOptionsFromSettings(get, { quality_preset: action.quality_preset });
  const configured = isTranslationConfigured(options.translation) ? (options.translation?.provider ?? null) : null;
  const provider = configured ? (PROVIDER_NAMES[configured] ?? configured) : null;
  const t = nameOf(target);
  const resolved = resolveTranscription({ quality_preset: action.quality_preset }, get);

  let summary: string;
  let whisperTask: RuleExplanation['whisper_task'];
  let machine: RuleExplanation['machine_translation'];
  if (source) {
    const s = nameOf(source);
    const { task, machineTranslate } = chooseTask(source, target);
    whisperTask = task;
    machine = machineTranslate ? 'always' : 'never';
    summary = !machineTranslate
      ? task === 'translate'
        ? `${s} audio → ${t} subtitles: Whisper translates ${s} into English itself`
        : `${s} audio → ${t} subtitles: Whisper transcribes ${s}`
      : `${s} audio → ${t} subtitles: Whisper transcribes ${s}, then ${provider ?? 'a translation provider'} translates it into ${t}`;
  } else if (target === 'eng') {
    whisperTask = 'depends';
    machine = 'never';
    summary = `${t} subtitles: Whisper transcribes English audio, and translates audio in any other language into English itself`;
  } else {
    machine = machineTranslationOf(conditions, target);
    whisperTask = 'transcribe';
    summary =
      machine === 'always'
        ? `→ ${t} subtitles: Whisper transcribes the audio, then ${provider ?? 'a translation provider'} translates it into ${t}`
        : `→ ${t} subtitles: Whisper transcribes ${t} audio as it is; audio in another language is transcribed, then translated into ${t} by ${provider ?? 'a translation provider'}`;
  }
  const needs = machine !== 'never' && !configured;
  const warning = needs
    ? `Needs a translation provider: ${machine === 'always' ? 'these jobs' : `jobs for audio that is not ${t}`} fail until one is set up in Settings (Whisper itself only translates into English).`
    : null;
  const actionNote =
    action.action_type === 'translate' && target !== 'eng'
      ? `“Translate” does not change what is made: the subtitle is in ${t}, and Whisper can only translate into English itself.`
      : action.action_type === 'transcribe' && source && source !== target && target === 'eng'
        ? 'Whisper makes English subtitles from other languages itself, whichever task is chosen.'
        : null;
  return {
    summary,
    source_language: source,
    target_language: target,
    whisper_task: whisperTask,
    machine_translation: machine,
    translation_provider: configured,
    needs_translation_provider: needs,
    warning,
    action_type_note: actionNote,
    preset: resolved.preset,
    model: resolved.label,
    model_source: resolved.modelSource,
    model_installed: resolved.modelInstalled,
    beam_size: resolved.decoding.beamSize,
    device: resolved.device,
  };
}
