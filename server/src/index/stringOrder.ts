/**
 * The ids of strings in JavaScript string order (UTF-16 code units), ties by id: what
 * `ids.sort((a, b) => strings[a] < strings[b] ? -1 : ...)` gives, several times faster on a
 * segment's ~100k terms. Each id is packed with its string's first four code units, a byte each,
 * into one float (exact below 2^53); the floats are sorted natively, and only the runs that share
 * a key are sorted with a comparator. A code unit of 255 or more counts as 255 and ends the key
 * (the rest count as 0), as does the end of the string: the key never orders two strings against
 * their string order, and strings it cannot tell apart share a run.
 */
export function idsInStringOrder(strings: readonly string[], idBits = 21): Uint32Array {
  const idRange = 2 ** Math.min(idBits, 21); // four bytes and the id: at most 53 bits
  const n = strings.length;
  const ids = new Uint32Array(n);
  const compare = (a: number, b: number) => (strings[a] < strings[b] ? -1 : strings[a] > strings[b] ? 1 : a - b);
  if (n > idRange) {
    for (let i = 0; i < n; i++) ids[i] = i;
    return ids.sort(compare);
  }
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const s = strings[i];
    let key = 0;
    let open = true;
    for (let j = 0; j < 4; j++) {
      const c = open && j < s.length ? s.charCodeAt(j) : 0;
      if (c >= 255) open = false;
      key = key * 256 + (c < 255 ? c : 255);
    }
    keys[i] = key * idRange + i;
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
