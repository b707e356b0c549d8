/**
 * The ids of strings in JavaScript string order (UTF-16 code units), ties by id: what
 * `ids.sort((a, b) => strings[a] < strings[b] ? -1 : ...)` gives, several times faster on a
 * segment's ~100k terms. Each id is packed with its string's first two code units into one
 * float (exact below 2^53), the floats are sorted natively, and only the runs that share their
 * first two code units are sorted with a comparator.
 */
export function idsInStringOrder(strings: readonly string[], idBits = 21): Uint32Array {
  const idRange = 2 ** Math.min(idBits, 21); // two 16-bit code units and the id: at most 53 bits
  const n = strings.length;
  const ids = new Uint32Array(n);
  const compare = (a: number, b: number) => (strings[a] < strings[b] ? -1 : strings[a] > strings[b] ? 1 : a - b);
  if (n > idRange) {
    for (let i = 0; i < n; i++) ids[i] = i;
    return ids.sort(compare);
  }
  // First code unit, second (0 when there is none: such a string shares its run with those whose
  // second code unit is 0, and the comparator orders them), id: 16 + 16 + at most 21 bits.
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const s = strings[i];
    const first = s.length > 0 ? s.charCodeAt(0) : 0;
    const second = s.length > 1 ? s.charCodeAt(1) : 0;
    keys[i] = (first * 65536 + second) * idRange + i;
  }
  keys.sort();
  for (let i = 0; i < n; i++) ids[i] = keys[i] % idRange;
  for (let start = 0; start < n;) {
    const prefix = Math.floor(keys[start] / idRange);
    let end = start + 1;
    while (end < n && Math.floor(keys[end] / idRange) === prefix) end++;
    if (end - start > 1) ids.subarray(start, end).sort(compare);
    start = end;
  }
  return ids;
}
