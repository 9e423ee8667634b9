// Pieces the Library, item and Wanted views share: the item types, the
// language badges of a file, the action call with its toast, and the live
// updates of items.
import { useEffect, useRef, type ReactNode } from 'react';
import { api, messageOf, unwrap } from '../api/client';
import { onLive } from '../api/live';
import type { BodyOf, ResponseOf } from '../api/types';
import type { LIBRARY_FILTERS } from '../lib/kinds';
import { plural } from '../lib/format';
import { toast } from '../lib/toast';

export type LibraryPage = ResponseOf<'/api/library/items', 'get'>;
export type LibraryItem = LibraryPage['items'][number];
export type LibraryItemDetail = ResponseOf<'/api/library/items/{id}', 'get'>;
export type LibraryTree = ResponseOf<'/api/library/tree', 'get'>;
export type LibraryActionBody = BodyOf<'/api/library/actions', 'post'>;
export type LibraryActionResult = ResponseOf<'/api/library/actions', 'post'>;
export type SubtitlePreview = ResponseOf<'/api/library/items/{id}/subtitles/{n}', 'get'>;
/** The library's filters, from the server's own list (library-kinds.ts). */
export type LibraryFilter = (typeof LIBRARY_FILTERS)[number];

const code = (lang: string | null | undefined) => (lang ? lang.toUpperCase() : '?');

/** One file's languages at a glance: audio, subtitles by source, wanted (another colour), and the latest job per language. */
export function LanguageBadges({ item, compact = false }: { item: LibraryItem; compact?: boolean }): ReactNode {
  const ext = item.external_subtitles.filter((s) => !s.forced);
  const jobFor = (lang: string) => item.jobs.find((j) => j.target_lang === lang);
  const failed = item.jobs.filter((j) => j.status === 'failed' && !item.external_subtitles.some((s) => s.generated && s.language === j.target_lang));
  const running = item.jobs.filter((j) => j.status === 'queued' || j.status === 'processing');
  return (
    <ul className={`lang-badges ${compact ? 'lang-badges-compact' : ''}`} aria-label={`Languages of ${item.file_name}`}>
      {item.audio_tracks.map((a) => (
        <li key={`a${a.index}`} className="lang lang-audio" title={`Audio track ${a.index}${a.title ? ` “${a.title}”` : ''}${a.language ? '' : ' (language not tagged)'}`}>
          <span className="lang-kind" aria-hidden="true">♪</span>
          <span className="sr-only">audio </span>
          {code(a.language)}
        </li>
      ))}
      {item.embedded_subtitles
        .filter((s) => !s.forced)
        .map((s) => (
          <li key={`e${s.index}`} className="lang lang-embedded" title={`Embedded subtitle track ${s.index}${s.title ? ` “${s.title}”` : ''}`}>
            <span className="sr-only">embedded subtitle </span>
            {code(s.language)}
            <span className="lang-kind">emb</span>
          </li>
        ))}
      {ext.map((s) => (
        <li key={`x${s.index}`} className={`lang ${s.generated ? 'lang-generated' : 'lang-external'}`} title={`${s.generated ? 'Made by TranscriptorIO' : 'Subtitle file'}: ${s.file_name}`} data-lang={s.language ?? ''} data-source={s.generated ? 'generated' : 'external'}>
          <span className="sr-only">{s.generated ? 'generated subtitle ' : 'subtitle file '}</span>
          {code(s.language)}
          {s.generated && <span className="lang-kind">AI</span>}
        </li>
      ))}
      {item.wanted.map((w) => {
        const j = jobFor(w.language);
        const live = j && (j.status === 'queued' || j.status === 'processing');
        return (
          <li key={`w${w.language}`} className={`lang ${live ? 'lang-queued' : 'lang-wanted'}`} title={live ? `${j.status === 'queued' ? 'Queued' : 'Being made'}: ${w.reason}` : `Wanted: ${w.reason}`} data-lang={w.language} data-source={live ? j.status : 'wanted'}>
            <span className="sr-only">{live ? `${j.status} ` : 'wanted '}</span>
            {live ? (j.status === 'processing' ? `${Math.round(j.progress)}% ` : '… ') : '+'}
            {code(w.language)}
          </li>
        );
      })}
      {running
        .filter((j) => !item.wanted.some((w) => w.language === j.target_lang))
        .map((j) => (
          <li key={`j${j.id}`} className="lang lang-queued" data-lang={j.target_lang} data-source={j.status} title={j.status === 'queued' ? 'Queued' : 'Being made'}>
            <span className="sr-only">{j.status} </span>
            {j.status === 'processing' ? `${Math.round(j.progress)}% ` : '… '}
            {code(j.target_lang)}
          </li>
        ))}
      {failed.map((j) => (
        <li key={`f${j.id}`} className="lang lang-failed" data-lang={j.target_lang} data-source="failed" title={`Failed: ${j.error ?? 'no reason recorded'}`}>
          <span className="sr-only">failed </span>✕ {code(j.target_lang)}
        </li>
      ))}
    </ul>
  );
}

/** Runs a library action and says what happened (and what was refused, with the first reason). */
export async function runLibraryAction(body: LibraryActionBody): Promise<LibraryActionResult | null> {
  try {
    const r = await unwrap(api.POST('/api/library/actions', { body }));
    const verb: Record<string, string> = {
      transcribe: 'queued',
      redo: 'queued again',
      delete_generated: 'cleaned',
      ignore: 'ignored',
      unignore: 'taken back',
    };
    const done = r.done.length;
    const refused = r.refused.length;
    if (done && !refused) toast.success(`${plural(done, 'file')} ${verb[r.action] ?? 'done'}`);
    else if (done) toast.info(`${plural(done, 'file')} ${verb[r.action] ?? 'done'}; ${refused} refused: ${r.refused[0]!.reason}`);
    else if (refused) toast.error(refused === 1 ? r.refused[0]!.reason : `Nothing done: ${r.refused[0]!.reason} (and ${refused - 1} more)`);
    else toast.info('No file matched.');
    return r;
  } catch (e) {
    toast.error(messageOf(e));
    return null;
  }
}

/**
 * Live updates: `library.item` carries a changed item, `library.changed`
 * says many changed (the view reloads, at most every 2 s).
 */
export function useLibraryLive(onItem: (item: LibraryItem) => void, onMany: () => void): void {
  const item = useRef(onItem);
  const many = useRef(onMany);
  item.current = onItem;
  many.current = onMany;
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const offItem = onLive('library.item', (i) => item.current(i));
    const offMany = onLive('library.changed', () => {
      if (!timer) timer = setTimeout(() => ((timer = undefined), many.current()), 2000);
    });
    return () => {
      offItem();
      offMany();
      if (timer) clearTimeout(timer);
    };
  }, []);
}

export function itemLabel(i: Pick<LibraryItem, 'kind' | 'show' | 'season' | 'episode' | 'episode_end' | 'title' | 'year'>): string {
  if (i.kind === 'episode' && i.season !== null && i.episode !== null) {
    const e = `S${String(i.season).padStart(2, '0')}E${String(i.episode).padStart(2, '0')}${i.episode_end ? `-E${String(i.episode_end).padStart(2, '0')}` : ''}`;
    // A title that is only the file name again (show and code) adds nothing to the code.
    const bare = i.title.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
    const noise = `${(i.show ?? '').toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim()} ${e.toLowerCase()}`.trim();
    return !bare || bare === noise || bare === e.toLowerCase() ? e : `${e} · ${i.title}`;
  }
  return i.year ? `${i.title} (${i.year})` : i.title;
}
