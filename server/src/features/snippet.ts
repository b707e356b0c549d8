/**
 * Citation snippets: a drafted sentence citing a paper instead of a bare key, e.g.
 * `Cai et al. (2024) propose Medusa, which adds extra decoding heads … \citep{cai2024medusa}.`
 *
 * Everything is extractive and deterministic (no language model):
 * - the author phrase: one surname, "A and B", or "A et al."; without authors, the name a title
 *   leads with (`Medusa: …` → "Medusa");
 * - the abstract's sentence that best states the contribution (`contributionSentence`): cue
 *   phrases ("we propose/present/introduce …", "this paper presents …"), position, length;
 * - the summary (`summaryOf`): that sentence from its verb on ("propose Medusa, which …"), the verb
 *   agreeing with the author phrase, first person turned into third, shortened at a clause boundary;
 * - the template (`relatedWork.snippet.template`) with `${authors}`, `${year}`, `${title}`,
 *   `${summary}`, `${cite}` (parenthetical: `\citep`, `\parencite`, `[@key]`) and `${textcite}`
 *   (narrative: `\citet`, `\textcite`, `@key`), rendered as plain text or as a VS Code snippet with
 *   tab stops. Corpus text is escaped for the document (LaTeX specials, Pandoc markup) and, in a
 *   snippet, for snippet syntax (`$`, `}`, `\`).
 */
import { LineIndex } from '../corpus/positions';
import type { Paper } from '../corpus/paper';
import { citeSyntaxOf, type CiteContext, type CiteSyntax, type PosRange } from './citeContext';

/** `plain` is `\\cite`; `auto` is detected from the document (see `latexCitePackage`). */
export type CiteStyle = 'auto' | 'natbib' | 'biblatex' | 'plain';

export const DEFAULT_TEMPLATE = '${authors} (${year}) ${summary} ${cite}.';
/** Words of a summary before it is cut (at a clause boundary when there is one late enough). */
export const SUMMARY_WORDS = 24;

// ---- Author phrase ----------------------------------------------------------------------------------

const PARTICLES = new Set(['van', 'von', 'de', 'der', 'den', 'da', 'di', 'du', 'del', 'della', 'dos', 'das', 'le', 'la', 'ten', 'ter', 'op', 'zu', 'y', 'bin', 'al', 'el']);
const SUFFIX = /^(?:jr\.?|sr\.?|ii|iii|iv|2nd|3rd)$/i;

/** The surname of a display name: "Ashish Vaswani" → "Vaswani", "Ludwig van Beethoven" → "van Beethoven", "Vaswani, Ashish" → "Vaswani". */
export function surname(name: string): string {
  const n = name.replace(/\s+/g, ' ').trim();
  if (n.includes(',')) return n.slice(0, n.indexOf(',')).trim();
  const words = n.split(' ');
  while (words.length > 1 && SUFFIX.test(words[words.length - 1])) words.pop();
  let i = words.length - 1;
  while (i > 1 && PARTICLES.has(words[i - 1])) i--;
  if (i === 1 && words.length > 2 && PARTICLES.has(words[0])) i = 0;
  return words.slice(i).join(' ');
}

export interface AuthorPhrase {
  text: string;
  /** Whether the phrase takes a plural verb ("Cai et al. propose", "Smith proposes"). */
  plural: boolean;
}

/** "Smith", "Smith and Jones", "Smith et al."; without authors the name the title leads with, else "This work". */
export function authorPhrase(authors: readonly string[], title = ''): AuthorPhrase {
  const names = authors.map(a => a.trim()).filter(Boolean);
  const others = names.some(a => a.toLowerCase() === 'others');
  const real = names.filter(a => a.toLowerCase() !== 'others');
  if (real.length === 1 && !others) return { text: surname(real[0]), plural: false };
  if (real.length === 2 && !others) return { text: `${surname(real[0])} and ${surname(real[1])}`, plural: true };
  if (real.length >= 2 || (real.length === 1 && others)) return { text: `${surname(real[0])} et al.`, plural: true };
  const lead = titleName(title);
  return lead ? { text: lead, plural: false } : { text: 'This work', plural: false };
}

/** The name a title leads with: "Medusa: Simple LLM Inference …" → "Medusa" (at most four words before the colon). */
export function titleName(title: string): string | undefined {
  const m = /^([^:?!.]{1,60}):\s/.exec(title.trim());
  if (!m) return undefined;
  const name = m[1].trim();
  return name.split(/\s+/).length <= 4 ? name : undefined;
}

// ---- Sentences and the contribution sentence ---------------------------------------------------------

const ABBREVIATIONS = /(?:\b(?:e\.g|i\.e|et al|etc|vs|cf|fig|figs|eq|eqs|sec|approx|resp|no|vol|pp|dr|mr|ms|prof|inc|ltd|st)|\b[A-Z])\.$/i;

/** The sentences of a text: ends at `.`, `!` or `?` followed by a space and an upper-case letter, digit or quote; abbreviations and decimals kept inside. */
export function sentences(text: string): string[] {
  const t = text.replace(/\s+/g, ' ').trim();
  const out: string[] = [];
  let start = 0;
  const re = /[.!?]+["')\]]?(?=\s+["'(\[]?[\p{Lu}\p{N}])/gu;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    const end = m.index + m[0].length;
    const candidate = t.slice(start, end);
    if (m[0] === '.' && ABBREVIATIONS.test(candidate)) continue;
    out.push(candidate.trim());
    start = end;
  }
  const rest = t.slice(start).trim();
  if (rest) out.push(rest);
  return out;
}

const SELF = String.raw`(?:we|this (?:paper|work|article|study|thesis|letter|note|report|chapter)|the present (?:paper|work|study)|our (?:paper|work))`;
const ADVERB = String.raw`(?:(?:also|further|furthermore|then|here|first|now|therefore|thus|hence|additionally|instead|finally|formally|newly|systematically|empirically|theoretically)\s+)?`;
const CUE_VERBS = 'propos|present|introduc|develop|describ|design|devis|formulat|offer|provid|build|buil|establish|creat|extend|releas|contribut|put forward|construct|derive|address|tackl|solv|study|studi|investigat|explor|analy[sz]|examin|show|demonstrat|prov|report|argu|identif|leverag|outlin';
const STRONG = new RegExp(String.raw`\b${SELF}\s+${ADVERB}(?:${CUE_VERBS})`, 'i');
const WEAK = /\b(?:we|our (?:method|approach|model|framework|system|algorithm|technique))\b/i;
const IN_THIS = /\b(?:in|here in) this (?:paper|work|article|study)\b|\bhere,? we\b/i;
const NOVEL = /\b(?:novel|new|first)\b/i;
const RESULTS = /\b(?:experiments?|results|outperform\w*|achiev\w*|state-of-the-art|benchmarks?|empirical(?:ly)?|code (?:is|will be)|available at|github)\b/i;
const BACKGROUND = /\b(?:however|recently|has been|have been|remains?|challeng\w*|widely|popular|increasingly)\b/i;

/** How well a sentence states the paper's contribution (higher is better). */
export function contributionScore(sentence: string, index: number, count: number): number {
  let s = 0;
  if (STRONG.test(sentence)) s += 3;
  else if (WEAK.test(sentence)) s += 1;
  if (IN_THIS.test(sentence)) s += 1;
  if (NOVEL.test(sentence)) s += 0.5;
  if (RESULTS.test(sentence)) s -= 1;
  if (BACKGROUND.test(sentence)) s -= 0.5;
  // Contributions are usually stated early, after a sentence or two of background.
  if (count > 1) s += index === 0 ? 0.25 : index <= 3 ? 0.5 : index / count > 0.7 ? -0.25 : 0;
  const words = sentence.split(/\s+/).length;
  if (words < 6 || words > 60) s -= 1;
  return s;
}

/** The abstract's sentence that best states the contribution (the earliest of equal ones); undefined without an abstract. */
export function contributionSentence(abstract: string | undefined): string | undefined {
  const list = sentences(abstract ?? '');
  if (list.length === 0) return undefined;
  let best = 0, bestScore = -Infinity;
  list.forEach((sentence, i) => {
    const score = contributionScore(sentence, i, list.length);
    if (score > bestScore) { best = i; bestScore = score; }
  });
  return list[best];
}

// ---- Summary ------------------------------------------------------------------------------------------

const VERB_AT = new RegExp(String.raw`\b${SELF}\s+${ADVERB}(?!(?:we|our|us|i)\b)([a-z]+)\b`, 'i');
const IRREGULAR_THIRD: Record<string, string> = { have: 'has', do: 'does', go: 'goes', are: 'is', were: 'was' };

/** The third-person singular of a base verb: propose → proposes, study → studies, address → addresses. */
export function thirdPerson(verb: string): string {
  const v = verb.toLowerCase();
  if (IRREGULAR_THIRD[v]) return IRREGULAR_THIRD[v];
  if (/(?:s|sh|ch|x|z|o)$/.test(v)) return `${verb}es`;
  if (/[^aeiou]y$/.test(v)) return `${verb.slice(0, -1)}ies`;
  return `${verb}s`;
}

/** The base form of a third-person singular verb: presents → present, studies → study, addresses → address. */
export function baseForm(verb: string): string {
  const v = verb.toLowerCase();
  for (const [base, third] of Object.entries(IRREGULAR_THIRD)) if (third === v) return base;
  if (/[^aeiou]ies$/.test(v)) return `${verb.slice(0, -3)}y`;
  if (/(?:sses|shes|ches|xes|zes|oes)$/.test(v)) return verb.slice(0, -2);
  if (/[^s]s$/.test(v)) return verb.slice(0, -1);
  return verb;
}

/** First person turned into third: we → they, our → their, us → them. */
function thirdPersonPronouns(s: string): string {
  return s
    .replace(/\b[Ww]e\b/g, 'they')
    .replace(/\b[Oo]urs\b/g, 'theirs')
    .replace(/\b[Oo]ur\b/g, 'their')
    .replace(/\b[Oo]urselves\b/g, 'themselves')
    .replace(/\bus\b/g, 'them');
}

/**
 * The summary a drafted sentence uses: a verb phrase agreeing with the author phrase. From the
 * contribution sentence's "we propose X" / "this paper presents X" on; without such a clause,
 * "show that …" with the sentence. Shortened to about `maxWords` words.
 */
export function summaryOf(sentence: string, plural: boolean, maxWords = SUMMARY_WORDS): string {
  let s = sentence.trim().replace(/[.!?]+$/, '');
  const m = VERB_AT.exec(s);
  let verb: string | undefined;
  let rest: string;
  if (m) {
    const self = m[0].slice(0, m[0].length - m[1].length).trim().toLowerCase();
    verb = self.startsWith('we') ? m[1] : baseForm(m[1]);
    rest = s.slice(m.index + m[0].length);
  } else {
    const lower = /^[\p{Lu}][\p{Ll}]/u.test(s) ? s[0].toLowerCase() + s.slice(1) : s;
    verb = 'show';
    rest = ` that ${lower}`;
  }
  s = `${plural ? verb.toLowerCase() : thirdPerson(verb.toLowerCase())}${thirdPersonPronouns(rest)}`;
  return shorten(s, maxWords);
}

/** Cuts text to about `maxWords` words: at the last clause boundary (`,` `;` `:` `—`) past half of it, else at the word, with " …". */
export function shorten(text: string, maxWords: number): string {
  const words = text.split(/\s+/).filter(Boolean);
  if (words.length <= maxWords) return words.join(' ');
  const head = words.slice(0, maxWords);
  for (let i = head.length - 1; i + 1 >= Math.ceil(maxWords / 2); i--) {
    if (/[,;:—]$/.test(head[i])) return `${head.slice(0, i + 1).join(' ').replace(/[,;:—]$/, '')} …`;
  }
  return `${head.join(' ').replace(/[,;:.]$/, '')} …`;
}

// ---- Citation commands ---------------------------------------------------------------------------------

export interface CiteForms {
  /** Parenthetical: `\citep{k}`, `\parencite{k}`, `\cite{k}`, `[@k]`. */
  cite: string;
  /** Narrative: `\citet{k}`, `\textcite{k}`, `\cite{k}`, `@k`. */
  textcite: string;
}

/** Which LaTeX citation package a document uses: biblatex, natbib, or neither (plain `\cite`). */
export function latexCitePackage(text: string): 'natbib' | 'biblatex' | 'plain' {
  if (/\\usepackage\s*(?:\[[^\]]*\])?\s*\{[^}]*\bbiblatex\b|\\addbibresource\b|\\(?:parencite|textcite|autocite)\b/.test(text)) return 'biblatex';
  if (/\\usepackage\s*(?:\[[^\]]*\])?\s*\{[^}]*\bnatbib\b|\\cite[pt]\*?\s*[[{]/.test(text)) return 'natbib';
  return 'plain';
}

/** The citation commands for `keys` in a document's syntax and the configured style. */
export function citeForms(keys: readonly string[], syntax: CiteSyntax, style: CiteStyle, documentText = ''): CiteForms {
  if (syntax === 'pandoc') return { cite: `[${keys.map(k => `@${k}`).join('; ')}]`, textcite: keys.map(k => `@${k}`).join('; ') };
  const pkg = style === 'auto' ? latexCitePackage(documentText) : style;
  const list = keys.join(',');
  if (pkg === 'biblatex') return { cite: `\\parencite{${list}}`, textcite: `\\textcite{${list}}` };
  if (pkg === 'natbib') return { cite: `\\citep{${list}}`, textcite: `\\citet{${list}}` };
  return { cite: `\\cite{${list}}`, textcite: `\\cite{${list}}` };
}

// ---- Escaping -------------------------------------------------------------------------------------------

/** Plain corpus text made literal in LaTeX (specials escaped). */
export function escapeLatex(s: string): string {
  return s.replace(/[\\{}&%$#_~^]/g, c => ({
    '\\': '\\textbackslash{}', '~': '\\textasciitilde{}', '^': '\\textasciicircum{}',
  } as Record<string, string>)[c] ?? `\\${c}`);
}

/** Plain corpus text made literal in Pandoc Markdown (no citation, emphasis, link, code or math). */
export function escapePandoc(s: string): string {
  return s.replace(/[\\`*_[\]@<>$#^~]/g, c => `\\${c}`);
}

export function escapeFor(syntax: CiteSyntax, s: string): string {
  return syntax === 'latex' ? escapeLatex(s) : escapePandoc(s);
}

/** Text made literal inside a VS Code snippet: `$`, `}` and `\` escaped. */
export function escapeSnippet(s: string): string {
  return s.replace(/[$}\\]/g, c => `\\${c}`);
}

// ---- Template ---------------------------------------------------------------------------------------------

export interface SentenceParts {
  authors: string;
  year: string;
  title: string;
  summary: string;
  cite: string;
  textcite: string;
}

/** Tab stops of the snippet form: the summary first (what the author rewrites), then authors and year. */
const TAB_STOPS: Partial<Record<keyof SentenceParts, number>> = { summary: 1, authors: 2, year: 3 };
const VARIABLE = /\$\{(authors|year|title|summary|cite|textcite)\}/g;

/**
 * The template filled in. `plain`: text (the paragraph draft). `snippet`: VS Code snippet syntax,
 * the summary, authors and year as tab stops ($1, $2, $3) and the cursor ($0) at the end; every
 * other character of the template and of the values is escaped, so corpus text never becomes
 * snippet syntax. Unknown `${…}` stay as written.
 */
export function renderTemplate(template: string, parts: SentenceParts, mode: 'plain' | 'snippet', stopBase = 0, final = true): string {
  let out = '';
  let last = 0;
  for (const m of template.matchAll(VARIABLE)) {
    const name = m[1] as keyof SentenceParts;
    const at = m.index ?? 0;
    const literal = template.slice(last, at);
    out += mode === 'snippet' ? escapeSnippet(literal) : literal;
    const value = parts[name];
    const stop = TAB_STOPS[name];
    out += mode === 'plain' ? value : stop && value ? `\${${stopBase + stop}:${escapeSnippet(value)}}` : escapeSnippet(value);
    last = at + m[0].length;
  }
  const tail = template.slice(last);
  out += mode === 'snippet' ? `${escapeSnippet(tail)}${final ? '$0' : ''}` : tail;
  return out;
}

export interface DraftOptions {
  syntax: CiteSyntax;
  style: CiteStyle;
  template: string;
  /** The document's text (the LaTeX citation package, when `style` is auto). */
  documentText?: string;
  /** Summary length in words. */
  maxWords?: number;
}

/** The parts of a drafted sentence for a paper, escaped for the document's syntax. */
export function sentenceParts(paper: Paper, o: DraftOptions): SentenceParts {
  const who = authorPhrase(paper.authors, paper.title);
  const sentence = contributionSentence(paper.abstract);
  const summary = sentence ? summaryOf(sentence, who.plural, o.maxWords) : `${who.plural ? 'present' : 'presents'} ${paper.title || paper.key}`;
  const forms = citeForms([paper.key], o.syntax, o.style, o.documentText);
  return {
    authors: escapeFor(o.syntax, who.text),
    year: paper.year !== undefined ? String(paper.year) : 'n.d.',
    title: escapeFor(o.syntax, paper.title || paper.key),
    summary: escapeFor(o.syntax, summary),
    cite: forms.cite,
    textcite: forms.textcite,
  };
}

/** A drafted sentence citing `paper`: plain text, or a VS Code snippet with tab stops. */
export function draftSentence(paper: Paper, o: DraftOptions, mode: 'plain' | 'snippet'): string {
  return renderTemplate(o.template.trim() || DEFAULT_TEMPLATE, sentenceParts(paper, o), mode);
}

/** Sentences for several papers, separated by spaces; as a snippet each paper has its own tab stops (1–3, 4–6, …), the cursor after the last. */
export function draftSentences(papers: readonly Paper[], o: DraftOptions, mode: 'plain' | 'snippet'): string {
  const template = o.template.trim() || DEFAULT_TEMPLATE;
  return papers.map((p, i) => renderTemplate(template, sentenceParts(p, o), mode, i * 3, i === papers.length - 1)).join(' ');
}

export function draftOptions(languageId: string, style: CiteStyle, template: string, documentText: string): DraftOptions | undefined {
  const syntax = citeSyntaxOf(languageId);
  if (!syntax) return undefined;
  // The document is scanned for its citation package once here, not once per drafted sentence.
  return { syntax, style: style === 'auto' && syntax === 'latex' ? latexCitePackage(documentText) : style, template };
}

// ---- Snippet completion --------------------------------------------------------------------------------

/**
 * For a snippet completion: the parts of a fresh one-key citation around the key being typed
 * (`\cite{` / `\citep[p.~3]{` / `[@` / `@` before it, `}` / `]` after it), which the snippet's
 * additional edits delete, so that the drafted sentence (with its own citation) replaces the whole
 * citation. Undefined when the citation holds other keys or text (`[see @a; @b]`).
 */
export function citationWrapper(text: string, context: CiteContext): { before: PosRange; after?: PosRange } | undefined {
  if (context.otherKeys.length > 0) return undefined;
  const lines = new LineIndex(text);
  const line = text.slice(lines.offset({ line: context.range.start.line, character: 0 }), lines.offset({ line: context.range.start.line, character: Infinity }));
  const head = line.slice(0, context.range.start.character);
  const tail = line.slice(context.range.end.character);
  const l = context.range.start.line;
  const span = (a: number, b: number): PosRange => ({ start: { line: l, character: a }, end: { line: l, character: b } });
  if (context.syntax === 'latex') {
    const m = /\\([A-Za-z]+)\*?(?:\s*\[[^\]\n]*\]){0,2}\s*\{\s*$/.exec(head);
    if (!m || m[1] !== context.command) return undefined;
    const close = /^\s*\}/.exec(tail);
    const endAt = context.range.end.character;
    return { before: span(m.index, head.length), after: close ? span(endAt, endAt + close[0].length) : undefined };
  }
  const bracket = /\[\s*@\{?$/.exec(head);
  if (bracket) {
    const close = /^\}?\s*\]/.exec(tail);
    if (!close) return undefined; // `[@key` with more after it: not a fresh citation
    const endAt = context.range.end.character;
    return { before: span(bracket.index, head.length), after: span(endAt, endAt + close[0].length) };
  }
  const bare = /@\{?$/.exec(head);
  if (!bare) return undefined;
  const close = /^\}/.exec(tail);
  const endAt = context.range.end.character;
  return { before: span(bare.index, head.length), after: close ? span(endAt, endAt + 1) : undefined };
}
