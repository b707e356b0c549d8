/** Character codes and classes for the hand-written scanners (which test `charCodeAt` results). */
export const enum Ch {
  Tab = 9, LF = 10, FF = 12, CR = 13, Space = 32, Quote = 34, Hash = 35, Dollar = 36, Percent = 37, Apostrophe = 39,
  LParen = 40, RParen = 41, Comma = 44, Dash = 45, Colon = 58, Equals = 61, At = 64, LBracket = 91, Backslash = 92,
  RBracket = 93, Backtick = 96, LBrace = 123, RBrace = 125, Tilde = 126,
}

/** TeX/BibTeX white space: space, tab, line breaks, form feed. */
export function isSpace(c: number): boolean {
  return c === Ch.Space || c === Ch.LF || c === Ch.CR || c === Ch.Tab || c === Ch.FF;
}

/** ASCII letters (TeX control words and BibTeX entry types are made of these). */
export function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
