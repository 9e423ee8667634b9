import type { SettingDefinition } from '../settings.types.js';

/**
 * How good a subtitle must be (src/transcription/quality/, docs/QUALITY.md):
 * the thresholds of the quality report, the review queue, the re-decode of
 * bad segments and the reading-speed retiming. Defaults and where each comes
 * from are in docs/QUALITY.md.
 */
export const qualitySettings = [
  { key: 'quality_review_threshold', default: '65', category: 'quality', value_type: 'integer', min: 0, max: 100, description: 'A subtitle whose quality score (0-100) is under this needs review: it is flagged in the Queue and the Library and not sent to Bazarr until accepted. 0 never flags' },
  { key: 'quality_min_avg_logprob', default: '-1', category: 'quality', value_type: 'float', min: -10, max: 0, description: "A segment whose average token log-probability is under this is low confidence (whisper's own -1.0)" },
  { key: 'quality_max_no_speech_prob', default: '0.6', category: 'quality', value_type: 'float', min: 0, max: 1, description: "A segment whose no-speech probability is over this is probably not speech (whisper's own 0.6)" },
  { key: 'quality_max_compression_ratio', default: '2.4', category: 'quality', value_type: 'float', min: 1, max: 10, description: "A segment whose text compresses (gzip) better than this ratio is a loop (whisper's own 2.4)" },
  { key: 'quality_max_repeated_line_ratio', default: '0.2', category: 'quality', value_type: 'float', min: 0, max: 1, description: 'Share of cues that repeat an earlier line above which the subtitle loops' },
  { key: 'quality_max_silence_share', default: '0.5', category: 'quality', value_type: 'float', min: 0, max: 1, description: 'A cue with more than this share of its time outside detected speech is text over silence' },
  { key: 'quality_max_overrun_seconds', default: '30', category: 'quality', value_type: 'float', min: 0, max: 3600, description: "Seconds the last cue may end past the media's end before the subtitle counts as out of sync" },
  { key: 'quality_retry_enabled', default: 'true', category: 'quality', value_type: 'boolean', description: 'Decode flagged segments (low confidence, loops, text over silence) once more, alone and with safer decoding, and keep the better result' },
  { key: 'quality_retry_model', default: '', category: 'quality', value_type: 'string', description: 'An installed model for the second try of flagged segments (e.g. a larger one); empty: the job\'s own model' },
  { key: 'quality_retry_budget', default: '0.25', category: 'quality', value_type: 'float', min: 0, max: 2, description: "Most time spent re-decoding, as a share of the first pass's engine time" },
  { key: 'quality_block_bazarr_sync', default: 'true', category: 'quality', value_type: 'boolean', description: 'The Bazarr sync does not upload a subtitle that needs review until it is accepted' },
  { key: 'subtitle_min_gap', default: '0.083', category: 'quality', value_type: 'float', min: 0, max: 2, description: 'Shortest gap kept between two cues when the retiming lengthens one, seconds (2 frames at 24 fps)' },
  { key: 'subtitle_retime', default: 'true', category: 'quality', value_type: 'boolean', description: 'Lengthen cues that are too fast to read (over subtitle_max_cps) or too short (under subtitle_min_duration), into the silence after them; starts never move' },
  // Subtitle sync (src/sync/, docs/SYNC.md): the aligner's search and its quality gate, and the background check.
  { key: 'sync_max_offset_seconds', default: '60', category: 'quality', value_type: 'float', min: 1, max: 900, description: 'Subtitle sync searches offsets up to this many seconds either way; a best offset at the bound is refused (it may lie beyond)' },
  { key: 'sync_split_penalty', default: '7', category: 'quality', value_type: 'float', min: 0, max: 600, description: 'What one split (a part of the subtitle moved by another offset, as after an ad break) costs, in seconds of cue time it must move from silence onto speech' },
  { key: 'sync_min_gain', default: '0.05', category: 'quality', value_type: 'float', min: 0, max: 1, description: 'A sync is written only when it raises the share of cue time over speech by at least this much' },
  { key: 'sync_min_block_speech_seconds', default: '10', category: 'quality', value_type: 'float', min: 0, max: 3600, description: 'Every part of a split sync must lie over at least this many seconds of speech' },
  { key: 'sync_check_enabled', default: 'true', category: 'quality', value_type: 'boolean', description: 'Measure the library\'s text subtitles against the audio in the background and mark those out of sync (nothing is changed)' },
  { key: 'sync_check_interval_minutes', default: '30', category: 'quality', value_type: 'integer', min: 1, max: 10080, description: 'Minutes between two rounds of the background sync check' },
  { key: 'sync_check_per_round', default: '20', category: 'quality', value_type: 'integer', min: 0, max: 10000, description: 'Most media files whose subtitles one round of the sync check measures' },
  { key: 'sync_check_listen_per_round', default: '5', category: 'quality', value_type: 'integer', min: 0, max: 10000, description: 'Of those, most files whose speech is not known yet and must be listened to (speech detection on the audio); 0: only files already transcribed or synced' },
] as const satisfies readonly SettingDefinition[];
