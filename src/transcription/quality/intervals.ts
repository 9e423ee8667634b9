/**
 * Time intervals walked together: cues against speech spans, against
 * low-confidence segments, against engine segments. Both lists are sorted by
 * start once and walked forward, so an hour of cues costs the number of cues
 * plus the number of spans plus the overlaps, never cues times spans.
 */

export interface Interval {
  start: number;
  end: number;
}

/** Indexes of `items` in start order (stable: equal starts keep their input order). */
export function orderByStart(items: readonly Interval[]): number[] {
  const order = items.map((_, i) => i);
  let sorted = true;
  for (let i = 1; i < items.length && sorted; i++) if (items[i].start < items[i - 1].start) sorted = false;
  if (!sorted) order.sort((a, b) => items[a].start - items[b].start || a - b);
  return order;
}

/** Sorted, non-overlapping intervals covering the same time; `pad` widens each one on both sides first. */
export function mergeIntervals(items: readonly Interval[], pad = 0): Interval[] {
  const out: Interval[] = [];
  for (const i of orderByStart(items)) {
    const start = Math.max(0, items[i].start - pad);
    const end = items[i].end + pad;
    if (end <= start) continue;
    const last = out.at(-1);
    if (last && start <= last.end) last.end = Math.max(last.end, end);
    else out.push({ start, end });
  }
  return out;
}

export function totalLength(items: readonly Interval[]): number {
  let sum = 0;
  for (const i of items) sum += Math.max(0, i.end - i.start);
  return sum;
}

/**
 * For each query (visited in start order), the intervals of `items` that
 * overlap it: `visit(queryIndex, itemIndex, overlapSeconds)`. `items` need
 * not be disjoint; a zero-length item inside a query counts with overlap 0.
 */
export function forEachOverlap(
  queries: readonly Interval[],
  items: readonly Interval[],
  visit: (query: number, item: number, overlap: number) => void,
): void {
  const qOrder = orderByStart(queries);
  const iOrder = orderByStart(items);
  // The latest end among items[iOrder[0..k]]: once it is before a query's start, so is every item up to k,
  // and since queries come in start order, no later query needs them either.
  const maxEnd: number[] = [];
  let m = -Infinity;
  for (const i of iOrder) maxEnd.push((m = Math.max(m, items[i].end)));
  let first = 0;
  for (const q of qOrder) {
    const { start, end } = queries[q];
    while (first < iOrder.length && maxEnd[first] < start) first++;
    for (let k = first; k < iOrder.length; k++) {
      const it = items[iOrder[k]];
      if (it.start > end || (it.start === end && end > start)) break;
      const overlap = Math.min(end, it.end) - Math.max(start, it.start);
      if (overlap > 0 || (overlap === 0 && it.start >= start && it.end <= end)) visit(q, iOrder[k], Math.max(0, overlap));
    }
  }
}

/** Seconds of each query covered by `disjoint` (sorted, non-overlapping intervals, e.g. from mergeIntervals). */
export function coveredSeconds(queries: readonly Interval[], disjoint: readonly Interval[]): number[] {
  const out = new Array<number>(queries.length).fill(0);
  forEachOverlap(queries, disjoint, (q, _i, overlap) => {
    out[q] += overlap;
  });
  return out;
}
