/**
 * Subtitle sync as the library API offers it: an item's subtitle resolved
 * and confined by the library (only its own files, inside the library
 * folders), the reference chosen from the request, and the answers shaped
 * as sync.schemas.ts documents them.
 */
import type { Static } from '@fastify/type-provider-typebox';
import { AppError, badRequest, notFound } from '../errors.js';
import { normalizeLanguage } from '../languages.js';
import type { LibraryService } from '../library/library.service.js';
import type { SyncChecker } from './sync-check.js';
import { embeddedKey } from './sync-check.js';
import type { SyncCheckRunBody, SyncBody, SyncByPathBody, SyncByPathSchema, SyncResultSchema, ItemSyncSchema, UndoResultSchema } from './sync.schemas.js';
import type { SyncRecordRow } from './sync.repository.js';
import { isSyncFormat } from './subtitle-times.js';
import { dirname, extname } from 'node:path';
import { confineMediaPath } from '../security/media-roots.js';
import { applyPathMappings, mappingsFromSettings } from '../security/path-mapping.js';
import type { SettingsService } from '../settings/settings.service.js';
import type { SyncReference, SyncService } from './sync.service.js';

type SyncResult = Static<typeof SyncResultSchema>;
type ItemSync = Static<typeof ItemSyncSchema>;
type UndoResult = Static<typeof UndoResultSchema>;

const iso = (ms: number) => new Date(ms).toISOString();
const round3 = (x: number) => Math.round(x * 1000) / 1000;
const pairs = (spans: Array<{ start: number; end: number }>): Array<[number, number]> => spans.map((s) => [round3(s.start), round3(s.end)]);

export class SyncApi {
  constructor(private readonly deps: { library: LibraryService; sync: SyncService; checker: SyncChecker; settings: SettingsService }) {}

  async sync(id: number, n: number, body: Static<typeof SyncBody>): Promise<SyncResult> {
    const { item, sub } = await this.deps.library.externalSubtitle(id, n);
    let reference: SyncReference = { kind: 'audio' };
    if (body.reference_subtitle !== undefined && body.reference_embedded !== undefined) {
      throw badRequest('Name one reference: reference_subtitle or reference_embedded, not both', 'bad_reference');
    }
    if (body.reference_subtitle !== undefined) {
      if (body.reference_subtitle === n) throw badRequest('A subtitle cannot be its own reference: pick another subtitle, or none to sync to the audio', 'bad_reference');
      const ref = await this.deps.library.externalSubtitle(id, body.reference_subtitle);
      const f = ref.sub.format.toLowerCase();
      if (!isSyncFormat(f)) throw new AppError(415, 'not_text_subtitle', `${ref.sub.file_name} is a ${ref.sub.format} subtitle (no text times): pick an SRT, WebVTT or ASS reference`);
      reference = { kind: 'file', path: ref.sub.path, format: f };
    } else if (body.reference_embedded !== undefined) {
      if (!item.embedded_subtitles.some((s) => s.index === body.reference_embedded)) {
        throw notFound(`Embedded subtitle track ${body.reference_embedded} of library item ${id} (it has ${item.embedded_subtitles.length})`);
      }
      reference = { kind: 'embedded', subtitleIndex: body.reference_embedded };
    } else if (body.audio_language) {
      const lang = normalizeLanguage(body.audio_language);
      if (!lang) throw badRequest(`Unknown language "${body.audio_language}" in audio_language: use an ISO 639 code such as eng, spa, jpn`, 'unknown_language');
      reference = { kind: 'audio', audioLanguages: [lang] };
    }
    const o = await this.deps.sync.sync({ mediaPath: item.path, subtitlePath: sub.path, format: sub.format }, reference, { apply: body.apply === true, expectSha256: body.sha256 });
    if (o.syncId !== null) await this.deps.checker.items([id], false).catch(() => undefined);
    const p = o.plan;
    return {
      item_id: id, index: n, path: sub.path, verdict: p.verdict, refusal: p.refusal, summary: o.summary,
      offset_seconds: round3(p.offset), ratio: p.ratio,
      blocks: p.blocks.map((b) => ({ first_cue: b.firstCue, last_cue: b.lastCue, offset_seconds: round3(b.offset) })),
      score_before: round3(p.scoreBefore), score_after: round3(p.scoreAfter), cues: o.cues, reference: o.reference, sha256: o.sha256,
      applied: o.syncId !== null, sync_id: o.syncId, backup: o.backup,
      timeline: { duration: o.timeline.duration ?? null, reference: pairs(o.timeline.reference), before: pairs(o.timeline.before), after: pairs(o.timeline.after) },
    };
  }

  /**
   * A sync named by paths, as Bazarr's post-processing knows them: mapped
   * by the path mappings, the video confined to the library and the
   * subtitle (and a reference) beside it.
   */
  async syncByPath(body: Static<typeof SyncByPathBody>): Promise<Static<typeof SyncByPathSchema>> {
    const mappings = mappingsFromSettings((k) => this.deps.settings.get(k as never));
    const media = await confineMediaPath(this.deps.settings, applyPathMappings(body.media, mappings));
    const beside = async (p: string, field: string) => {
      const path = await confineMediaPath(this.deps.settings, applyPathMappings(p, mappings));
      if (dirname(path) !== dirname(media)) throw new AppError(403, 'outside_library', `${field} ${p} is not beside ${body.media}: only the video's own subtitles can be synced`);
      const format = extname(path).slice(1).toLowerCase();
      if (!isSyncFormat(format)) throw new AppError(415, 'not_text_subtitle', `${field} ${p} is not an SRT, WebVTT or ASS subtitle`);
      return { path, format };
    };
    const sub = await beside(body.subtitle, 'subtitle');
    const reference: SyncReference = body.reference ? { kind: 'file', ...(await beside(body.reference, 'reference')) } : { kind: 'audio' };
    const o = await this.deps.sync.sync({ mediaPath: media, subtitlePath: sub.path, format: sub.format }, reference, { apply: body.apply === true });
    const p = o.plan;
    return {
      path: sub.path, verdict: p.verdict, refusal: p.refusal, summary: o.summary, offset_seconds: round3(p.offset), ratio: p.ratio,
      blocks: p.blocks.map((b) => ({ first_cue: b.firstCue, last_cue: b.lastCue, offset_seconds: round3(b.offset) })),
      score_before: round3(p.scoreBefore), score_after: round3(p.scoreAfter), cues: o.cues, reference: o.reference, sha256: o.sha256,
      applied: o.syncId !== null, sync_id: o.syncId, backup: o.backup,
    };
  }

  async itemSync(id: number): Promise<ItemSync> {
    const item = await this.deps.library.item(id);
    const [checks, syncs, speech] = await Promise.all([
      this.deps.sync.checks(item.path), this.deps.sync.history(item.path), this.deps.sync.speech(item.path, [], undefined, true).catch(() => null),
    ]);
    const extIndex = new Map(item.external_subtitles.map((s) => [s.path, s.index]));
    const embIndex = new Map(item.embedded_subtitles.map((s) => [embeddedKey(item.path, s.index), s.index]));
    return {
      item_id: id,
      speech_known: !!speech,
      checks: checks
        .filter((c) => extIndex.has(c.subtitle) || embIndex.has(c.subtitle))
        .map((c) => ({
          subtitle: c.subtitle, external_index: extIndex.get(c.subtitle) ?? null, embedded_index: embIndex.get(c.subtitle) ?? null,
          verdict: c.verdict, out_of_sync: c.verdict === 'fix', offset_seconds: round3(c.offset_seconds), ratio: c.ratio,
          score_before: round3(c.score_before), score_after: round3(c.score_after), summary: c.summary, checked_at: iso(c.checked_ms),
        })),
      syncs: syncs.map(record),
    };
  }

  async undo(id: number, syncId: number): Promise<UndoResult> {
    const item = await this.deps.library.item(id);
    const mine = (await this.deps.sync.history(item.path)).some((s) => s.id === syncId);
    if (!mine) throw notFound(`Sync ${syncId} of library item ${id}`);
    const r = await this.deps.sync.undo(syncId);
    await this.deps.checker.items([id], false).catch(() => undefined);
    return record(r);
  }

  async checkNow(body: Static<typeof SyncCheckRunBody>) {
    if (body.item_ids) return this.deps.checker.items(body.item_ids, body.listen ?? true);
    return this.deps.checker.round();
  }
}

function record(r: SyncRecordRow): UndoResult {
  return { id: r.id, subtitle: r.subtitle, summary: r.summary, backup: r.backup, created_at: iso(r.created_ms), undone_at: r.undone_ms === null ? null : iso(r.undone_ms) };
}
