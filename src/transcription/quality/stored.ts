/**
 * A report as the database keeps it (jobs.quality): read back only when it is
 * one (this version's shape: a score, a flagged list), else null, so a hand
 * edit or a cut-off write reads as "no report" and never breaks a page.
 */
import type { QualityReport } from './types.js';

export function parseStoredReport(text: string | null | undefined): QualityReport | null {
  if (!text) return null;
  try {
    const r = JSON.parse(text) as Partial<QualityReport> | null;
    if (!r || typeof r !== 'object' || Array.isArray(r)) return null;
    if (r.version !== 1 || typeof r.score !== 'number' || !Array.isArray(r.flagged)) return null;
    return r as QualityReport;
  } catch {
    return null;
  }
}
