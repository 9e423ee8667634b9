// Library: every media file the scanner has seen. A tree (shows → seasons,
// movies, other files, folders) narrows the list; filters, search and sort
// work on the server (GET /api/library/items); files can be selected and
// acted on (transcribe, redo, delete generated, ignore, unignore). Items
// update live as their jobs move.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { api, unwrap } from '../api/client';
import { EmptyState, ErrorBanner, Loading, PageHeader, Pagination } from '../components/bits';
import { ConfirmDialog } from '../components/modal';
import { Icon } from '../components/icons';
import { LanguageSelect } from '../components/language-picker';
import { itemReviewScore } from '../components/quality-api';
import { ScoreBadge } from '../components/score-badge';
import { itemLabel, LanguageBadges, runLibraryAction, useLibraryLive, type LibraryActionBody, type LibraryFilter, type LibraryItem, type LibraryTree } from '../components/library-bits';
import { formatBytes, formatDuration, plural } from '../lib/format';
import { href, navigate, useRoute, withQuery } from '../lib/router';
import { useResource } from '../lib/use-resource';
import { ITEM_KINDS, LIBRARY_FILTERS, LIBRARY_SORTS, oneOf } from '../lib/kinds';

const PAGE_SIZE = 50;
const FILTERS: { id: LibraryFilter; label: string; count?: keyof LibraryTree['totals'] }[] = [
  { id: 'all', label: 'All', count: 'files' },
  { id: 'wanted', label: 'Wanted', count: 'wanted' },
  { id: 'generated', label: 'Generated', count: 'generated' },
  { id: 'failed', label: 'Failed', count: 'failed' },
  { id: 'needs_review', label: 'Needs review', count: 'needs_review' },
  { id: 'out_of_sync', label: 'Out of sync' },
  { id: 'missing', label: 'Missing', count: 'missing' },
  { id: 'ignored', label: 'Ignored' },
];
const SORTS: { id: string; label: string }[] = [
  { id: 'title', label: 'Title' },
  { id: '-added', label: 'Recently added' },
  { id: '-modified', label: 'Recently changed' },
  { id: 'path', label: 'Path' },
  { id: '-size', label: 'Largest' },
];

/** Where the list is narrowed to, from the route. */
interface Scope {
  show?: string;
  season?: number;
  folder?: string;
  kind?: (typeof ITEM_KINDS)[number];
}

function scopeLabel(s: Scope): string {
  if (s.show) return s.season !== undefined ? `${s.show} · Season ${s.season}` : s.show;
  if (s.kind === 'movie') return 'Movies';
  if (s.kind === 'other') return 'Other files';
  if (s.folder) return s.folder;
  return 'All files';
}

export function Library(): ReactNode {
  const { query } = useRoute();
  const filter: LibraryFilter = oneOf(LIBRARY_FILTERS, query.get('filter'), 'all');
  const q = query.get('q') ?? '';
  const sort = oneOf(LIBRARY_SORTS, query.get('sort'), 'title');
  const language = query.get('language') ?? '';
  const page = Math.max(1, Number(query.get('page') ?? 1) || 1);
  const scope: Scope = {
    show: query.get('show') ?? undefined,
    season: query.get('season') !== null && query.get('season') !== '' ? Number(query.get('season')) : undefined,
    folder: query.get('folder') ?? undefined,
    kind: oneOf(ITEM_KINDS, query.get('kind'), undefined),
  };
  const [search, setSearch] = useState(q);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [busy, setBusy] = useState(false);
  const [treeOpen, setTreeOpen] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  useEffect(() => setSearch(q), [q]);

  const go = (patch: Record<string, string | number | null | undefined>) => {
    const next: Record<string, string | number | null | undefined> = {
      filter: filter === 'all' ? null : filter, q, sort: sort === 'title' ? null : sort, language, page: null,
      show: scope.show, season: scope.season, folder: scope.folder, kind: scope.kind, ...patch,
    };
    navigate(withQuery('/library', next));
  };
  const setScope = (s: Scope) => {
    setTreeOpen(false);
    go({ show: s.show ?? null, season: s.season ?? null, folder: s.folder ?? null, kind: s.kind ?? null });
  };

  const tree = useResource(() => unwrap(api.GET('/api/library/tree', {})), []);
  const list = useResource(
    () =>
      unwrap(
        api.GET('/api/library/items', {
          params: { query: { page, page_size: PAGE_SIZE, q: q || undefined, filter, sort, language: language || undefined, show: scope.show, season: scope.season, folder: scope.folder, kind: scope.kind } },
        }),
      ),
    [page, q, filter, sort, language, scope.show, scope.season, scope.folder, scope.kind],
  );
  useEffect(() => setSelected(new Set()), [page, q, filter, sort, language, scope.show, scope.season, scope.folder, scope.kind]);
  // The counts of the tree and tabs follow changed items too, at most every 2 s.
  const treeTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(treeTimer.current), []);
  useLibraryLive(
    (item) => {
      list.setData((p) => (p ? { ...p, items: p.items.map((x) => (x.id === item.id ? item : x)) } : p));
      if (!treeTimer.current) treeTimer.current = setTimeout(() => ((treeTimer.current = undefined), void tree.reload()), 2000);
    },
    () => {
      void list.reload();
      void tree.reload();
    },
  );

  const items = list.data?.items ?? [];
  const allOnPage = items.length > 0 && items.every((i) => selected.has(i.id));
  const toggle = (id: number) =>
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });

  async function act(action: LibraryActionBody['action'], target?: { item_ids?: number[]; filter?: LibraryActionBody['filter'] }) {
    setBusy(true);
    const r = await runLibraryAction({ action, ...(target ?? { item_ids: [...selected] }) });
    setBusy(false);
    if (r) {
      setSelected(new Set());
      void list.reload();
      void tree.reload();
    }
  }

  const scopeFilter = { show: scope.show, season: scope.season, folder: scope.folder, kind: scope.kind, q: q || undefined, language: language || undefined };
  // The tree counts a show or folder as a whole; with a search or language the count is not known here.
  const narrowed = !!(q || language);
  const wantedHere = narrowed ? (items.some((i) => i.wanted.length) ? 1 : 0) : tree.data ? wantedCount(tree.data, scope) : 0;

  return (
    <div className="view library">
      <PageHeader
        title="Library"
        actions={
          <a className="btn" href={href('/wanted')}>
            <Icon name="download" /> Wanted
          </a>
        }
      >
        <p className="muted">Every media file the scanner has seen, with its audio, its subtitles and the languages your rules still want.</p>
      </PageHeader>
      <ErrorBanner error={tree.error ?? list.error} onRetry={() => void Promise.all([tree.reload(), list.reload()])} />
      <div className="library-layout">
        <nav className={`card library-tree ${treeOpen ? 'open' : ''}`} aria-label="Browse the library">
          <button type="button" className="btn library-tree-toggle" aria-expanded={treeOpen} onClick={() => setTreeOpen(!treeOpen)}>
            <Icon name="folder" /> {scopeLabel(scope)}
          </button>
          <div className="library-tree-body">{tree.data ? <Tree tree={tree.data} scope={scope} onScope={setScope} /> : tree.loading && <Loading />}</div>
        </nav>

        <section className="library-main" aria-label={`Files: ${scopeLabel(scope)}`}>
          <div className="library-toolbar">
            <form
              className="library-search"
              role="search"
              onSubmit={(e) => {
                e.preventDefault();
                go({ q: search.trim() || null });
              }}
            >
              <input type="search" aria-label="Search titles and paths" placeholder="Search titles and paths" value={search} onChange={(e) => setSearch(e.target.value)} />
              <button type="submit" className="btn">
                Search
              </button>
            </form>
            <div className="library-sort">
              <label htmlFor="library-language">Language</label>
              <LanguageSelect id="library-language" label="Language" value={language} emptyLabel="Any" onChange={(v) => go({ language: v || null })} />
            </div>
            <label className="library-sort">
              <span>Sort</span>
              <select value={sort} onChange={(e) => go({ sort: e.target.value === 'title' ? null : e.target.value })}>
                {SORTS.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.label}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <div className="tabs" role="tablist" aria-label="Filter files">
            {FILTERS.map((f) => (
              <button key={f.id} type="button" role="tab" aria-selected={filter === f.id} className={`tab ${filter === f.id ? 'active' : ''}`} onClick={() => go({ filter: f.id === 'all' ? null : f.id })}>
                {f.label}
                {f.count && tree.data && <span className={`tab-count ${f.id === 'needs_review' && tree.data.totals[f.count] ? 'tab-count-warning' : ''}`}>{tree.data.totals[f.count]}</span>}
              </button>
            ))}
          </div>

          <div className="library-bulk" aria-label="Actions on the selection">
            <label className="check">
              <input
                type="checkbox"
                checked={allOnPage}
                disabled={!items.length}
                onChange={() => setSelected(allOnPage ? new Set() : new Set(items.map((i) => i.id)))}
              />
              {selected.size ? `${selected.size} selected` : 'Select page'}
            </label>
            {selected.size > 0 ? (
              <div className="library-bulk-actions">
                <button type="button" className="btn btn-small btn-primary" disabled={busy} onClick={() => void act('transcribe')}>
                  <Icon name="play" size={14} /> Transcribe
                </button>
                <button type="button" className="btn btn-small" disabled={busy} onClick={() => void act('redo')}>
                  <Icon name="retry" size={14} /> Redo
                </button>
                <button type="button" className="btn btn-small" disabled={busy} onClick={() => setConfirmDelete(true)}>
                  <Icon name="trash" size={14} /> Delete generated
                </button>
                <button type="button" className="btn btn-small" disabled={busy} onClick={() => void act('ignore')}>
                  Ignore
                </button>
                <button type="button" className="btn btn-small" disabled={busy} onClick={() => void act('unignore')}>
                  Unignore
                </button>
              </div>
            ) : (
              wantedHere > 0 && (
                <button type="button" className="btn btn-small btn-primary" disabled={busy} onClick={() => void act('transcribe', { filter: { ...scopeFilter, filter: 'wanted' } })}>
                  <Icon name="play" size={14} /> {narrowed ? 'Queue every wanted file that matches' : `Queue ${plural(wantedHere, 'wanted file')} in ${scopeLabel(scope)}`}
                </button>
              )
            )}
          </div>

          {!list.data ? (
            list.loading && <Loading />
          ) : items.length === 0 ? (
            <EmptyState>
              {tree.data && tree.data.totals.files === 0 ? (
                <>
                  The library index is empty: <a href={href('/scanner')}>scan your library folders</a> to fill it.
                </>
              ) : (
                'No files match.'
              )}
            </EmptyState>
          ) : (
            <ul className="library-items" aria-label="Files">
              {items.map((i) => (
                <ItemRow key={i.id} item={i} selected={selected.has(i.id)} onToggle={() => toggle(i.id)} />
              ))}
            </ul>
          )}
          {list.data && <Pagination page={page} pageSize={PAGE_SIZE} total={list.data.total} onPage={(p) => go({ page: p })} />}
          {list.data && list.data.total > 0 && <p className="muted small">{plural(list.data.total, 'file')}</p>}
        </section>
      </div>
      <ConfirmDialog
        open={confirmDelete}
        title="Delete generated subtitles"
        message={`Delete the subtitles TranscriptorIO made for ${plural(selected.size, 'selected file')}? Files somebody edited since, and your own subtitles, stay.`}
        confirmLabel="Delete"
        danger
        onConfirm={() => {
          setConfirmDelete(false);
          void act('delete_generated');
        }}
        onCancel={() => setConfirmDelete(false)}
      />
    </div>
  );
}

function wantedCount(t: LibraryTree, s: Scope): number {
  if (s.show) {
    const show = t.shows.find((x) => x.show === s.show);
    if (!show) return 0;
    return s.season !== undefined ? (show.seasons.find((x) => x.season === s.season)?.wanted ?? 0) : show.wanted;
  }
  if (s.kind === 'movie') return t.movies.wanted;
  if (s.kind === 'other') return t.other.wanted;
  if (s.folder) return t.roots.find((r) => r.path === s.folder)?.wanted ?? t.folders.find((f) => f.path === s.folder)?.wanted ?? 0;
  return t.totals.wanted;
}

function ItemRow({ item: i, selected, onToggle }: { item: LibraryItem; selected: boolean; onToggle: () => void }): ReactNode {
  return (
    <li className={`library-item ${i.missing ? 'is-missing' : ''} ${i.ignored ? 'is-ignored' : ''}`} data-item-id={i.id}>
      <input type="checkbox" checked={selected} onChange={onToggle} aria-label={`Select ${i.file_name}`} />
      <div className="library-item-main">
        <a className="library-item-title" href={href(`/library/item/${i.id}`)}>
          {i.kind === 'episode' && i.show ? <span className="muted">{i.show} · </span> : null}
          {itemLabel(i)}
        </a>
        <LanguageBadges item={i} compact />
        <p className="library-item-meta muted small">
          <code className="break">{i.file_name}</code>
          {i.duration_seconds ? ` · ${formatDuration(i.duration_seconds)}` : ''} · {formatBytes(i.size)}
          {i.missing && <span className="badge badge-failed">missing</span>}
          {i.needs_review && <ScoreBadge score={itemReviewScore(i)} needsReview />}
          {i.ignored && <span className="badge badge-skip">ignored</span>}
        </p>
      </div>
    </li>
  );
}

function Tree({ tree, scope, onScope }: { tree: LibraryTree; scope: Scope; onScope: (s: Scope) => void }): ReactNode {
  const [open, setOpen] = useState<Set<string>>(() => new Set(scope.show ? [scope.show] : []));
  const is = (s: Scope) => s.show === scope.show && s.season === scope.season && s.folder === scope.folder && s.kind === scope.kind;
  const node = (s: Scope, label: string, c: { files: number; wanted: number }, extra?: ReactNode) => (
    <button type="button" className={`tree-node ${is(s) ? 'active' : ''}`} aria-current={is(s) ? 'true' : undefined} onClick={() => onScope(s)}>
      <span className="tree-label">{label}</span>
      {extra}
      <span className="tree-counts">
        {c.wanted > 0 && (
          <span className="tree-wanted" title={`${c.wanted} wanted`}>
            {c.wanted}
          </span>
        )}
        <span className="muted">{c.files}</span>
      </span>
    </button>
  );
  return (
    <ul className="tree">
      <li>{node({}, 'All files', tree.totals)}</li>
      {tree.shows.length > 0 && <li className="tree-heading">Shows</li>}
      {tree.shows.map((sh) => {
        const expanded = open.has(sh.show);
        return (
          <li key={sh.show}>
            <div className="tree-row">
              <button
                type="button"
                className="tree-expand"
                aria-expanded={expanded}
                aria-label={`${expanded ? 'Collapse' : 'Expand'} ${sh.show}`}
                onClick={() =>
                  setOpen((o) => {
                    const n = new Set(o);
                    if (n.has(sh.show)) n.delete(sh.show);
                    else n.add(sh.show);
                    return n;
                  })
                }
              >
                {expanded ? '▾' : '▸'}
              </button>
              {node({ show: sh.show }, sh.show, sh)}
            </div>
            {expanded && (
              <ul className="tree tree-nested">
                {sh.seasons.map((se) => (
                  <li key={String(se.season)}>{node({ show: sh.show, season: se.season ?? undefined }, se.season === null ? 'Specials / no season' : `Season ${se.season}`, se)}</li>
                ))}
              </ul>
            )}
          </li>
        );
      })}
      {(tree.movies.files > 0 || tree.other.files > 0) && <li className="tree-heading">Other</li>}
      {tree.movies.files > 0 && <li>{node({ kind: 'movie' }, 'Movies', tree.movies)}</li>}
      {tree.other.files > 0 && <li>{node({ kind: 'other' }, 'Audio and other files', tree.other)}</li>}
      {tree.roots.length > 0 && <li className="tree-heading">Folders</li>}
      {tree.roots.map((r) => (
        <li key={r.path}>{node({ folder: r.path }, r.path, r)}</li>
      ))}
      {tree.folders
        .filter((f) => !tree.roots.some((r) => r.path === f.path))
        .map((f) => (
          <li key={f.path} className="tree-sub">
            {node({ folder: f.path }, f.path.split('/').pop() || f.path, f)}
          </li>
        ))}
    </ul>
  );
}
