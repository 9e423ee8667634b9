/**
 * A draft rule tried on the library as it is now, for the rule editor: how
 * many files it would queue, a few of them with the reason, and what its
 * action means (rules-explain.ts). Everything comes from the probe cache and
 * one directory listing per folder (for the subtitles beside each file):
 * nothing is probed, nothing is queued.
 */
import { dirname, sep } from 'node:path';
import type { Db } from '../db/database.js';
import { liveJobPaths } from '../jobs/jobs.repository.js';
import { externalSubtitlesFor, readFolderListing, type FolderListing } from './external-subtitles.js';
import type { ProbeResult } from './ffprobe.js';
import { isMediaName } from './library-walker.js';
import { evaluateFile, type SkipSettings } from './rules-engine.js';
import { probeCachePage } from './scanner.repository.js';
import type { SettingsGet } from '../transcription/setting-get.js';
import { explainRuleAction, type RuleExplanation } from '../rules/rules-explain.js';
import { CONDITION_KEYS, normalizeAction, normalizeConditions, type RuleConditions, type RuleInput, type ScanRule } from '../rules/rules.service.js';

interface RulePreviewInput extends RuleInput {
  /** the rule being edited: left out of the other rules the draft competes with */
  rule_id?: number | null;
}

interface RulePreview {
  explanation: RuleExplanation;
  /** files that would get a job from this rule if it were the only one */
  matches: number;
  /** of those, files a higher-priority enabled rule takes first */
  taken_by_other_rules: number;
  /** of those, files that have a queued or running job already */
  already_queued: number;
  /** files of the library the probe cache knows (and that are still there) */
  files_checked: number;
  sample: Array<{ path: string; reason: string }>;
}

interface PreviewDeps {
  db: Db;
  get: SettingsGet;
  libraryPaths: string[];
  mediaExtensions: ReadonlySet<string>;
  skip: SkipSettings;
  tag: string | null;
  /** the scanner_ignore_marker setting: `<file><marker>` beside a file keeps it out */
  marker: string;
  /** the enabled rules now (the draft's own rule among them is replaced by the draft) */
  rules: ScanRule[];
}

const PAGE = 2000;
const SAMPLE = 10;

/** The draft as a rule: the API's validation (400 on a bad condition or action), defaults for what it leaves out. */
export function draftRule(input: RulePreviewInput, base: ScanRule | null, defaultPreset: string): ScanRule {
  const empty = Object.fromEntries(CONDITION_KEYS.map((k) => [k, null])) as unknown as RuleConditions;
  const conditions = { ...empty, ...(base?.conditions ?? {}), ...normalizeConditions((input.conditions ?? {}) as Record<string, unknown>) } as RuleConditions;
  const action = normalizeAction(input.action ?? {}, base?.action, defaultPreset);
  return {
    // A new rule is created last: among rules of its priority it comes after the others.
    id: base?.id ?? Number.MAX_SAFE_INTEGER,
    name: input.name?.trim() || base?.name || 'this rule',
    enabled: true,
    priority: input.priority ?? base?.priority ?? 0,
    conditions,
    action,
    created_at: base?.created_at ?? new Date().toISOString(),
    updated_at: null,
  };
}

const inside = (path: string, roots: string[]) => roots.some((r) => path === r || path.startsWith(r.endsWith(sep) ? r : r + sep));

export async function previewRule(draft: ScanRule, deps: PreviewDeps): Promise<RulePreview> {
  const explanation = explainRuleAction(draft.conditions, draft.action, deps.get);
  const roots = deps.libraryPaths;
  const others = deps.rules.filter((r) => r.enabled && r.id !== draft.id);
  const listings = new Map<string, Promise<FolderListing | null>>();
  const listing = (dir: string) => {
    let l = listings.get(dir);
    if (!l) listings.set(dir, (l = readFolderListing(dir).catch(() => null)));
    return l;
  };
  const matched: Array<{ path: string; reason: string; other: boolean }> = [];
  let checked = 0;
  let after: string | null = null;
  for (;;) {
    const rows = await probeCachePage(deps.db, after, PAGE);
    if (!rows.length) break;
    after = rows[rows.length - 1].path;
    for (const row of rows) {
      if (!roots.length || !inside(row.path, roots)) continue;
      let probe: ProbeResult | undefined;
      try {
        probe = (JSON.parse(row.result) as { ok?: ProbeResult }).ok;
      } catch {
        continue;
      }
      if (!probe) continue;
      const folder = await listing(dirname(row.path));
      const name = row.path.slice(dirname(row.path).length + 1);
      // A file gone from disk since it was probed is not part of the library now.
      if (!folder || !folder.names.has(name)) continue;
      checked++;
      const siblings = folder.entries.filter((e) => !e.isDirectory() && isMediaName(e.name, deps.mediaExtensions)).map((e) => e.name);
      const analysis = { ...probe, file_path: row.path, external_subtitles: externalSubtitlesFor(name, folder, siblings, deps.tag) };
      const markerName = deps.marker ? `${name}${deps.marker.startsWith('.') ? '' : '.'}${deps.marker}` : null;
      const marker = markerName && folder.names.has(markerName) ? markerName : null;
      const alone = evaluateFile({ analysis, rules: [draft], skip: deps.skip, hasLiveJob: false, ignoredBy: marker });
      if (alone.action !== 'job') continue;
      const all = evaluateFile({ analysis, rules: [...others, draft], skip: deps.skip, hasLiveJob: false, ignoredBy: marker });
      matched.push({ path: row.path, reason: alone.reason, other: all.action === 'job' && all.rule_id !== draft.id });
    }
    if (rows.length < PAGE) break;
  }
  const live = await liveJobPaths(deps.db, matched.map((m) => m.path));
  return {
    explanation,
    matches: matched.length,
    taken_by_other_rules: matched.filter((m) => m.other).length,
    already_queued: live.size,
    files_checked: checked,
    sample: matched.filter((m) => !live.has(m.path)).slice(0, SAMPLE).map(({ path, reason }) => ({ path, reason })),
  };
}
