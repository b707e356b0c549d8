/**
 * Stemming for related-paper search: Porter's algorithm from the `stemmer` package (wooorm),
 * applied to the tokenizer's output (lower-cased, diacritics folded, stopwords already dropped).
 * Numbers are kept as they are. Only the related-papers postings are stemmed; completion and
 * palette lookups use the exact words (a typed prefix must stay a prefix of the indexed term).
 *
 * Measured on ACM-CR (docs/retrieval.md): Porter +0.034 Recall@10 over no stemming; Porter2
 * (`wink-porter2-stemmer`) was 0.005 lower, so the well-kept Porter library is used, not a
 * hand-written one.
 */
import { stemmer } from 'stemmer';

const cache = new Map<string, string>();
const CACHE_LIMIT = 200_000;

/** The index form of a token in related mode (its Porter stem; digits unchanged). */
export function stem(token: string): string {
  let s = cache.get(token);
  if (s !== undefined) return s;
  s = token.length <= 2 || !/^[a-z]+$/.test(token) ? token : stemmer(token);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(token, s);
  return s;
}
