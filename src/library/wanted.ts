/**
 * What the rules want for a file, by the scanner's own decision
 * (rules-engine.ts evaluateFile): each enabled rule, by priority, is asked on
 * its own, so a file gets every target language some rule wants and that it
 * does not have yet, each with that rule's reason. The skip settings, a
 * marker, an earlier no-speech job and a subtitle already there give no
 * want; when nothing is wanted, the scanner's reason for the whole rule set
 * is kept as the item's decision.
 *
 * The result depends on the file's analysis, the enabled rules and the skip
 * settings only; `fingerprint` names that rule set so an index computed
 * under other rules is known to be stale.
 */
import { createHash } from 'node:crypto';
import type { ScanRule } from '../rules/rules.service.js';
import type { MediaAnalysis } from '../scanner/media-analyzer.js';
import { evaluateFile, type SkipSettings } from '../scanner/rules-engine.js';

export interface Wanted {
  language: string;
  rule_id: number;
  rule_name: string;
  reason: string;
  quality_preset: string;
  action_type: string;
  audio_language: string | null;
  audio_track_index: number;
}

export interface WantedResult {
  wanted: Wanted[];
  /** the scanner's reason when nothing is wanted */
  decision: string | null;
}

export interface WantedContext {
  rules: ScanRule[];
  skip: SkipSettings;
}

interface FileState {
  /** the marker that keeps the file out, when one does */
  ignoredBy?: string | null;
  /** a completed job found no speech in the file since it last changed */
  noSpeechJob?: string | null;
}

export function computeWanted(analysis: MediaAnalysis, ctx: WantedContext, state: FileState = {}): WantedResult {
  const enabled = ctx.rules.filter((r) => r.enabled).sort((x, y) => y.priority - x.priority || x.id - y.id);
  const base = { analysis, skip: ctx.skip, hasLiveJob: false, noSpeechJob: state.noSpeechJob ?? null, ignoredBy: state.ignoredBy ?? null };
  const whole = evaluateFile({ ...base, rules: enabled });
  const wanted: Wanted[] = [];
  const seen = new Set<string>();
  for (const rule of enabled) {
    if (seen.has(rule.action.target_language)) continue;
    const d = evaluateFile({ ...base, rules: [rule] });
    if (d.action !== 'job' || !d.plan) continue;
    seen.add(d.plan.target_lang);
    wanted.push({
      language: d.plan.target_lang,
      rule_id: rule.id,
      rule_name: rule.name,
      reason: d.reason,
      quality_preset: d.plan.quality_preset,
      action_type: d.plan.transcribe_or_translate,
      audio_language: d.plan.options.audio_language ?? null,
      audio_track_index: d.plan.options.audio_track_index,
    });
  }
  return { wanted, decision: wanted.length ? null : whole.reason };
}

/** Names the rule set and skip settings wanted was computed under. */
export function fingerprint(ctx: WantedContext): string {
  const rules = ctx.rules
    .filter((r) => r.enabled)
    .map((r) => [r.id, r.priority, r.name, r.conditions, r.action])
    .sort((a, b) => Number(a[0]) - Number(b[0]));
  return createHash('sha1').update(JSON.stringify({ rules, skip: ctx.skip })).digest('hex').slice(0, 16);
}
