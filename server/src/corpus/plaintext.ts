/**
 * Plain-text paper lists, as copied from a listing page: blocks separated by blank lines, each
 * paper a one-line title block followed by an abstract block. A title is a single line of at most
 * 40 words; an abstract has at least 20 words. Anything else is skipped — page furniture like
 * "Subscribe" or "Apr 8" is never a paper, since no long paragraph follows it — except a long
 * block right after an abstract, which is that abstract's next paragraph. Keys are generated.
 */
import type { LoadResult, Paper, SourceRange } from './paper';
import { collapseSpace, fillMissingKeys, makePaper } from './records';

const MAX_TITLE_WORDS = 40;
const MIN_ABSTRACT_WORDS = 20;

interface Block { text: string; words: number; lines: number; range: SourceRange }

/** Runs of non-blank lines, whitespace collapsed, with the range from first to last character. */
function blocks(text: string): Block[] {
  const out: Block[] = [];
  let open: Block | undefined;
  text.split(/\r\n?|\n/).forEach((line, n) => {
    const content = line.trim();
    if (!content) { open = undefined; return; }
    const end = { line: n, character: line.trimEnd().length };
    if (open) {
      open.text += ` ${content}`;
      open.lines++;
      open.range.end = end;
    } else {
      open = { text: content, words: 0, lines: 1, range: { start: { line: n, character: line.length - line.trimStart().length }, end } };
      out.push(open);
    }
  });
  for (const b of out) {
    b.text = collapseSpace(b.text);
    b.words = b.text.split(' ').length;
  }
  return out;
}

export function parsePlainText(text: string, source: string): LoadResult {
  const papers: Paper[] = [];
  const bs = blocks(text);
  let previous = -1; // index of the block that ended the last paper
  for (let i = 0; i < bs.length; i++) {
    const title = bs[i], abstract = bs[i + 1];
    if (title.lines === 1 && title.words <= MAX_TITLE_WORDS && abstract && abstract.words >= MIN_ABSTRACT_WORDS) {
      papers.push(makePaper({
        key: '', type: 'misc', title: title.text, authors: [], abstract: abstract.text, source,
        range: { start: title.range.start, end: abstract.range.end },
      }));
      previous = ++i;
    } else if (previous === i - 1 && papers.length && title.words >= MIN_ABSTRACT_WORDS) {
      const paper = papers[papers.length - 1];
      paper.abstract += `\n\n${title.text}`;
      paper.range = { start: paper.range.start, end: title.range.end };
      previous = i;
    }
  }
  fillMissingKeys(papers);
  return { papers, errors: [] };
}
