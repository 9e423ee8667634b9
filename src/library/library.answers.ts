/**
 * The JSON answers of GET /api/library/items and /tree, kept behind the
 * routes: the service plans a page (its items' ids and change stamps) or a
 * tree (its key and index version), and this writes the bytes and keeps
 * them. Every item's JSON is written once and kept under its change stamp,
 * so a page not asked for before is assembled from items other pages,
 * filters and sorts already wrote; a tree's bytes are kept per folder and
 * index version.
 */
import type { Static } from '@fastify/type-provider-typebox';
import { ItemJsonCache, VersionedCache } from './answer-cache.js';
import { itemJson, pageJson, treeJson } from './library.json.js';
import type { ItemsQuery } from './library.schemas.js';
import type { LibraryService } from './library.service.js';

/**
 * Sizes of the caches. Items: about 100,000 (an item is about 1.1 KB of
 * JSON), filled only with the items pages show; trees as their bytes.
 */
const ITEM_CACHE_BYTES = 128 * 1024 * 1024;
const TREE_CACHE_BYTES = 16 * 1024 * 1024;

export class LibraryAnswers {
  private readonly items = new ItemJsonCache(ITEM_CACHE_BYTES);
  private readonly trees = new VersionedCache<Buffer>({ maxBytes: TREE_CACHE_BYTES, sizeOf: (b) => b.length });

  constructor(private readonly library: () => LibraryService) {}

  /** GET /items as JSON (ItemsPageSchema). */
  async page(q: Static<typeof ItemsQuery>): Promise<Buffer> {
    const plan = await this.library().pagePlan(q);
    if (plan.items) return pageJson(plan.items.map(itemJson), plan.meta);
    const out = plan.keys.map((k) => this.items.get(k.id, k.updated_ms));
    const missing = plan.keys.filter((_, i) => out[i] === undefined).map((k) => k.id);
    if (missing.length) {
      const views = await this.library().itemViews(missing);
      plan.keys.forEach((k, i) => {
        const v = out[i] === undefined ? views.get(k.id) : undefined;
        if (!v) return;
        const json = itemJson(v.item);
        this.items.set(k.id, v.updatedMs, json);
        out[i] = json;
      });
    }
    // An item deleted between the two reads is left out.
    return pageJson(out.filter((j): j is Buffer => j !== undefined), plan.meta);
  }

  /** GET /tree as JSON (TreeSchema). */
  async tree(folder?: string): Promise<Buffer> {
    const plan = await this.library().treePlan(folder);
    return this.trees.get(plan.key, plan.version, async () => Buffer.from(treeJson(await plan.build())));
  }
}
