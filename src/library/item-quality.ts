/**
 * The quality of an item's subtitles, for its page (GET /api/library/items/{id}):
 * each subtitle we wrote gets what the job that wrote it found, and the item
 * lists the report of the latest completed job of each language. Read from
 * the jobs (migration 015), never scored again here. A stored report that
 * cannot be read shows as null: the page still opens.
 */
import { parseStoredReport } from '../transcription/quality/stored.js';
import type { Db } from '../db/database.js';
import type { QualityReport } from '../transcription/quality/types.js';
import type { ItemView } from './item-row.js';
import * as repo from './library.repository.js';

export interface SubtitleQuality {
  job_id: string;
  score: number | null;
  needs_review: boolean;
  /** flagged cues; null when the stored report cannot be read */
  flagged: number | null;
}

export interface LanguageQuality {
  target_lang: string;
  job_id: string;
  score: number | null;
  needs_review: boolean;
  review_accepted_at: string | null;
  report: QualityReport | null;
}

export interface ItemQuality {
  external_subtitles: Array<ItemView['external_subtitles'][number] & { quality: SubtitleQuality | null }>;
  quality: LanguageQuality[];
}


const flaggedOf = (r: QualityReport | null): number | null => (r && Array.isArray(r.flagged) ? r.flagged.length : null);

export async function itemQuality(db: Db, item: ItemView): Promise<ItemQuality> {
  const jobs = await repo.completedJobsOf(db, item.path);
  // Newest first: the first job per language, and the first job per subtitle written.
  const latestByLang = new Map<string, repo.JobQualityRow>();
  const byOutput = new Map<string, repo.JobQualityRow>();
  for (const j of jobs) {
    if (!latestByLang.has(j.target_lang)) latestByLang.set(j.target_lang, j);
    if (j.output_path && !byOutput.has(j.output_path)) byOutput.set(j.output_path, j);
  }
  const writers = item.external_subtitles.map((s) => (s.generated ? byOutput.get(s.path) : undefined));
  const ids = new Set([...latestByLang.values(), ...writers].filter((j): j is repo.JobQualityRow => !!j).map((j) => j.id));
  const reports = await repo.qualityReports(db, [...ids]);
  const external_subtitles = item.external_subtitles.map((s, i) => {
    const j = writers[i];
    // A job from before quality reports has neither a score nor a report: nothing to say.
    if (!j || (j.quality_score === null && !reports.has(j.id))) return { ...s, quality: null };
    return { ...s, quality: { job_id: j.id, score: j.quality_score, needs_review: j.needs_review, flagged: flaggedOf(parseStoredReport(reports.get(j.id))) } };
  });
  const quality = [...latestByLang.values()]
    .filter((j) => reports.has(j.id))
    .sort((a, b) => a.target_lang.localeCompare(b.target_lang))
    .map((j) => ({ target_lang: j.target_lang, job_id: j.id, score: j.quality_score, needs_review: j.needs_review, review_accepted_at: j.review_accepted_at, report: parseStoredReport(reports.get(j.id)) }));
  return { external_subtitles, quality };
}
