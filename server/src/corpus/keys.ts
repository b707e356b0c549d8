/**
 * Citation keys for records that have none (JSON Lines, plain text, a BibTeX entry without a key),
 * Google Scholar style: first author's surname + year + first significant title word (not a
 * stopword, two letters or more), as ASCII-folded lower-case letters: `vaswani2017attention`.
 * Missing parts are left out (`attention`, `vaswani2017`); with none at all the key is `untitled`.
 * A key already taken gets a suffix `-b`, `-c`, … `-z`, `-aa`, `-ab`, … (the first holder keeps the
 * bare key), so keys are stable: the same records in the same order get the same keys.
 */

/** Title words never used as the key word. */
const STOPWORDS: ReadonlySet<string> = new Set([
  'a', 'an', 'the', 'on', 'of', 'in', 'for', 'to', 'and', 'or', 'with', 'from', 'by', 'at', 'as', 'is',
  'are', 'be', 'via', 'into', 'toward', 'towards', 'about', 'what', 'when', 'why', 'how', 'do', 'does',
  'can', 'we', 'our', 'you', 'your', 'its', 'it', 'this', 'that', 'not', 'no', 'all', 'some', 'using',
]);

/** Name suffixes that are not the surname ("Martin Luther King Jr."). */
const NAME_SUFFIX = /^(?:jr|sr|ii|iii|iv)\.?$/i;

/**
 * Diacritics removed and Latin ligatures/special letters spelled out ("Müller" → "Muller",
 * "Łukasz" → "Lukasz", "Ærø" → "AEro"); other characters unchanged. Keys and the search index
 * (`index/tokenizer.ts`) fold the same way.
 */
export function foldDiacritics(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '')
    .replace(/ß/g, 'ss').replace(/æ/g, 'ae').replace(/Æ/g, 'AE').replace(/œ/g, 'oe').replace(/Œ/g, 'OE')
    .replace(/ø/g, 'o').replace(/Ø/g, 'O').replace(/ł/g, 'l').replace(/Ł/g, 'L').replace(/[đð]/g, 'd')
    .replace(/[ĐÐ]/g, 'D').replace(/þ/g, 'th').replace(/Þ/g, 'Th').replace(/ı/g, 'i');
}

/** Letters a–z only: diacritics and ligatures folded, everything else dropped. */
function asciiLetters(s: string): string {
  return foldDiacritics(s).toLowerCase().replace(/[^a-z]+/g, '');
}

function surname(author: string | undefined): string {
  const words = author?.trim().split(/\s+/) ?? [];
  while (words.length > 1 && NAME_SUFFIX.test(words[words.length - 1])) words.pop();
  return asciiLetters(words[words.length - 1] ?? '');
}

function titleWord(title: string | undefined): string {
  for (const w of title?.split(/[\s\-–—:/]+/) ?? []) {
    const word = asciiLetters(w);
    if (word.length > 1 && !STOPWORDS.has(word)) return word;
  }
  return '';
}

/** The key a record would get if nothing else had it. */
export function baseKey(record: { authors?: readonly string[]; year?: number; title?: string }): string {
  const key = surname(record.authors?.[0]) + (record.year ?? '') + titleWord(record.title);
  return key || 'untitled';
}

/** Bijective base-26 letters: 1 → a, 2 → b, … 26 → z, 27 → aa. */
function letters(n: number): string {
  let s = '';
  for (; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(97 + ((n - 1) % 26)) + s;
  return s;
}

/** Per `taken` set, the next suffix number to try for each base: a thousand records with the same
 *  base key cost a thousand probes, not half a million. */
const nextSuffix = new WeakMap<KeySet, Map<string, number>>();

/** The keys in use: a `Set`, or a view that also consults other files' keys. */
export interface KeySet { has(key: string): boolean; add(key: string): unknown }

/** `base` itself if free, else the next of `base-b`, `base-c`, … not taken; the result is added to `taken`. */
export function uniqueKey(base: string, taken: KeySet): string {
  let key = base;
  if (taken.has(key)) {
    let hints = nextSuffix.get(taken);
    if (!hints) nextSuffix.set(taken, hints = new Map());
    let n = hints.get(base) ?? 2;
    while (taken.has(key = `${base}-${letters(n)}`)) n++;
    hints.set(base, n + 1);
  }
  taken.add(key);
  return key;
}

/** A fresh key for a record without one, unique with respect to (and added to) `taken`. */
export function generateKey(record: { authors?: readonly string[]; year?: number; title?: string }, taken: Set<string>): string {
  return uniqueKey(baseKey(record), taken);
}

/**
 * Generated keys (records without one) that `taken` says are in use elsewhere get the next free
 * suffix of their base key, avoiding those and the records' own keys as well.
 */
export function renameTakenGeneratedKeys(records: { key: string; keyGenerated?: boolean; authors?: readonly string[]; year?: number; title?: string }[], taken: (key: string) => boolean): void {
  if (!records.some(r => r.keyGenerated && taken(r.key))) return;
  const own = new Set(records.map(r => r.key));
  const inUse: KeySet = { has: k => own.has(k) || taken(k), add: k => own.add(k) };
  for (const r of records) if (r.keyGenerated && taken(r.key)) r.key = uniqueKey(baseKey(r), inUse);
}
