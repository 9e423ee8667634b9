import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ScanRule } from '../rules/rules.service.js';
import { DEFAULT_SKIP, evaluateFile, matchRule, type SkipSettings } from './rules-engine.js';
import type { MediaAnalysis } from './media-analyzer.js';

const track = (index: number, language: string | null, isDefault = false) => ({ index, stream_index: index + 1, codec: 'aac', language, channels: 2, default: isDefault, title: null });
const embedded = (index: number, language: string, forced = false) => ({ index, stream_index: 10 + index, language, codec: 'subrip', forced, default: false, hearing_impaired: false, title: null });
const external = (path: string, language: string, o: { forced?: boolean; generated?: boolean } = {}) => ({ path, language, format: 'srt', forced: !!o.forced, sdh: false, generated: !!o.generated });

function media(o: Partial<MediaAnalysis> = {}): MediaAnalysis {
  return { file_path: '/m/Movie.mkv', audio_tracks: [track(0, 'jpn', true)], embedded_subtitles: [], external_subtitles: [], duration_seconds: 10, is_video: true, format_name: 'matroska,webm', ...o };
}

let nextId = 1;
function rule(o: { name?: string; priority?: number; enabled?: boolean; conditions?: Partial<ScanRule['conditions']>; target?: string; action_type?: ScanRule['action']['action_type']; job_priority?: number } = {}): ScanRule {
  return {
    id: nextId++, name: o.name ?? `rule ${nextId}`, enabled: o.enabled ?? true, priority: o.priority ?? 0,
    conditions: { audio_language_is: null, audio_language_not: null, audio_track_count_min: null, has_embedded_subtitle_lang: null, missing_embedded_subtitle_lang: null, missing_external_subtitle_lang: null, file_extension: null, ...o.conditions },
    action: { action_type: o.action_type ?? 'transcribe', target_language: o.target ?? 'spa', quality_preset: 'fast', job_priority: o.job_priority ?? 5, sync_external_subtitles: false },
    created_at: '2025-01-01T00:00:00.000Z', updated_at: null,
  };
}

const decide = (a: MediaAnalysis, rules: ScanRule[], skip: Partial<SkipSettings> = {}, hasLiveJob = false, ignoredBy: string | null = null) => evaluateFile({ analysis: a, rules, skip: { ...DEFAULT_SKIP, ...skip }, hasLiveJob, ignoredBy });

test('the highest-priority enabled matching rule makes the job, with the matched track language', () => {
  const low = rule({ name: 'low', priority: 1, target: 'eng' });
  const high = rule({ name: 'high', priority: 10, conditions: { audio_language_is: 'eng' }, target: 'fra', action_type: 'translate', job_priority: 7 });
  const off = rule({ name: 'off', priority: 99, enabled: false });
  const d = decide(media({ audio_tracks: [track(0, 'jpn', true), track(1, 'eng')] }), [low, off, high]);
  assert.equal(d.action, 'job');
  assert.equal(d.rule_name, 'high');
  assert.equal(d.target_language, 'fra');
  assert.deepEqual(d.plan, {
    target_lang: 'fra', source_lang: 'eng', quality_preset: 'fast', priority: 7, transcribe_or_translate: 'translate',
    options: { audio_language: 'eng', audio_track_index: 1, rule_id: high.id, rule_name: 'high' },
  });
  // Without an audio condition the default track is the source.
  const d2 = decide(media({ audio_tracks: [track(0, 'jpn', true), track(1, 'fra')] }), [low, high]);
  assert.equal(d2.rule_name, 'low');
  assert.equal(d2.plan?.source_lang, 'jpn');
});

test('every condition must hold', () => {
  const a = media({
    file_path: '/m/Show.mkv',
    audio_tracks: [track(0, 'jpn', true), track(1, 'eng')],
    embedded_subtitles: [embedded(0, 'eng'), embedded(1, 'spa', true)],
    external_subtitles: [external('/m/Show.fr.srt', 'fra')],
  });
  const ok = (c: Partial<ScanRule['conditions']>) => matchRule(rule({ conditions: c }), a) !== null;
  assert.ok(ok({ audio_language_is: 'jpn' }));
  assert.ok(!ok({ audio_language_is: 'deu' }));
  assert.ok(!ok({ audio_language_not: 'eng,deu' }), 'a file with English audio is not "audio not English"');
  assert.ok(ok({ audio_language_not: 'deu,ita' }));
  assert.ok(ok({ audio_track_count_min: 2 }));
  assert.ok(!ok({ audio_track_count_min: 3 }));
  assert.ok(ok({ has_embedded_subtitle_lang: 'eng' }));
  assert.ok(!ok({ has_embedded_subtitle_lang: 'deu' }));
  assert.ok(ok({ missing_embedded_subtitle_lang: 'spa' }), 'a forced track does not count as having the language');
  assert.ok(!ok({ missing_embedded_subtitle_lang: 'eng' }));
  assert.ok(!ok({ missing_external_subtitle_lang: 'fra' }));
  assert.ok(ok({ missing_external_subtitle_lang: 'spa' }));
  assert.ok(ok({ file_extension: '.mp4,.mkv' }));
  assert.ok(!ok({ file_extension: '.mp4,.avi' }));
  assert.ok(!ok({ audio_language_is: 'jpn', file_extension: '.mp4' }), 'conditions are ANDed');
  assert.equal(matchRule(rule({ conditions: { missing_embedded_subtitle_lang: 'spa' } }), a, { ...DEFAULT_SKIP, skipForcedSubtitles: false }), null);
});

test('skip reasons name the cause', () => {
  const r = rule({ name: 'jpn to spa', conditions: { audio_language_is: 'jpn' }, target: 'spa' });
  assert.equal(decide(media(), [r], {}, true).reason, 'a job is already queued or running for this file');
  assert.equal(decide(media({ audio_tracks: [] }), [r]).reason, 'no audio track');
  assert.equal(decide(media(), []).reason, 'no enabled scan rules');
  assert.equal(decide(media({ audio_tracks: [track(0, 'kor'), track(1, null)] }), [r]).reason, 'Korean audio, not Japanese (nearest rule: "jpn to spa")');
  assert.equal(decide(media({ audio_tracks: [track(0, null)] }), [r]).reason, 'audio language unknown: no track is tagged, and Japanese audio is required (nearest rule: "jpn to spa")');
  assert.equal(decide(media(), [r], {}, false, 'Movie.mkv.notranscribe').reason, 'marked not to transcribe: Movie.mkv.notranscribe');

  const withEs = media({ external_subtitles: [external('/m/Movie.es.srt', 'spa')] });
  const d = decide(withEs, [r]);
  assert.equal(d.action, 'skip');
  assert.equal(d.reason, 'Spanish subtitle already exists: Movie.es.srt');
  assert.equal(d.rule_id, r.id);
  assert.equal(decide(withEs, [r], { skipIfTargetSubtitlesExist: false }).action, 'job', 'the setting off lets a user subtitle stand beside ours');

  const embeddedEs = media({ embedded_subtitles: [embedded(0, 'spa')] });
  assert.equal(decide(embeddedEs, [r]).reason, 'Spanish embedded subtitle already exists (track 0)');
  const forcedEs = media({ embedded_subtitles: [embedded(0, 'spa', true)], external_subtitles: [external('/m/Movie.es.forced.srt', 'spa', { forced: true })] });
  assert.equal(decide(forcedEs, [r]).action, 'job', 'forced subtitles are ignored');
  assert.equal(decide(forcedEs, [r], { skipForcedSubtitles: false }).action, 'skip');

  const ours = media({ external_subtitles: [external('/m/Movie.spa.srt', 'spa', { generated: true })] });
  assert.equal(decide(ours, [r], { skipIfTargetSubtitlesExist: false }).reason, 'Spanish subtitle already generated: Movie.spa.srt', 'our own output always blocks');
});

test('skip settings', () => {
  const r = rule({ target: 'spa' });
  const a = media({
    audio_tracks: [track(0, 'jpn', true)],
    embedded_subtitles: [embedded(0, 'eng')],
    external_subtitles: [external('/m/Movie.fr.srt', 'fra')],
  });
  assert.equal(decide(a, [r]).action, 'job');
  assert.match(decide(a, [r], { skipIfExternalSubtitlesExist: true }).reason, /external subtitle exists: Movie\.fr\.srt/);
  assert.match(decide(a, [r], { skipIfInternalSubtitlesLanguage: ['eng'] }).reason, /English embedded subtitle exists/);
  assert.match(decide(a, [r], { skipSubtitleLanguages: ['fra'] }).reason, /French subtitle exists: Movie\.fr\.srt/);
  assert.match(decide(a, [r], { skipIfAudioLanguages: ['jpn'] }).reason, /Japanese audio is listed in skip_if_audio_languages/);
  assert.equal(decide(media({ audio_tracks: [track(0, null)] }), [r], { skipUnknownLanguage: true }).reason, 'audio language unknown (skip_unknown_language is on)');
  assert.equal(decide(media({ audio_tracks: [track(0, null)] }), [r]).action, 'job');
  // Only our own subtitles count: the user's French file and the embedded track no longer cause skips.
  const only = { skipOnlySubgenSubtitles: true };
  assert.equal(decide(a, [r], { ...only, skipIfExternalSubtitlesExist: true, skipSubtitleLanguages: ['fra', 'eng'] }).action, 'job');
  const withUserEs = media({ external_subtitles: [external('/m/Movie.es.srt', 'spa')] });
  assert.equal(decide(withUserEs, [r], only).action, 'job');
});

test('when no rule matches, the nearest rule tells why: a user subtitle already there, not a generic "no match"', () => {
  const spa = rule({ name: 'Japanese to Spanish', priority: 5, conditions: { audio_language_is: 'jpn', missing_external_subtitle_lang: 'spa' }, target: 'spa' });
  const fr = rule({ name: 'French', priority: 9, conditions: { audio_language_is: 'fra', has_embedded_subtitle_lang: 'eng' }, target: 'eng' });
  const ep = media({ file_path: '/tv/Show S01E02.mkv', external_subtitles: [external('/tv/Show S01E02.spa.srt', 'spa')] });
  const d = decide(ep, [fr, spa]);
  assert.equal(d.action, 'skip');
  assert.equal(d.reason, 'already has Spanish subtitles: Show S01E02.spa.srt (nearest rule: "Japanese to Spanish")', 'the rule with one failing condition is nearer than the one with two');
  const embeddedSpa = media({ embedded_subtitles: [embedded(2, 'spa')] });
  const both = rule({ name: 'both', conditions: { audio_language_is: 'jpn', missing_embedded_subtitle_lang: 'spa', audio_track_count_min: 2 } });
  assert.equal(decide(embeddedSpa, [both]).reason, '1 audio track, fewer than the 2 required; also already has Spanish subtitles: embedded track 2 (nearest rule: "both")');
  const ext = rule({ name: 'mp4 only', conditions: { file_extension: '.mp4' } });
  assert.equal(decide(media(), [ext]).reason, '.mkv extension is not one of .mp4 (nearest rule: "mp4 only")');
  const notJa = rule({ name: 'not ja', conditions: { audio_language_not: 'jpn' } });
  assert.equal(decide(media(), [notJa]).reason, 'has Japanese audio (track 0) (nearest rule: "not ja")');
});

test('a queued file names its rule once', () => {
  const r = rule({ name: 'Anime', conditions: { audio_language_is: 'jpn' }, target: 'spa' });
  const d = decide(media(), [r]);
  assert.equal(d.reason, 'rule "Anime": Japanese audio → Spanish subtitles');
  assert.equal(d.reason.split('Anime').length - 1, 1);
});
