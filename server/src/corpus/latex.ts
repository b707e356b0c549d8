/**
 * LaTeX → plain Unicode for the fields people read and search (title, authors, venue, abstract,
 * keywords). One left-to-right pass over the string, no regex backtracking and no recursion, so the
 * cost is linear whatever the input (a megabyte of `{` or `\` included):
 * - accents `\'e`, `\'{e}`, `{\'e}`, `\'\i`, `\v{s}`, `\c c` … become precomposed letters (NFC);
 * - `\ss`, `\o`, `\ae`, `\l`, `\aa`, `\i` … and a few symbols (`\dots`, `\textendash`, Greek
 *   letters in math) become their character; `\&`, `\%`, `\{` … their literal;
 * - `--` → –, `---` → —, ``` `` ``` → “, `''` → ”, `~` → space;
 * - grouping braces and `$` math delimiters are dropped, math content kept (`$O(n^2)$` → `O(n^2)`);
 * - `\command{x}` → `x` (formatting or unknown), `\href{url}{x}` → `x`, an unknown bare
 *   `\command` is dropped; as in TeX, spaces after a control word only end it (`\TeX book` →
 *   `TeXbook`), except in math (`$n \log n$` → `n log n`);
 * - whitespace runs collapse to one space, ends trimmed.
 */
import { Ch, isLetter, isSpace } from './chars';

/** A Map, so that a name like `\constructor` finds nothing rather than an `Object.prototype` member. */
function table(entries: Record<string, string>): ReadonlyMap<string, string> {
  return new Map(Object.entries(entries));
}

/** Combining marks of the accent commands, applied to the next letter. */
const ACCENTS = table({
  "'": '\u0301', '`': '\u0300', '^': '\u0302', '"': '\u0308', '~': '\u0303', '=': '\u0304', '.': '\u0307',
  u: '\u0306', v: '\u030C', H: '\u030B', c: '\u0327', k: '\u0328', r: '\u030A', d: '\u0323', b: '\u0331',
});

/** Control words that stand for a character or a word. */
const WORDS = table({
  ss: 'ß', SS: 'SS', o: 'ø', O: 'Ø', ae: 'æ', AE: 'Æ', oe: 'œ', OE: 'Œ', aa: 'å', AA: 'Å', l: 'ł', L: 'Ł',
  i: 'ı', j: 'ȷ', dh: 'ð', DH: 'Ð', th: 'þ', TH: 'Þ', ng: 'ŋ', NG: 'Ŋ', dj: 'đ', DJ: 'Đ',
  textendash: '–', textemdash: '—', textquoteleft: '‘', textquoteright: '’', textquotedblleft: '“',
  textquotedblright: '”', dots: '…', ldots: '…', textellipsis: '…', textbackslash: '\\', textasciitilde: '~',
  textasciicircum: '^', textunderscore: '_', textbar: '|', textless: '<', textgreater: '>', textbullet: '•',
  textregistered: '®', texttrademark: '™', copyright: '©', textcopyright: '©', textdegree: '°', S: '§', P: '¶',
  euro: '€', pounds: '£', LaTeX: 'LaTeX', TeX: 'TeX', BibTeX: 'BibTeX', LaTeXe: 'LaTeX2e',
  alpha: 'α', beta: 'β', gamma: 'γ', delta: 'δ', epsilon: 'ε', varepsilon: 'ε', zeta: 'ζ', eta: 'η',
  theta: 'θ', vartheta: 'ϑ', iota: 'ι', kappa: 'κ', lambda: 'λ', mu: 'μ', nu: 'ν', xi: 'ξ', pi: 'π',
  rho: 'ρ', sigma: 'σ', tau: 'τ', upsilon: 'υ', phi: 'φ', varphi: 'φ', chi: 'χ', psi: 'ψ', omega: 'ω',
  Gamma: 'Γ', Delta: 'Δ', Theta: 'Θ', Lambda: 'Λ', Xi: 'Ξ', Pi: 'Π', Sigma: 'Σ', Phi: 'Φ', Psi: 'Ψ', Omega: 'Ω',
  times: '×', cdot: '·', pm: '±', leq: '≤', le: '≤', geq: '≥', ge: '≥', neq: '≠', ne: '≠', approx: '≈',
  sim: '~', infty: '∞', to: '→', rightarrow: '→', leftarrow: '←', in: '∈', ell: 'ℓ', partial: '∂',
  nabla: '∇', sum: '∑', prod: '∏', sqrt: '√', log: 'log', exp: 'exp', sin: 'sin', cos: 'cos', max: 'max',
  min: 'min', lim: 'lim', arg: 'arg',
});

/** Control symbols (backslash + one non-letter) that are not accents. */
const SYMBOLS = table({
  '&': '&', '%': '%', $: '$', '#': '#', _: '_', '{': '{', '}': '}', '\\': ' ', ' ': ' ', ',': ' ', ';': ' ',
  ':': ' ', '!': '', '/': '', '-': '', '@': '',
});

/** Characters that need work (one character class: much faster than an alternation with `--`…). */
const SPECIAL = /[\\{}$~\t\n\r\f]/;

export function latexToUnicode(s: string): string {
  const plain = !SPECIAL.test(s) && !s.includes('--') && !s.includes('``') && !s.includes("''") && !s.includes('  ');
  return plain ? s.trim() : new Decoder(s).run();
}

class Decoder {
  private out = '';
  /** Start of the run of ordinary characters not yet copied to `out`. */
  private run0 = 0;
  private i = 0;
  /** Combining mark waiting for the next letter (after `\'`, `\v{` …). */
  private accent = '';
  private accented = false;
  /** Inside `$…$`, where spaces after control words are kept (`$n \log n$` → `n log n`). */
  private math = false;
  /** A space is owed before the next character (whitespace collapses, ends trim). */
  private space = false;

  constructor(private readonly s: string) {}

  run(): string {
    const s = this.s;
    const n = s.length;
    while (this.i < n) {
      const c = s.charCodeAt(this.i);
      if (isSpace(c)) {
        this.flush();
        this.space = this.out.length > 0;
        this.i++;
        this.run0 = this.i;
      } else if (c === Ch.LBrace || c === Ch.RBrace) {
        this.skip(1);
      } else if (c === Ch.Dollar) {
        this.skip(1);
        this.math = !this.math;
      } else if (c === Ch.Backslash) {
        this.flush();
        this.command();
      } else if (c === Ch.Tilde) {
        this.replace(1, ' ');
      } else if (c === Ch.Dash && s.charCodeAt(this.i + 1) === Ch.Dash) {
        if (s.charCodeAt(this.i + 2) === Ch.Dash) this.replace(3, '—');
        else this.replace(2, '–');
      } else if (c === Ch.Backtick && s.charCodeAt(this.i + 1) === Ch.Backtick) {
        this.replace(2, '“');
      } else if (c === Ch.Apostrophe && s.charCodeAt(this.i + 1) === Ch.Apostrophe) {
        this.replace(2, '”');
      } else if (this.accent) {
        this.flush();
        const len = c >= 0xd800 && c <= 0xdbff ? 2 : 1; // whole surrogate pair
        this.emit(s.slice(this.i, this.i + len));
        this.i += len;
        this.run0 = this.i;
      } else {
        this.i++;
      }
    }
    this.flush();
    return this.accented ? this.out.normalize('NFC') : this.out;
  }

  /** Copies the pending run of ordinary characters. */
  private flush(): void {
    if (this.run0 < this.i) {
      if (this.space) { this.out += ' '; this.space = false; }
      this.out += this.s.slice(this.run0, this.i);
    }
    this.run0 = this.i;
  }

  /** Drops `len` characters at the cursor. */
  private skip(len: number): void {
    this.flush();
    this.i += len;
    this.run0 = this.i;
  }

  /** Replaces `len` characters at the cursor with `text`. */
  private replace(len: number, text: string): void {
    this.skip(len);
    this.emit(text);
  }

  /** Appends decoded text, giving a pending accent to its first character. */
  private emit(text: string): void {
    if (text === '') return;
    if (text === ' ') { this.space = this.out.length > 0; return; }
    if (this.space) { this.out += ' '; this.space = false; }
    if (this.accent) {
      const base = text[0] === 'ı' ? 'i' : text[0] === 'ȷ' ? 'j' : text[0];
      this.out += base + this.accent + text.slice(1);
      this.accent = '';
      this.accented = true;
    } else {
      this.out += text;
    }
  }

  /** At a backslash: reads the control word or symbol and emits what it stands for. */
  private command(): void {
    const s = this.s;
    let j = this.i + 1;
    if (j >= s.length) { this.skip(1); return; }
    const word = isLetter(s.charCodeAt(j));
    if (word) while (j < s.length && isLetter(s.charCodeAt(j))) j++;
    else j++;
    const name = s.slice(this.i + 1, j);
    const mark = ACCENTS.get(name);
    // As in TeX, a space after a control word only ends it (`\v s`, `\TeX book`), except in math.
    if (word && (mark !== undefined || !this.math)) while (j < s.length && isSpace(s.charCodeAt(j))) j++;
    this.i = this.run0 = j;
    const emptyGroup = s.charCodeAt(j) === Ch.LBrace && s.charCodeAt(j + 1) === Ch.RBrace;
    if (mark !== undefined) {
      // An accent on an empty group is the accent character itself (`\~{}` in old URLs).
      if (emptyGroup) { this.skip(2); this.emit(word ? '' : name); } else this.accent = mark;
      return;
    }
    const text = WORDS.get(name) ?? SYMBOLS.get(name);
    if (text !== undefined) {
      this.emit(text);
      if (emptyGroup) this.skip(2); // `\ss{}`
    } else if (name === 'href' && s.charCodeAt(j) === Ch.LBrace) {
      this.skipGroup(); // the URL; the link text that follows is kept
    }
  }

  /** Skips a balanced `{…}` group at the cursor (to the end of the string if unbalanced). */
  private skipGroup(): void {
    const s = this.s;
    let depth = 0;
    let j = this.i;
    for (; j < s.length; j++) {
      const c = s.charCodeAt(j);
      if (c === Ch.Backslash) j++;
      else if (c === Ch.LBrace) depth++;
      else if (c === Ch.RBrace && --depth === 0) { j++; break; }
    }
    this.i = j;
    this.run0 = j;
  }
}
