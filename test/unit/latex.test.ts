import { test } from 'node:test';
import assert from 'node:assert/strict';
import { latexToUnicode } from '../../server/src/corpus/latex';

function check(cases: Array<[string, string]>): void {
  for (const [input, expected] of cases) assert.equal(latexToUnicode(input), expected, JSON.stringify(input));
}

test('plain text is returned trimmed and unchanged', () => {
  check([
    ['Attention Is All You Need', 'Attention Is All You Need'],
    ['  Müller’s “BERT”: 1-2 it\'s  ', 'Müller’s “BERT”: 1-2 it\'s'],
    ['', ''],
  ]);
});

test('accents in every spelling: \\\'e, \\\'{e}, {\\\'e}, \\\'\\i, letter accents with braces or a space', () => {
  check([
    ["Caf\\'e", 'Café'],
    ["Caf\\'{e}", 'Café'],
    ["Caf{\\'e}", 'Café'],
    ['G\\"{o}del and G{\\"o}del', 'Gödel and Gödel'],
    ['\\`a \\^o \\~n \\=a \\.z', 'à ô ñ ā ż'],
    ['\\u{g} \\v{s} \\H{o} \\c{c} \\k{a} \\r{a}', 'ğ š ő ç ą å'],
    ['\\v s \\c c \\v{S}koda', 'š ç Škoda'],
    ["na\\\"\\i ve, \\'\\i, \\'{\\i}", 'naïve, í, í'],
    ['Erd\\H{o}s', 'Erdős'],
  ]);
});

test('special letters and escaped characters', () => {
  check([
    ['Stra{\\ss}e, \\ss{}', 'Straße, ß'],
    ['{\\o} {\\O} {\\ae} {\\AE} {\\oe} {\\OE} {\\l} {\\L} {\\aa} {\\AA} {\\i} {\\j}', 'ø Ø æ Æ œ Œ ł Ł å Å ı ȷ'],
    ['{\\AA}ngstr{\\"o}m', 'Ångström'],
    ['R\\&D: 50\\% of \\$10 \\#1 a\\_b \\{x\\}', 'R&D: 50% of $10 #1 a_b {x}'],
  ]);
});

test('dashes, quotes, ties, grouping braces and whitespace', () => {
  check([
    ['pages 1--2, a---b', 'pages 1–2, a—b'],
    ["``quoted'' text", '“quoted” text'],
    ['Fig.~1 and Dr.~No', 'Fig. 1 and Dr. No'],
    ['{The {BERT} Model}', 'The BERT Model'],
    ['a\n  b\t\tc   d', 'a b c d'],
    ['  {  spaced  }  ', 'spaced'],
  ]);
});

test('commands: formatting and unknown ones keep their argument, bare unknown ones are dropped', () => {
  check([
    ['\\emph{x} \\textit{y} \\textbf{z} \\textsc{w} \\texttt{v} \\mbox{u} \\textsuperscript{t}', 'x y z w v u t'],
    ['a \\unknown{kept} b', 'a kept b'],
    ['a \\relax b \\foo', 'a b'],
    ['\\href{https://example.org}{the link}', 'the link'],
    ['\\url{https://x.org/a_b}', 'https://x.org/a_b'],
    ['\\url{http://www.x.org/\\~{}user}', 'http://www.x.org/~user'],
    ['The {\\TeX}book, {\\LaTeX} and \\LaTeX{} and \\TeX\\ users', 'The TeXbook, LaTeX and LaTeX and TeX users'],
    ['\\ldots{} and \\textendash', '… and –'],
  ]);
});

test('math keeps its content without the dollars, readable', () => {
  check([
    ['An $O(n^2)$ algorithm', 'An O(n^2) algorithm'],
    ['$\\mathcal{O}(n \\log n)$ time', 'O(n log n) time'],
    ['$\\alpha$-divergence and $\\ell_1$', 'α-divergence and ℓ_1'],
    ['$x \\leq y \\times z$', 'x ≤ y × z'],
  ]);
});

test('malformed input is decoded as far as it goes, never throws', () => {
  check([
    ['\\', ''],
    ['a\\', 'a'],
    ['{{{a', 'a'],
    ['a}}}', 'a'],
    ["\\'", ''],
    ['\\href{unclosed', ''],
    ['\\constructor \\toString x', 'x'],
  ]);
});

test('linear time on adversarial input (a megabyte of braces, backslashes, accents, dashes)', () => {
  const inputs = ['{'.repeat(1 << 20), '}'.repeat(1 << 20), '\\'.repeat(1 << 20), "\\'".repeat(1 << 19), '\\v{'.repeat(1 << 18), '-'.repeat(1 << 20), '$'.repeat(1 << 20), '\\href{'.repeat(1 << 17), ' '.repeat(1 << 20)];
  for (const input of inputs) {
    const started = Date.now();
    latexToUnicode(input);
    assert.ok(Date.now() - started < 1000, `${JSON.stringify(input.slice(0, 6))}… took ${Date.now() - started} ms`);
  }
});
