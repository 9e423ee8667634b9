import type { SettingDefinition } from '../settings.types.js';
import { DEFAULT_PROVIDER_PRESET, DEFAULT_QUALITY_PRESET, PRESET_BEAM_SIZE, QUALITY_PRESETS } from '../../quality-presets.js';

const presets = [...QUALITY_PRESETS];

/**
 * Engine, model, preset, VAD, language detection and translation settings.
 * Read by `pipelineOptionsFromSettings` in src/transcription/settings-map.ts;
 * model, preset and decoding settings only through `resolveTranscription`
 * (src/transcription/resolve.ts).
 */
export const transcriptionSettings = [
  // The original system's keys.
  { key: 'whisper_model', default: 'medium', category: 'transcription', value_type: 'string', description: 'Whisper model of every job: a catalogue name (tiny, base, small, medium, large-v3, large-v3-turbo, *.en, *-q5_0, *-q8_0) or a path to a ggml file. A preset uses its own model only when preset_<preset>_model is set' },
  { key: 'model_path', default: '', category: 'transcription', value_type: 'string', description: 'Folder where model files are stored and downloaded to; empty: models in the data folder (DATA_DIR/models), or the old ./models while it still holds the models' },
  { key: 'transcribe_device', default: 'cpu', category: 'transcription', value_type: 'string', choices: ['cpu', 'cuda', 'gpu'], description: 'Device for transcription (gpu means cuda)' },
  { key: 'cpu_compute_type', default: 'auto', category: 'transcription', value_type: 'string', choices: ['auto', 'int8', 'float32'], description: 'CPU weights: auto uses the model as named; int8 prefers the q8_0 file of the model' },
  { key: 'gpu_compute_type', default: 'auto', category: 'transcription', value_type: 'string', choices: ['auto', 'float16', 'float32', 'int8_float16', 'int8'], description: 'GPU weights: auto/float16 use the f16 file; int8 variants prefer the q8_0 file' },
  { key: 'whisper_threads', default: '4', category: 'transcription', value_type: 'integer', min: 1, max: 256, description: 'CPU threads per transcription' },
  { key: 'transcribe_or_translate', default: 'transcribe', category: 'transcription', value_type: 'string', choices: ['transcribe', 'translate'], description: 'Stated default intent; the task actually used follows the target language (English target + other audio = translate)' },
  { key: 'word_level_highlight', default: 'false', category: 'transcription', value_type: 'boolean', description: 'Word-level highlighting (karaoke tags) in ASS output; turns word timestamps on' },
  { key: 'detect_language_length', default: '30', category: 'transcription', value_type: 'integer', min: 1, max: 600, description: 'Seconds of speech per window used to detect the language' },
  { key: 'detect_language_offset', default: '0', category: 'transcription', value_type: 'integer', min: 0, max: 86400, description: 'Seconds into the audio where language detection starts' },
  { key: 'use_track_language', default: 'true', category: 'transcription', value_type: 'boolean', description: 'When the chosen audio track is tagged with a language, use it instead of detecting the language' },
  // Added by this product.
  { key: 'detect_language_windows', default: '3', category: 'transcription', value_type: 'integer', min: 1, max: 10, description: 'Number of speech windows whose language votes are combined (the best preset uses at least 5)' },
  { key: 'transcription_preset', default: DEFAULT_QUALITY_PRESET, category: 'transcription', value_type: 'string', choices: presets, description: 'Quality preset of jobs and scan rules created without one. fast: greedy decoding (beam 1, no temperature fallback); balanced: beam 5; best: beam 5, best_of 5, 5 language-detection windows. All use whisper_model unless the preset has its own model' },
  { key: 'provider_quality_preset', default: DEFAULT_PROVIDER_PRESET, category: 'transcription', value_type: 'string', choices: presets, description: 'Quality preset of provider requests (Bazarr /asr and /detect-language, OpenAI /v1/audio/*)' },
  { key: 'preset_fast_model', default: '', category: 'transcription', value_type: 'string', description: 'Model of the fast preset (empty: use whisper_model)' },
  { key: 'preset_fast_beam_size', default: String(PRESET_BEAM_SIZE.fast), category: 'transcription', value_type: 'integer', min: 1, max: 16, description: 'Beam size of the fast preset (1 = greedy)' },
  { key: 'preset_balanced_model', default: '', category: 'transcription', value_type: 'string', description: 'Model of the balanced preset (empty: use whisper_model)' },
  { key: 'preset_balanced_beam_size', default: String(PRESET_BEAM_SIZE.balanced), category: 'transcription', value_type: 'integer', min: 1, max: 16, description: 'Beam size of the balanced preset' },
  { key: 'preset_best_model', default: '', category: 'transcription', value_type: 'string', description: 'Model of the best preset (empty: use whisper_model)' },
  { key: 'preset_best_beam_size', default: String(PRESET_BEAM_SIZE.best), category: 'transcription', value_type: 'integer', min: 1, max: 16, description: 'Beam size of the best preset' },
  { key: 'whisper_best_of', default: '5', category: 'transcription', value_type: 'integer', min: 1, max: 16, description: 'Candidates sampled when the temperature is above 0 (the fast preset uses 1, the best preset at least 5)' },
  { key: 'whisper_temperature', default: '0', category: 'transcription', value_type: 'float', min: 0, max: 1, description: 'Sampling temperature of the first pass' },
  { key: 'whisper_temperature_fallback', default: 'true', category: 'transcription', value_type: 'boolean', description: 'Retry a window at higher temperatures when decoding fails (repetition, low log-probability); the fast preset never does' },
  { key: 'whisper_initial_prompt', default: '', category: 'transcription', value_type: 'string', description: 'Initial prompt (names, spelling, style) given to the decoder' },
  { key: 'whisper_word_timestamps', default: 'true', category: 'transcription', value_type: 'boolean', description: 'Word timestamps: better line breaks at pauses' },
  { key: 'gpu_device_index', default: '0', category: 'transcription', value_type: 'integer', min: 0, max: 63, description: 'CUDA device used by GPU engines when a worker is not given one' },
  { key: 'vad_enabled', default: 'true', category: 'transcription', value_type: 'boolean', description: 'Silero VAD: transcribe speech only (no cues over silence or music)' },
  { key: 'vad_model', default: 'silero-v6.2.0', category: 'transcription', value_type: 'string', description: 'VAD model: catalogue name or path to a ggml Silero file; silero-v6.2.0 is shipped with the product and used when model_path has no copy' },
  { key: 'vad_threshold', default: '0.5', category: 'transcription', value_type: 'float', min: 0.05, max: 0.95, description: 'Speech probability above which audio counts as speech' },
  { key: 'suppress_non_speech_phrases', default: 'true', category: 'transcription', value_type: 'boolean', description: 'Drop known hallucinated lines ("Thanks for watching!", "Subtitles by ...") and repeated lines' },
  { key: 'model_download_base_url', default: 'https://huggingface.co/ggerganov/whisper.cpp/resolve/main', category: 'transcription', value_type: 'string', description: 'Where ggml model files are downloaded from (TRANSCRIPTORIO_MODEL_BASE_URL overrides)' },
  { key: 'model_auto_download', default: 'true', category: 'transcription', value_type: 'boolean', description: 'Download a missing catalogue model when a job needs it' },
  { key: 'translation_provider', default: '', category: 'transcription', value_type: 'string', choices: ['', 'libretranslate', 'deepl', 'openai'], description: 'Machine translation for targets that are neither the audio language nor English (empty = none: such jobs fail)' },
  { key: 'translation_url', default: '', category: 'transcription', value_type: 'string', description: 'Translation endpoint URL (LibreTranslate base URL, DeepL API URL, or OpenAI-compatible base URL)' },
  { key: 'translation_api_key', default: '', category: 'transcription', value_type: 'secret', description: 'Translation API key' },
  { key: 'translation_model', default: 'gpt-4o-mini', category: 'transcription', value_type: 'string', description: 'Chat model for the OpenAI-compatible provider' },
  { key: 'translation_batch_size', default: '40', category: 'transcription', value_type: 'integer', min: 1, max: 500, description: 'Cues per translation request' },
  { key: 'translation_timeout_seconds', default: '60', category: 'transcription', value_type: 'integer', min: 1, max: 3600, description: 'Longest wait for one translation request before it is retried (then the job fails)' },
] as const satisfies readonly SettingDefinition[];
