/**
 * The library API's lists (filters, sorts, actions, item kinds), defined once
 * and free of dependencies: the schemas (library.schemas.ts), the service and
 * the web UI (web/src/lib/kinds.ts) all take them from here.
 */
export const LIBRARY_FILTERS = ['all', 'wanted', 'generated', 'failed', 'missing', 'ignored', 'needs_review', 'out_of_sync'] as const;
export type LibraryFilter = (typeof LIBRARY_FILTERS)[number];

export const LIBRARY_SORTS = ['title', '-title', 'path', '-path', 'added', '-added', 'size', '-size', 'modified', '-modified'] as const;
export type LibrarySort = (typeof LIBRARY_SORTS)[number];

export const LIBRARY_ACTIONS = ['transcribe', 'redo', 'delete_generated', 'ignore', 'unignore'] as const;
export type LibraryAction = (typeof LIBRARY_ACTIONS)[number];

export const ITEM_KINDS = ['episode', 'movie', 'other'] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];
