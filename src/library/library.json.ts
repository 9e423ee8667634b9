/**
 * The library's answers as JSON bytes, written once per answer: the cached
 * bytes are what every later request gets.
 * - The tree: fast-json-stringify from the schema the route documents.
 * - An item: JSON.stringify of toItem's object, which names every documented
 *   key itself (twice as fast as the schema's serializer, whose nullable
 *   fields are checked one by one; library.json.test.ts holds both to the
 *   same output).
 * - A page: its items' JSON bytes, already written for other pages
 *   (answer-cache.ts keeps them), copied between the page's own keys.
 */
import fastJson from 'fast-json-stringify';
import type { ItemView } from './item-row.js';
import { TreeSchema } from './library.schemas.js';
import type { Static } from '@fastify/type-provider-typebox';

export type Tree = Static<typeof TreeSchema>;

export const treeJson: (tree: Tree) => string = fastJson(TreeSchema);

/**
 * One item's JSON bytes (LibraryItemSchema), in a buffer of its own: small
 * Buffer.from()s share 8 KiB slabs, which one cached item would keep alive.
 */
export function itemJson(item: ItemView): Buffer {
  const json = JSON.stringify(item);
  const out = Buffer.allocUnsafeSlow(Buffer.byteLength(json));
  out.write(json);
  return out;
}

export interface PageMeta {
  total: number;
  page: number;
  page_size: number;
  wanted_pending: boolean;
}

const HEAD = Buffer.from('{"items":[');
const COMMA = Buffer.from(',');

/** The JSON bytes of GET /items (ItemsPageSchema), from items already serialized: their bytes are copied, not written again. */
export function pageJson(items: Buffer[], meta: PageMeta): Buffer {
  const parts: Buffer[] = [HEAD];
  items.forEach((b, i) => (i ? parts.push(COMMA, b) : parts.push(b)));
  parts.push(Buffer.from(`],"total":${Math.trunc(meta.total)},"page":${Math.trunc(meta.page)},"page_size":${Math.trunc(meta.page_size)},"wanted_pending":${meta.wanted_pending ? 'true' : 'false'}}`));
  return Buffer.concat(parts);
}
