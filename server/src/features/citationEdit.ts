/**
 * Citing a paper at the cursor (the panel's Cite button): the edit that adds `key` in the
 * document's own syntax. Inside a citation, or right after one (`\cite{a}|`, `[@a]|`), the key joins
 * that citation; elsewhere a new one is written with the command the document uses most
 * (`\citep{key}` in a natbib paper), or `[@key]` in Markdown.
 */
import { citeContextAt, citeSyntaxOf, findCitations, type Pos, type PosRange } from './citeContext';

export interface CitationEdit {
  edit?: { range: PosRange; newText: string };
  cursor?: Pos;
  reason?: string;
}

/** Commands that take one key group and can hold a new key (not `\nocite`, not multicite forms). */
const SINGLE_GROUP = /^(?:[a-zA-Z]*cite[a-zA-Z]*)$/;
const NOT_FOR_NEW = new Set(['nocite', 'cites', 'parencites', 'textcites', 'autocites', 'footcites', 'smartcites', 'supercites', 'volcite', 'pvolcite', 'fvolcite', 'tvolcite', 'avolcite']);

/** Cites `key` (or several keys at once, in order) at `position`; keys the citation already has are left out. */
export function citationEdit(text: string, languageId: string, position: Pos, keyOrKeys: string | readonly string[], extraCommands?: string[]): CitationEdit {
  const syntax = citeSyntaxOf(languageId);
  const keys = [...new Set(typeof keyOrKeys === 'string' ? [keyOrKeys] : keyOrKeys)].filter(Boolean);
  if (keys.length === 0) return { reason: 'No key to cite.' };
  if (!syntax) return { reason: 'Citations can be inserted in LaTeX and Markdown documents only.' };
  const lines = text.split('\n');
  const line = lines[position.line] ?? '';
  const character = Math.min(position.character, line.length);
  const pos = { line: position.line, character };
  const before = line[character - 1];

  let ctx = citeContextAt(text, pos, languageId, extraCommands);
  if (!ctx && character > 0 && (before === '}' || before === ']')) {
    ctx = citeContextAt(text, { line: pos.line, character: character - 1 }, languageId, extraCommands);
  }
  if (ctx) {
    const current = line.slice(ctx.range.start.character, ctx.range.end.character).trim();
    const fresh = keys.filter(k => k !== current && !ctx!.otherKeys.includes(k));
    if (fresh.length === 0) return { reason: `This citation already has ${keys.join(', ')}.` };
    const key = fresh.join(syntax === 'latex' ? ',' : '; @');
    if (current === '') {
      // An empty slot (`\cite{|}`, `\cite{a,|}`, `[@|]`): the key goes here, with a separator if a key follows.
      const rest = line.slice(ctx.range.end.character).trimStart();
      const follows = rest !== '' && !/^[}\];,]/.test(rest);
      const newText = key + (follows ? (syntax === 'latex' ? ',' : '; ') : '');
      return insert(ctx.range.start, newText, key.length);
    }
    const newText = syntax === 'latex' ? `,${key}` : `; @${key}`;
    return insert(ctx.range.end, newText, newText.length);
  }

  const key = keys.join(syntax === 'latex' ? ',' : '; @');
  const spaceBefore = before !== undefined && /[\p{L}\p{N}).,;:!?'"\]]/u.test(before);
  if (syntax === 'latex') {
    const command = preferredCommand(text, extraCommands);
    const newText = `${spaceBefore && !/[.,;:!?]/.test(before ?? '') ? '~' : spaceBefore ? ' ' : ''}\\${command}{${key}}`;
    return insert(pos, newText, newText.length);
  }
  const newText = `${spaceBefore ? ' ' : ''}[@${key}]`;
  return insert(pos, newText, newText.length);
}

/** The citation command the document uses most, `cite` when it has none. */
export function preferredCommand(text: string, extraCommands?: string[]): string {
  const counts = new Map<string, number>();
  for (const c of findCitations(text, 'latex', extraCommands)) {
    if (!c.command || NOT_FOR_NEW.has(c.command) || !(SINGLE_GROUP.test(c.command) || extraCommands?.includes(c.command))) continue;
    counts.set(c.command, (counts.get(c.command) ?? 0) + 1);
  }
  let best = 'cite', n = 0;
  for (const [command, count] of counts) if (count > n) { best = command; n = count; }
  return best;
}

function insert(at: Pos, newText: string, cursorOffset: number): CitationEdit {
  return {
    edit: { range: { start: at, end: at }, newText },
    cursor: { line: at.line, character: at.character + cursorOffset },
  };
}
