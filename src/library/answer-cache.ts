/**
 * The library's caches, bounded by size (the least recently used entry goes
 * first, lru-cache):
 *
 * - `VersionedCache`: answers (a page's item ids, a tree's JSON bytes, a count),
 *   each valid for the index version it was computed under; callers asking
 *   at once for the same missing answer share one computation.
 * - `ItemJsonCache`: one item's JSON bytes by id and the row's updated_ms
 *   (strictly increasing per write, item-row.ts changeMs), so a page that was
 *   never asked for before is assembled from items already serialized for
 *   other pages, filters and sorts.
 *
 *   const cache = new VersionedCache<Buffer>({ maxBytes: 32 << 20, sizeOf: (b) => b.length });
 *   const bytes = await cache.get('page:...', version, () => computePage());
 */
import { LRUCache } from 'lru-cache';

export class VersionedCache<V extends object | number> {
  private readonly lru: LRUCache<string, { version: string; value: V }>;
  private readonly inflight = new Map<string, Promise<V>>();

  constructor(opts: { maxBytes: number; sizeOf: (v: V) => number }) {
    this.lru = new LRUCache({ maxSize: opts.maxBytes, sizeCalculation: (e, key) => Math.max(1, opts.sizeOf(e.value) + key.length) });
  }

  /** The answer for `key` under `version`, else `compute` (once for all concurrent callers). */
  async get(key: string, version: string, compute: () => Promise<V>): Promise<V> {
    const hit = this.lru.get(key);
    if (hit && hit.version === version) return hit.value;
    const flightKey = `${version}\u0000${key}`;
    const running = this.inflight.get(flightKey);
    if (running) return running;
    const p = compute()
      .then((value) => {
        this.lru.set(key, { version, value });
        return value;
      })
      .finally(() => this.inflight.delete(flightKey));
    this.inflight.set(flightKey, p);
    return p;
  }
}

export class ItemJsonCache {
  private readonly lru: LRUCache<string, Buffer>;

  constructor(maxBytes: number) {
    // Each Buffer costs about 200 bytes besides its bytes.
    this.lru = new LRUCache({ maxSize: maxBytes, sizeCalculation: (json, key) => json.length + key.length + 200 });
  }

  get(id: number, updatedMs: number): Buffer | undefined {
    return this.lru.get(`${id}:${updatedMs}`);
  }

  set(id: number, updatedMs: number, json: Buffer): void {
    this.lru.set(`${id}:${updatedMs}`, json);
  }
}
