/**
 * After a library job ends: ask the media servers to rescan the folder (when
 * a subtitle was written) and POST the completion webhook. Completion is read
 * from the job rows (changed since a mark, on the indexed updated_ms), so
 * jobs finished by worker processes of any node are noticed; the mark lives
 * in app_state so a restart neither repeats nor loses notifications.
 */
import type { CoreContext } from '../core/context.js';
import type { BackgroundComponent } from '../core/background.js';
import type { JobRow } from '../db/schema.js';
import { configuredServers, refreshServer } from './media-refresh.js';
import { getMark, jobsEndedSince, setMark } from './integrations.repository.js';
import type { SettingKey } from '../settings/definitions/index.js';

const MARK_KEY = 'integrations.completion_mark_ms';
const POLL_MS = 2000;

interface CompletionPayload {
  file: string;
  subtitle: string | null;
  language: string;
  job_id: string;
  status: string;
  error: string | null;
  completed_at: string | null;
  /** the subtitle's quality score, 0-100; null for a job without a quality report */
  quality_score: number | null;
  /** true: the score is under quality_review_threshold, a person should look at the subtitle before trusting it */
  needs_review: boolean;
}

/**
 * An Accept stamps the job (updated_ms) without ending it again: its only
 * change is the review, which is no completion to notify twice. Accept
 * writes review_accepted_at and updated_at from the same instant.
 */
const isReviewAccept = (row: JobRow) => row.review_accepted_at !== null && row.review_accepted_at === row.updated_at;

export class CompletionNotifier {
  private mark = 0;
  private seenAtMark = new Set<string>();

  constructor(private readonly ctx: CoreContext) {}

  async init(now = Date.now()): Promise<void> {
    const stored = await getMark(this.ctx.database.db, MARK_KEY);
    this.mark = stored ?? now;
    // Jobs changed in the very millisecond of a stored mark were notified before the restart.
    if (stored !== null) for (const r of await jobsEndedSince(this.ctx.database.db, stored - 1)) if (r.updated_ms === stored) this.seenAtMark.add(`${r.id}:${r.updated_ms}`);
  }

  /** One round: every library job that ended since the mark is notified once. */
  async poll(): Promise<number> {
    const rows = await jobsEndedSince(this.ctx.database.db, this.mark - 1);
    let n = 0;
    for (const row of rows) {
      const key = `${row.id}:${row.updated_ms}`;
      if (row.updated_ms <= this.mark && this.seenAtMark.has(key)) continue;
      if (row.updated_ms > this.mark) {
        this.mark = row.updated_ms;
        this.seenAtMark.clear();
      }
      this.seenAtMark.add(key);
      if (isReviewAccept(row)) continue;
      await this.notify(row);
      n++;
    }
    if (n) await setMark(this.ctx.database.db, MARK_KEY, this.mark);
    return n;
  }

  private async notify(row: JobRow): Promise<void> {
    const s = this.ctx.settings;
    const timeoutMs = s.getNumber('integration_request_timeout_seconds') * 1000;
    const get = (k: SettingKey) => s.get(k);
    if (row.status === 'completed' && row.output_path && s.getBoolean('media_server_refresh_enabled')) {
      for (const server of configuredServers(get)) {
        try {
          await refreshServer(server, row.file_path, timeoutMs);
          this.ctx.log.info({ job_id: row.id, server: server.kind }, 'media server asked to refresh');
        } catch (e) {
          this.ctx.log.warn({ job_id: row.id, server: server.kind, err: (e as Error).message }, 'media server refresh failed');
        }
      }
    }
    const url = s.getString('completion_webhook_url').trim();
    if (!url) return;
    const body: CompletionPayload = {
      file: row.file_path, subtitle: row.output_path, language: row.target_lang, job_id: row.id, status: row.status, error: row.error, completed_at: row.completed_at,
      quality_score: row.quality_score === null ? null : Number(row.quality_score), needs_review: !!row.needs_review,
    };
    try {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'TranscriptorIO' }, body: JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
    } catch (e) {
      this.ctx.log.warn({ job_id: row.id, url, err: (e as Error).message }, 'completion webhook failed');
    }
  }
}

/** The notifier as a background component: reads its mark at start, then polls every POLL_MS. */
export function completionNotifierComponent(ctx: CoreContext): BackgroundComponent {
  const n = new CompletionNotifier(ctx);
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  return {
    name: 'completion-notifier',
    async start() {
      await n.init();
      if (stopped) return;
      let busy = false;
      timer = setInterval(() => {
        if (busy) return;
        busy = true;
        n.poll().catch((e) => ctx.log.warn({ err: e }, 'completion poll failed')).finally(() => (busy = false));
      }, POLL_MS);
      timer.unref();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
    },
  };
}
