/**
 * The decision for one analysed file: skip (with a reason a person can read)
 * or a job built from the first enabled rule, by priority, whose conditions
 * all hold. Pure functions: everything they need is passed in.
 *
 * Order of checks: a live job for the file; a marker beside the file; the
 * file has no audio; the skip settings; the rules; our own subtitle in the
 * target language; a subtitle in the target language
 * (skip_if_target_subtitles_exist). When no rule matches, the reason is the
 * nearest rule's failing conditions (checkRule), not a generic "no match".
 */
import { basename, extname } from 'node:path';
import { languageName, normalizeLanguage } from '../languages.js';
import type { ScanRule } from '../rules/rules.service.js';
import type { ExternalSubtitle } from './external-subtitles.js';
import type { AudioTrack, EmbeddedSubtitle } from './ffprobe.js';
import type { MediaAnalysis } from './media-analyzer.js';

export interface SkipSettings {
  skipIfExternalSubtitlesExist: boolean;
  skipIfTargetSubtitlesExist: boolean;
  skipIfInternalSubtitlesLanguage: string[];
  skipSubtitleLanguages: string[];
  skipIfAudioLanguages: string[];
  skipUnknownLanguage: boolean;
  skipOnlySubgenSubtitles: boolean;
  skipForcedSubtitles: boolean;
}

export const DEFAULT_SKIP: SkipSettings = {
  skipIfExternalSubtitlesExist: false,
  skipIfTargetSubtitlesExist: true,
  skipIfInternalSubtitlesLanguage: [],
  skipSubtitleLanguages: [],
  skipIfAudioLanguages: [],
  skipUnknownLanguage: false,
  skipOnlySubgenSubtitles: false,
  skipForcedSubtitles: true,
};

interface JobPlan {
  target_lang: string;
  source_lang: string | null;
  quality_preset: string;
  priority: number;
  transcribe_or_translate: string;
  options: { audio_language?: string; audio_track_index: number; rule_id: number; rule_name: string };
}

export interface Decision {
  file_path: string;
  action: 'job' | 'skip';
  reason: string;
  rule_id?: number;
  rule_name?: string;
  target_language?: string;
  job_id?: string;
  /** what the job will be (action 'job' only; not part of the API reply) */
  plan?: JobPlan;
}

/** Canonical codes of a list of languages; unknown entries are dropped. */
export function languageList(values: string[] | string | null | undefined): string[] {
  const items = Array.isArray(values) ? values : (values ?? '').split(/[,|]/);
  return items.map((v) => normalizeLanguage(v.trim())).filter((v): v is string => !!v);
}

const nameOf = (code: string | null) => (code ? (languageName(code)?.split(/[;,]/)[0].trim() ?? code) : 'unknown');
const audioSummary = (tracks: AudioTrack[]) => (tracks.length ? tracks.map((t) => t.language ?? 'unknown').join(', ') : 'none');

/** Subtitles that count for the skip checks under the settings (forced and non-generated ones may not). */
function countedSubtitles(a: MediaAnalysis, s: SkipSettings): { external: ExternalSubtitle[]; embedded: EmbeddedSubtitle[] } {
  const external = a.external_subtitles.filter((x) => (!s.skipForcedSubtitles || !x.forced) && (!s.skipOnlySubgenSubtitles || x.generated));
  const embedded = s.skipOnlySubgenSubtitles ? [] : a.embedded_subtitles.filter((x) => !s.skipForcedSubtitles || !x.forced);
  return { external, embedded };
}

/** What a rule makes of a file: the track its conditions select, or why it does not match (each failing condition). */
interface RuleCheck {
  track: AudioTrack | null;
  /** one sentence per failing condition, in the order they are checked; empty when the rule matches */
  misses: string[];
}

const extensionsOf = (v: string) => v.split(',').map((e) => e.trim().toLowerCase()).filter(Boolean).map((e) => (e.startsWith('.') ? e : `.${e}`));
const namesOf = (codes: string[]) => codes.map(nameOf).join(' or ');

/** Checks every condition of a rule (not only up to the first failure), so the nearest rule can be told apart. */
function checkRule(rule: ScanRule, a: MediaAnalysis, s: SkipSettings = DEFAULT_SKIP, originalLanguage: string | null = null): RuleCheck {
  const c = rule.conditions;
  const misses: string[] = [];
  if (c.file_extension) {
    const exts = extensionsOf(c.file_extension);
    const ext = extname(a.file_path).toLowerCase();
    if (!exts.includes(ext)) misses.push(`${ext || 'no'} extension is not one of ${exts.join(', ')}`);
  }
  if (!a.audio_tracks.length) return { track: null, misses: [...misses, 'no audio track'] };
  if (c.audio_track_count_min !== null && a.audio_tracks.length < c.audio_track_count_min) {
    misses.push(`${a.audio_tracks.length} audio track${a.audio_tracks.length === 1 ? '' : 's'}, fewer than the ${c.audio_track_count_min} required`);
  }
  let candidates = a.audio_tracks;
  if (c.audio_language_is) {
    const want = normalizeLanguage(c.audio_language_is);
    candidates = a.audio_tracks.filter((t) => t.language !== null && t.language === want);
    if (!candidates.length) {
      misses.push(
        a.audio_tracks.every((t) => !t.language)
          ? `audio language unknown: no track is tagged, and ${nameOf(want)} audio is required`
          : `${namesOf([...new Set(a.audio_tracks.map((t) => t.language).filter((l): l is string => !!l))])} audio, not ${nameOf(want)}`,
      );
    }
  }
  if (c.audio_language_not) {
    // "Audio must not be X": a file that can already be heard in X does not match.
    const not = languageList(c.audio_language_not);
    const heard = a.audio_tracks.find((t) => t.language && not.includes(t.language));
    if (heard) misses.push(`has ${nameOf(heard.language)} audio (track ${heard.index})`);
  }
  if (c.has_embedded_subtitle_lang) {
    const langs = languageList(c.has_embedded_subtitle_lang);
    if (!a.embedded_subtitles.some((x) => x.language && langs.includes(x.language))) misses.push(`no embedded ${namesOf(langs)} subtitle`);
  }
  if (c.missing_embedded_subtitle_lang) {
    const langs = languageList(c.missing_embedded_subtitle_lang);
    const has = a.embedded_subtitles.find((x) => x.language && langs.includes(x.language) && !(s.skipForcedSubtitles && x.forced));
    if (has) misses.push(`already has ${nameOf(has.language)} subtitles: embedded track ${has.index}${has.title ? ` "${has.title}"` : ''}`);
  }
  if (c.missing_external_subtitle_lang) {
    const langs = languageList(c.missing_external_subtitle_lang);
    const has = a.external_subtitles.find((x) => x.language && langs.includes(x.language) && !(s.skipForcedSubtitles && x.forced));
    if (has) misses.push(`already has ${nameOf(has.language)} subtitles: ${basename(has.path)}`);
  }
  // The media's original language (Sonarr/Radarr): the track in it is preferred among several.
  const original = originalLanguage ? normalizeLanguage(originalLanguage) : null;
  if (c.audio_is_original_language) {
    const inOriginal = original ? candidates.filter((t) => t.language === original) : [];
    if (!original) misses.push('original language unknown (only Sonarr and Radarr webhooks report it), and audio in the original language is required');
    else if (!inOriginal.length) misses.push(`no audio track in the original language (${nameOf(original)}): a dub`);
    else candidates = inOriginal;
  }
  if (misses.length) return { track: null, misses };
  return { track: (original ? candidates.find((t) => t.language === original) : undefined) ?? candidates.find((t) => t.default) ?? candidates[0], misses };
}

/** The track a rule's conditions select, or null when the rule does not match. */
export function matchRule(rule: ScanRule, a: MediaAnalysis, s: SkipSettings = DEFAULT_SKIP, originalLanguage: string | null = null): AudioTrack | null {
  return checkRule(rule, a, s, originalLanguage).track;
}

/**
 * Why no rule matched, told by the nearest rule: the one with the fewest
 * failing conditions (ties: the higher priority, as rules are tried).
 */
function nearestMiss(checks: Array<{ rule: ScanRule; misses: string[] }>): string {
  let best = checks[0];
  for (const c of checks) if (c.misses.length < best.misses.length) best = c;
  const [first, ...more] = best.misses;
  const rest = more.length ? `; also ${more.join('; ')}` : '';
  return `${first}${rest} (nearest rule: "${best.rule.name}")`;
}

interface EvaluateInput {
  analysis: MediaAnalysis;
  /** enabled rules; sorted here by priority (higher first), then id */
  rules: ScanRule[];
  skip: SkipSettings;
  hasLiveJob: boolean;
  /** an earlier job that found no speech in this file since it last changed */
  noSpeechJob?: string | null;
  /** the marker that excludes this file (e.g. `Movie.mkv.notranscribe` beside it), when there is one */
  ignoredBy?: string | null;
  /** the media's original language (Sonarr/Radarr originalLanguage): picks the track; audio_is_original_language reads it */
  originalLanguage?: string | null;
  /** subtitles of ours to be made again (the media file was replaced): they no longer count as present; never a user's */
  redo?: ReadonlySet<string>;
}

export function evaluateFile({ analysis, rules, skip: s, hasLiveJob, noSpeechJob, ignoredBy, originalLanguage = null, redo }: EvaluateInput): Decision {
  const a = redo?.size ? { ...analysis, external_subtitles: analysis.external_subtitles.filter((x) => !redo.has(x.path)) } : analysis;
  const file_path = a.file_path;
  const skip = (reason: string, extra: Partial<Decision> = {}): Decision => ({ file_path, action: 'skip', reason, ...extra });
  if (hasLiveJob) return skip('a job is already queued or running for this file');
  if (ignoredBy) return skip(`marked not to transcribe: ${ignoredBy}`);
  if (noSpeechJob) return skip(`no speech was found in this file by job ${noSpeechJob}; it is queued again when the file changes`);
  if (!a.audio_tracks.length) return skip('no audio track');

  const audioLangs = a.audio_tracks.map((t) => t.language).filter((l): l is string => !!l);
  const badAudio = audioLangs.find((l) => s.skipIfAudioLanguages.includes(l));
  if (badAudio) return skip(`${nameOf(badAudio)} audio is listed in skip_if_audio_languages`);
  if (s.skipUnknownLanguage && !audioLangs.length) return skip('audio language unknown (skip_unknown_language is on)');

  const counted = countedSubtitles(a, s);
  if (s.skipIfExternalSubtitlesExist && counted.external.length) {
    return skip(`external subtitle exists: ${basename(counted.external[0].path)} (skip_if_external_subtitles_exist is on)`);
  }
  const internal = counted.embedded.find((x) => x.language && s.skipIfInternalSubtitlesLanguage.includes(x.language));
  if (internal) return skip(`${nameOf(internal.language)} embedded subtitle exists (track ${internal.index}, skip_if_internal_subtitles_language)`);
  if (s.skipSubtitleLanguages.length) {
    const ext = counted.external.find((x) => x.language && s.skipSubtitleLanguages.includes(x.language));
    if (ext) return skip(`${nameOf(ext.language)} subtitle exists: ${basename(ext.path)} (skip_subtitle_languages)`);
    const emb = counted.embedded.find((x) => x.language && s.skipSubtitleLanguages.includes(x.language));
    if (emb) return skip(`${nameOf(emb.language)} embedded subtitle exists (track ${emb.index}, skip_subtitle_languages)`);
  }

  const enabled = rules.filter((r) => r.enabled).sort((x, y) => y.priority - x.priority || x.id - y.id);
  if (!enabled.length) return skip('no enabled scan rules');
  let rule: ScanRule | undefined;
  let track: AudioTrack | null = null;
  const checks: Array<{ rule: ScanRule; misses: string[] }> = [];
  for (const r of enabled) {
    const check = checkRule(r, a, s, originalLanguage);
    if (check.track) {
      rule = r;
      track = check.track;
      break;
    }
    checks.push({ rule: r, misses: check.misses });
  }
  if (!rule || !track) return skip(checks.length ? nearestMiss(checks) : `no enabled rule matches (audio ${audioSummary(a.audio_tracks)})`);

  const target = rule.action.target_language;
  const ruleInfo = { rule_id: rule.id, rule_name: rule.name, target_language: target };
  const ours = a.external_subtitles.find((x) => x.generated && x.language === target && !x.forced);
  if (ours) return skip(`${nameOf(target)} subtitle already generated: ${basename(ours.path)}`, ruleInfo);
  if (s.skipIfTargetSubtitlesExist) {
    const ext = counted.external.find((x) => x.language === target);
    if (ext) return skip(`${nameOf(target)} subtitle already exists: ${basename(ext.path)}`, ruleInfo);
    const emb = counted.embedded.find((x) => x.language === target);
    if (emb) return skip(`${nameOf(target)} embedded subtitle already exists (track ${emb.index}${emb.title ? `, "${emb.title}"` : ''})`, ruleInfo);
  }

  const plan: JobPlan = {
    target_lang: target,
    source_lang: track.language,
    quality_preset: rule.action.quality_preset,
    priority: rule.action.job_priority,
    transcribe_or_translate: rule.action.action_type,
    options: { ...(track.language ? { audio_language: track.language } : {}), audio_track_index: track.index, rule_id: rule.id, rule_name: rule.name },
  };
  return {
    file_path,
    action: 'job',
    reason: `rule "${rule.name}": ${track.language ? `${nameOf(track.language)} audio` : 'audio of unknown language'} → ${nameOf(target)} subtitles`,
    ...ruleInfo,
    plan,
  };
}
