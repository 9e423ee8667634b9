/** The scan rules API's request and response schemas (the preview's too: its route lives with the scanner). */
import { Type } from '@fastify/type-provider-typebox';
import { Nullable, OneOf } from '../http/schemas.js';
import { JOB_MODES } from '../job-kinds.js';
import { QUALITY_PRESETS } from '../quality-presets.js';

const Conditions = Type.Object({
  audio_language_is: Nullable(Type.String()),
  audio_language_not: Nullable(Type.String()),
  audio_track_count_min: Nullable(Type.Integer()),
  has_embedded_subtitle_lang: Nullable(Type.String()),
  missing_embedded_subtitle_lang: Nullable(Type.String()),
  missing_external_subtitle_lang: Nullable(Type.String()),
  file_extension: Nullable(Type.String()),
  audio_is_original_language: Type.Optional(Nullable(Type.Boolean({ description: "true: the audio track must be in the media's original language (Sonarr/Radarr originalLanguage); skips dubs" }))),
});
const Action = Type.Object({
  action_type: OneOf(JOB_MODES), target_language: Type.String(), quality_preset: OneOf(QUALITY_PRESETS), job_priority: Type.Integer(),
  sync_external_subtitles: Type.Boolean({ description: 'External subtitles in target_language are synced to the audio on their own when the sync check finds them out of sync and the quality gate passes (the original kept, with Undo)' }),
});
export const RuleSchema = Type.Object({
  id: Type.Integer(), name: Type.String(), enabled: Type.Boolean(), priority: Type.Integer(),
  conditions: Conditions, action: Action, created_at: Type.String(), updated_at: Nullable(Type.String()),
});
const ConditionsInput = Type.Record(Type.String(), Type.Union([Type.String(), Type.Integer(), Type.Boolean(), Type.Null()]), {
  description: 'Any of: ' + Object.keys(Conditions.properties).join(', '),
});
const ActionInput = Type.Object({
  action_type: Type.Optional(OneOf(JOB_MODES, { description: 'transcribe or translate', error: 'bad_action', message: 'action.action_type must be transcribe or translate, got "{value}"' })),
  target_language: Type.Optional(Type.String({ description: 'ISO 639-2' })),
  quality_preset: Type.Optional(OneOf(QUALITY_PRESETS, { description: 'fast, balanced, best', error: 'bad_action' })),
  job_priority: Type.Optional(Type.Integer()),
  sync_external_subtitles: Type.Optional(Type.Boolean({ description: 'Sync external subtitles in target_language automatically when the gate passes (default false)' })),
});
export const CreateBody = Type.Object({
  name: Type.String({ minLength: 1 }),
  enabled: Type.Optional(Type.Boolean()),
  priority: Type.Optional(Type.Integer()),
  conditions: Type.Optional(ConditionsInput),
  action: ActionInput,
});
export const UpdateBody = Type.Partial(CreateBody);
export const PreviewBody = Type.Object({
  rule_id: Type.Optional(Nullable(Type.Integer({ description: 'The rule being edited: the draft takes its place among the enabled rules' }))),
  name: Type.Optional(Type.String()),
  priority: Type.Optional(Type.Integer()),
  conditions: Type.Optional(ConditionsInput),
  action: Type.Optional(ActionInput),
  count: Type.Optional(Type.Boolean({ default: true, description: 'false: only explain the action, do not count the library files (matches and files_checked are 0)' })),
});
const Explanation = Type.Object({
  summary: Type.String({ description: 'What the action does, e.g. "Japanese audio → Spanish subtitles: Whisper transcribes Japanese, then DeepL translates it into Spanish"' }),
  source_language: Nullable(Type.String()),
  target_language: Type.String(),
  whisper_task: Type.Union([Type.Literal('transcribe'), Type.Literal('translate'), Type.Literal('depends')]),
  machine_translation: Type.Union([Type.Literal('always'), Type.Literal('never'), Type.Literal('sometimes')]),
  translation_provider: Nullable(Type.String({ description: 'The configured translation provider; null when none is' })),
  needs_translation_provider: Type.Boolean({ description: 'Some or all of the jobs need a translation provider and none is configured' }),
  warning: Nullable(Type.String()),
  action_type_note: Nullable(Type.String()),
  preset: Type.String(),
  model: Type.String({ description: 'The model the preset resolves to (what the workers load)' }),
  model_source: Type.String({ description: 'The setting that chose the model' }),
  model_installed: Type.Boolean(),
  beam_size: Type.Integer(),
  device: Type.String(),
});
export const PreviewSchema = Type.Object({
  explanation: Explanation,
  matches: Type.Integer({ description: 'Library files this rule alone would queue now (from the probe cache: nothing is probed)' }),
  taken_by_other_rules: Type.Integer({ description: 'Of the matches, files a higher-priority enabled rule takes first' }),
  already_queued: Type.Integer({ description: 'Of the matches, files with a queued or running job' }),
  files_checked: Type.Integer({ description: 'Library files the probe cache knows' }),
  sample: Type.Array(Type.Object({ path: Type.String(), reason: Type.String() }), { description: 'Up to 10 matching files not queued yet' }),
});
export const IdParams = Type.Object({ rule_id: Type.Integer() });
