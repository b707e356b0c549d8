import { test } from 'node:test';
import assert from 'node:assert/strict';
import { idsInStringOrder } from '../../server/src/index/stringOrder';

/** The order by definition: a comparator over the strings, ties by id. */
function reference(strings: readonly string[]): number[] {
  return [...strings.keys()].sort((a, b) => (strings[a] < strings[b] ? -1 : strings[a] > strings[b] ? 1 : a - b));
}

/** A pseudo-random string over `alphabet` (code units), 0–`max` long. */
function randomStrings(count: number, alphabet: number[], max: number, seed: number): string[] {
  let x = seed;
  const next = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 8);
  return Array.from({ length: count }, () => String.fromCharCode(...Array.from({ length: next() % (max + 1) }, () => alphabet[next() % alphabet.length])));
}

test('ids in string order: same as a comparator sort, for prefixes, the empty string, duplicates and any code unit (255 and above end the packed key)', () => {
  const edge = [0, 1, 0x61, 0x62, 0x7a, 0xe9, 0xfe, 0xff, 0x100, 0x4e2d, 0xd83d, 0xde00, 0xfffe, 0xffff];
  const cases: string[][] = [
    [],
    [''],
    ['b', 'a', 'ab', 'a', '', 'aa', 'a\u0000', 'a\uffff', '\uffff\uffff', '\uffff', 'ba'],
    randomStrings(5000, edge, 4, 1),
    randomStrings(5000, [0x61, 0x62, 0x63], 6, 2), // long runs sharing their first two code units
    randomStrings(3000, edge.concat([0x61, 0x62, 0x63]), 3, 3),
  ];
  for (const strings of cases) assert.deepEqual([...idsInStringOrder(strings)], reference(strings));
});

test('ids in string order: as many strings as the packed ids allow, and more (sorted without packing)', () => {
  for (const count of [16, 17, 200]) {
    const strings = randomStrings(count, [0x61, 0x62, 0xe9, 0xffff], 3, count);
    assert.deepEqual([...idsInStringOrder(strings, 4)], reference(strings), `${count} strings, 16 ids`);
  }
});
