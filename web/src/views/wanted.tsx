// Wanted: the files the enabled rules still want a subtitle for, grouped by
// show (movies and other files apart), with "Queue all" for everything, per
// show, and per file.
import { useState, type ReactNode } from 'react';
import { api, unwrap } from '../api/client';
import { EmptyState, ErrorBanner, Loading, PageHeader, Pagination } from '../components/bits';
import { Icon } from '../components/icons';
import { itemLabel, LanguageBadges, runLibraryAction, useLibraryLive, type LibraryActionBody, type LibraryItem } from '../components/library-bits';
import { plural } from '../lib/format';
import { href, navigate, useRoute, withQuery } from '../lib/router';
import { useResource } from '../lib/use-resource';

const PAGE_SIZE = 200;

interface Group {
  key: string;
  title: string;
  filter: LibraryActionBody['filter'];
  items: LibraryItem[];
}

function groupsOf(items: LibraryItem[]): Group[] {
  const by = new Map<string, Group>();
  for (const i of items) {
    const key = i.kind === 'episode' && i.show ? `show:${i.show}` : i.kind === 'movie' ? 'movies' : 'other';
    let g = by.get(key);
    if (!g) {
      g =
        key === 'movies'
          ? { key, title: 'Movies', filter: { filter: 'wanted', kind: 'movie' }, items: [] }
          : key === 'other'
            ? { key, title: 'Other files', filter: { filter: 'wanted', kind: 'other' }, items: [] }
            : { key, title: i.show!, filter: { filter: 'wanted', show: i.show! }, items: [] };
      by.set(key, g);
    }
    g.items.push(i);
  }
  return [...by.values()];
}

export function Wanted(): ReactNode {
  const { query } = useRoute();
  const page = Math.max(1, Number(query.get('page') ?? 1) || 1);
  const [busy, setBusy] = useState<string | null>(null);
  const list = useResource(() => unwrap(api.GET('/api/library/items', { params: { query: { filter: 'wanted', page, page_size: PAGE_SIZE, sort: 'title' } } })), [page]);
  useLibraryLive(
    (item) =>
      list.setData((p) => {
        if (!p) return p;
        // A file no longer wanted leaves the list once its job is done; while it runs, it stays with its progress.
        const stillShown = item.wanted.length > 0 || item.jobs.some((j) => j.status === 'queued' || j.status === 'processing');
        return { ...p, items: stillShown ? p.items.map((x) => (x.id === item.id ? item : x)) : p.items.filter((x) => x.id !== item.id) };
      }),
    () => void list.reload(),
  );

  async function queue(key: string, target: Pick<LibraryActionBody, 'item_ids' | 'filter'>) {
    setBusy(key);
    const r = await runLibraryAction({ action: 'transcribe', ...target });
    setBusy(null);
    if (r) void list.reload();
  }

  const items = list.data?.items ?? [];
  const groups = groupsOf(items);
  const total = list.data?.total ?? 0;
  return (
    <div className="view wanted">
      <PageHeader
        title="Wanted"
        actions={
          total > 0 && (
            <button type="button" className="btn btn-primary" disabled={busy !== null} onClick={() => void queue('all', { filter: { filter: 'wanted' } })}>
              <Icon name="play" /> Queue all {plural(total, 'file')}
            </button>
          )
        }
      >
        <p className="muted">
          Files your rules want a subtitle for that they do not have yet. Change what is wanted on the <a href={href('/rules')}>Rules</a> page.
        </p>
      </PageHeader>
      <ErrorBanner error={list.error} onRetry={() => void list.reload()} />
      {list.data?.wanted_pending && <p className="muted small">Rules changed a moment ago: the list is being brought up to date.</p>}
      {!list.data ? (
        list.loading && <Loading />
      ) : items.length === 0 ? (
        <EmptyState>
          Nothing is wanted. New files show up here after a <a href={href('/scanner')}>scan</a>; the <a href={href('/library')}>Library</a> shows every file.
        </EmptyState>
      ) : (
        groups.map((g) => (
          <section key={g.key} className="card wanted-group" aria-labelledby={`wg-${g.key}`}>
            <header className="wanted-group-head">
              <h2 id={`wg-${g.key}`}>
                {g.key.startsWith('show:') ? <a href={href(withQuery('/library', { show: g.title, filter: 'wanted' }))}>{g.title}</a> : g.title}{' '}
                <span className="muted">({plural(g.items.length, 'file')})</span>
              </h2>
              <button type="button" className="btn btn-small" disabled={busy !== null} onClick={() => void queue(g.key, { filter: g.filter })} aria-label={`Queue all wanted in ${g.title}`}>
                <Icon name="play" size={14} /> Queue all
              </button>
            </header>
            <ul className="library-items">
              {g.items.map((i) => (
                <li key={i.id} className="library-item" data-item-id={i.id}>
                  <div className="library-item-main">
                    <a className="library-item-title" href={href(`/library/item/${i.id}`)}>
                      {itemLabel(i)}
                    </a>
                    <LanguageBadges item={i} compact />
                    <p className="muted small">{i.wanted.map((w) => w.reason).join(' · ')}</p>
                  </div>
                  <button type="button" className="btn btn-small" disabled={busy !== null || i.wanted.length === 0} onClick={() => void queue(`i${i.id}`, { item_ids: [i.id] })} aria-label={`Queue ${i.file_name}`}>
                    Queue
                  </button>
                </li>
              ))}
            </ul>
          </section>
        ))
      )}
      {list.data && <Pagination page={page} pageSize={PAGE_SIZE} total={total} onPage={(p) => navigate(withQuery('/wanted', { page: p }))} />}
    </div>
  );
}
