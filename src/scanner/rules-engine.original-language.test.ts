/** The media's original language (Sonarr/Radarr) in the rules engine: the track it picks, the dub condition, and upgrades. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ScanRule } from '../rules/rules.service.js';
import { DEFAULT_SKIP, evaluateFile } from './rules-engine.js';
import type { MediaAnalysis } from './media-analyzer.js';

const track = (index: number, language: string | null, isDefault = false) => ({ index, stream_index: index + 1, codec: 'aac', language, channels: 2, default: isDefault, title: null });

function media(o: Partial<MediaAnalysis> = {}): MediaAnalysis {
  return { file_path: '/m/Show.mkv', audio_tracks: [track(0, 'eng', true), track(1, 'jpn')], embedded_subtitles: [], external_subtitles: [], duration_seconds: 10, is_video: true, format_name: 'matroska,webm', ...o };
}

function rule(original: boolean | null): ScanRule {
  return {
    id: 1, name: 'r', enabled: true, priority: 0,
    conditions: { audio_language_is: null, audio_language_not: null, audio_track_count_min: null, has_embedded_subtitle_lang: null, missing_embedded_subtitle_lang: null, missing_external_subtitle_lang: null, file_extension: null, audio_is_original_language: original },
    action: { action_type: 'transcribe', target_language: 'eng', quality_preset: 'fast', job_priority: 0, sync_external_subtitles: false },
    created_at: '2025-01-01T00:00:00.000Z', updated_at: null,
  };
}

const decide = (a: MediaAnalysis, r: ScanRule, originalLanguage: string | null, redo?: Set<string>) => evaluateFile({ analysis: a, rules: [r], skip: DEFAULT_SKIP, hasLiveJob: false, originalLanguage, redo });

test('the original language picks its track over the default one', () => {
  assert.equal(decide(media(), rule(null), 'jpn').plan?.options.audio_track_index, 1);
  assert.equal(decide(media(), rule(null), null).plan?.options.audio_track_index, 0, 'unknown: the default track as before');
});

test('audio_is_original_language skips dubs and files whose original language is unknown', () => {
  assert.equal(decide(media(), rule(true), 'jpn').action, 'job');
  const dub = decide(media({ audio_tracks: [track(0, 'eng', true)] }), rule(true), 'jpn');
  assert.equal(dub.action, 'skip');
  assert.match(dub.reason, /no audio track in the original language \(Japanese\): a dub/);
  assert.match(decide(media(), rule(true), null).reason, /original language unknown/);
});

test('a subtitle to redo no longer counts as present; any other still does', () => {
  const ours = { path: '/m/Show.eng.srt', language: 'eng', format: 'srt', forced: false, sdh: false, generated: true };
  const a = media({ external_subtitles: [ours] });
  assert.equal(decide(a, rule(null), null).action, 'skip');
  assert.equal(decide(a, rule(null), null, new Set([ours.path])).action, 'job');
  const user = { ...ours, path: '/m/Show.en.srt', generated: false };
  assert.equal(decide(media({ external_subtitles: [ours, user] }), rule(null), null, new Set([ours.path])).action, 'skip');
});
