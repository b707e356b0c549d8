/** Searching a postings list (doc ids ascending within a term's range of `docs`). */

/**
 * The first index in `[from, end)` whose doc id is at least `d` (`end` if none): exponential steps
 * from `from`, then a binary search, so walking ascending targets along one list costs little.
 */
export function gallopTo(docs: Uint32Array, from: number, end: number, d: number): number {
  if (from >= end || docs[from] >= d) return from;
  let lo = from, step = 1;
  let hi = from + 1;
  while (hi < end && docs[hi] < d) { lo = hi; step *= 2; hi = from + step; }
  if (hi > end) hi = end;
  // docs[lo] < d; docs[hi] >= d or hi === end.
  lo++;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (docs[mid] < d) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/** Where paper `d` sits in `docs[from .. end)`, or -1 when it is not there. */
export function indexOfDoc(docs: Uint32Array, from: number, end: number, d: number): number {
  const at = gallopTo(docs, from, end, d);
  return at < end && docs[at] === d ? at : -1;
}
