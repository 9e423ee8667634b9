/**
 * The library's answers as JSON bytes, written once per answer: the cached
 * bytes are what every later request gets.
 * - The tree: fast-json-stringify from the schema the route documents.
 * - An item: JSON.stringify of toItem's object, which names every documented
 *   key itself (twice as fast as the schema's serializer, whose nullable
 *   fields are checked one by one; library.json.test.ts holds both to the
 *   same output).
 * - A page: its items' JSON, already written for other pages (answer-cache.ts
 *   keeps it), copied between the page's own keys into one buffer.
 */
import fastJson from 'fast-json-stringify';
import type { ItemView } from './item-row.js';
import { TreeSchema } from './library.schemas.js';
import type { Static } from '@fastify/type-provider-typebox';

export type Tree = Static<typeof TreeSchema>;

export const treeJson: (tree: Tree) => string = fastJson(TreeSchema);

/** One item's JSON (LibraryItemSchema). */
export const itemJson = (item: ItemView): string => JSON.stringify(item);

export interface PageMeta {
  total: number;
  page: number;
  page_size: number;
  wanted_pending: boolean;
}

/** The JSON bytes of GET /items (ItemsPageSchema), from items already serialized: they are copied, not written again. */
export function pageJson(items: string[], meta: PageMeta): Buffer {
  const tail = `],"total":${Math.trunc(meta.total)},"page":${Math.trunc(meta.page)},"page_size":${Math.trunc(meta.page_size)},"wanted_pending":${meta.wanted_pending ? 'true' : 'false'}}`;
  const parts = ['{"items":[', ...items.flatMap((s, i) => (i ? [',', s] : [s])), tail];
  const out = Buffer.allocUnsafeSlow(parts.reduce((n, s) => n + Buffer.byteLength(s), 0));
  let at = 0;
  for (const s of parts) at += out.write(s, at);
  return out;
}
