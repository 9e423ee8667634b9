/**
 * Handing finished subtitles of the Wanted sync to Bazarr (bazarr-sync.service.ts
 * fills the list; this module delivers). Bazarr's upload endpoint answers
 * 204 also when it could not store the file (bazarr/subtitles/upload.py logs
 * and returns nothing), so an upload counts only when the item, read back,
 * no longer lists the language as missing; otherwise it is upload_failed
 * with the reason and tried again. After a confirmed upload, one file per
 * subtitle remains. A subtitle whose job needs review is held back while
 * quality_block_bazarr_sync is on.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CoreContext } from '../core/context.js';
import { applyPathMappings, mappingsFromSettings } from '../security/path-mapping.js';
import type { SettingKey } from '../settings/definitions/index.js';
import { removeGeneratedSubtitle } from '../transcription/index.js';
import type { BazarrClient, BazarrLanguage, BazarrMedia } from './bazarr-client.js';
import * as repo from './bazarr-sync.repository.js';

type UploadContext = Pick<CoreContext, 'database' | 'jobs' | 'settings' | 'log'>;

export const HELD = 'held_for_review';

/** Why a subtitle is held back, for a person; `score`: its quality score, when known. */
export const heldReason = (score: number | null) => `held for review${score === null ? '' : ` (quality score ${Math.round(score)})`}: accept it on the item page`;

/** Bazarr's language entry names the wanted subtitle of `row` (code2 and the forced / HI flags). */
const sameWanted = (l: BazarrLanguage, row: Pick<repo.SyncItemRow, 'language' | 'forced' | 'hi'>) =>
  String(l.code2 ?? '') === row.language && !!l.forced === !!row.forced && !!l.hi === !!row.hi;

/**
 * Hands every subtitle whose job finished to Bazarr, except those held for
 * review; an upload counts once Bazarr, read back, no longer lists the
 * language as missing. Returns how many were uploaded and how many are held.
 */
export async function uploadRound(ctx: UploadContext, client: BazarrClient): Promise<{ uploaded: number; held: number }> {
  const db = ctx.database.db;
  let uploaded = 0;
  let held = 0;
  const hold = ctx.settings.getBoolean('quality_block_bazarr_sync');
  const rows = [
    ...(await repo.itemsWithStatus(db, 'queued')),
    ...(await repo.itemsWithStatus(db, 'upload_failed')),
    ...(await repo.itemsWithStatus(db, HELD)),
  ];
  for (const row of rows) {
    let job = row.job_id ? await ctx.jobs.getRow(row.job_id) : undefined;
    if (!job) {
      await repo.setItemStatus(db, row.id, 'job_failed', 'the job was removed');
      continue;
    }
    if (row.status === HELD && job.status === 'completed') {
      // Made again since (Redo): the newest subtitle and its own review decide, not the one that was held.
      const newest = await repo.newestCompletedJob(db, job.file_path, job.target_lang);
      const newer = newest && newest !== job.id ? await ctx.jobs.getRow(newest) : undefined;
      if (newer) {
        await repo.setItemJob(db, row.id, newer.id);
        job = newer;
      }
    }
    if (job.status === 'queued' || job.status === 'processing') continue;
    if (job.status !== 'completed') {
      await repo.setItemStatus(db, row.id, 'job_failed', job.error ?? `job ${job.status}`);
      continue;
    }
    if (!job.output_path) {
      await repo.setItemStatus(db, row.id, 'job_failed', 'no speech was found: no subtitle was written');
      continue;
    }
    if (!existsSync(job.output_path)) {
      await repo.setItemStatus(db, row.id, 'upload_failed', `the subtitle ${job.output_path} is not on this server`);
      continue;
    }
    if (hold && Number(job.needs_review) === 1) {
      held++;
      if (row.status !== HELD) {
        await repo.setItemStatus(db, row.id, HELD, heldReason(job.quality_score === null || job.quality_score === undefined ? null : Number(job.quality_score)));
        ctx.log.info({ job_id: job.id, subtitle: job.output_path, bazarr: `${row.media_kind} ${row.bazarr_id}` }, 'subtitle held back from Bazarr until it is reviewed');
      }
      continue;
    }
    try {
      const target = row.media_kind === 'episode' ? { kind: 'episode' as const, seriesId: Number(row.series_id), episodeId: row.bazarr_id } : { kind: 'movie' as const, radarrId: row.bazarr_id };
      await client.upload(target, row.language, job.output_path, { forced: !!row.forced, hi: !!row.hi });
      // Bazarr answers 204 also when it could not store the file (subtitles/upload.py returns nothing): the upload
      // counts only once the language has left the item's missing subtitles.
      const after = await client.item(target);
      if (!after || (after.missing_subtitles ?? []).some((l) => sameWanted(l, row))) {
        const why = after
          ? `Bazarr answered the upload but still lists ${row.language}${row.forced ? ':forced' : row.hi ? ':hi' : ''} as missing: it could not store the subtitle (Bazarr's log says why: a folder it cannot write to, or its path mappings); tried again on the next sync`
          : `Bazarr no longer knows this ${row.media_kind} (id ${row.bazarr_id}); tried again on the next sync`;
        await repo.setItemStatus(db, row.id, 'upload_failed', why);
        ctx.log.warn({ job_id: job.id, bazarr: `${row.media_kind} ${row.bazarr_id}`, language: row.language }, 'Bazarr did not store the uploaded subtitle; retried on the next round');
        continue;
      }
      await repo.setItemStatus(db, row.id, 'uploaded', null);
      uploaded++;
      ctx.log.info({ job_id: job.id, subtitle: job.output_path, bazarr: `${row.media_kind} ${row.bazarr_id}`, language: row.language }, 'subtitle handed to Bazarr');
      await keepOneCopy(ctx, job.output_path, after, row);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      await repo.setItemStatus(db, row.id, 'upload_failed', msg);
      ctx.log.warn({ job_id: job.id, err: msg }, 'could not hand the subtitle to Bazarr; retried on the next round');
    }
  }
  return { uploaded, held };
}

/**
 * One file per subtitle: Bazarr stores the upload as its own file beside
 * the video (Movie.en.srt, its naming), so ours (Movie.eng.srt) is removed
 * once Bazarr lists its copy and this server sees that copy on disk, and
 * only while ours is provably ours (its bytes match our record): a file a
 * person edited is never touched. When Bazarr wrote over ours in place, or
 * its copy is out of this server's sight, ours stays.
 */
async function keepOneCopy(ctx: UploadContext, ours: string, media: BazarrMedia, row: repo.SyncItemRow): Promise<void> {
  const mappings = mappingsFromSettings((k: SettingKey) => ctx.settings.get(k));
  const mine = resolve(ours);
  const theirs = (media.subtitles ?? [])
    .filter((sub) => sub.path && sameWanted(sub, row))
    .map((sub) => resolve(applyPathMappings(String(sub.path), mappings)))
    .find((p) => p !== mine && existsSync(p));
  if (!theirs) return;
  const outcome = await removeGeneratedSubtitle(ours).catch((e: unknown) => {
    ctx.log.warn({ subtitle: ours, err: e instanceof Error ? e.message : e }, 'could not remove our copy of a subtitle Bazarr stored');
    return 'kept' as const;
  });
  if (outcome === 'removed') ctx.log.info({ removed: ours, kept: theirs }, "our copy removed: Bazarr's copy of the subtitle is the one kept");
  else if (outcome === 'kept') ctx.log.info({ subtitle: ours, bazarr_copy: theirs }, 'our subtitle was changed since it was written, so it is kept beside Bazarr’s copy');
}
