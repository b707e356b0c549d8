/**
 * What the e2e suites expect from the bundled sample corpus (server/data/sample-corpus.txt) and the
 * sample workspace (test/fixtures/sample-workspace). The plain-text corpus has no authors or years,
 * so the generated keys come from the titles. Shared by ui.e2e.ts and suite/extension.test.ts.
 */
export const EXTENSION_ID = 'related-work.related-work';

/** Papers in the bundled sample corpus (package.json: "86 recent ML papers"). */
export const SAMPLE_CORPUS_PAPERS = 86;

/**
 * The UI suite's workspace also indexes test/fixtures/untrusted/untrusted-library.json (one paper
 * whose title, venue and abstract hold HTML and script) next to the sample corpus.
 */
export const UNTRUSTED = {
  file: 'untrusted-library.json',
  papers: 1,
  key: 'hostile2024',
  search: 'hostile abstracts hazards',
  abstractFragments: ['<img src=x onerror=alert(1)>', '</script><script>alert(2)</script>'],
};

/** The paragraph of paper.tex the panel test puts the cursor in, and what the panel must show for it. */
export const PANEL = {
  file: 'paper.tex',
  /** 1-based line of paper.tex inside the speculative-decoding paragraph. */
  line: 14,
  /** A related paper's title must match this. */
  relatedTitle: /speculative|draft/i,
  /** Keys the paragraph cites already: their cards carry the "Cited" badge. */
  citedKeys: ['kangaroo', 'distillspec'],
  /** 1-based lines of that paragraph's prose (the paragraph draft selects them). */
  paragraphStart: 13,
  paragraphEnd: 16,
};

/**
 * The drafting tests (QuickPick search, snippet completion, paragraph draft, bibliography append):
 * the paper searched for, and how its drafted sentence starts (the sample corpus has no authors or
 * years: the author phrase is the name the title leads with, the year "n.d.").
 */
export const DRAFT = {
  query: 'medusa',
  key: 'medusa',
  title: 'Medusa: Simple LLM Inference Acceleration Framework with Multiple Decoding Heads',
  sentenceStart: 'Medusa (n.d.) ',
};

export interface CiteCase {
  /** File in the sample workspace. */
  file: string;
  languageId: string;
  /** Text that opens a citation, typed on an empty line. */
  opener: string;
  /** What follows the key after accepting the completion (auto-closed by the editor or typed). */
  closer: string;
  /** A word from the paper's title, typed after the opener. */
  query: string;
  /** The key the completion should offer for `query`, and its paper's title. */
  key: string;
  title: string;
  /** A key already cited in the file, and its title (for the hover checks). */
  citedKey: string;
  citedTitle: string;
}

export const LATEX: CiteCase = {
  file: 'paper.tex',
  languageId: 'latex',
  opener: '\\cite{',
  closer: '}',
  query: 'medusa',
  key: 'medusa',
  title: 'Medusa: Simple LLM Inference Acceleration Framework with Multiple Decoding Heads',
  citedKey: 'kangaroo',
  citedTitle: 'Kangaroo: Lossless Self-Speculative Decoding via Double Early Exiting',
};

export const MARKDOWN: CiteCase = {
  file: 'draft.md',
  languageId: 'markdown',
  opener: '[@',
  closer: ']',
  query: 'deberta',
  key: 'deberta',
  title: 'DeBERTa: Decoding-enhanced BERT with Disentangled Attention',
  citedKey: 'distillspec',
  citedTitle: 'DistillSpec: Improving Speculative Decoding via Knowledge Distillation',
};

/** Markdown as rendered in hovers escapes punctuation (`Medusa\:`); undo that for comparisons. */
export function unescapeMarkdown(text: string): string {
  return text.replace(/\\([\\`*_{}[\]()#+\-.!|<>&~=:$])/g, '$1');
}

/**
 * The bibliography tests write these two files into the workspace (the sample workspace has no
 * `.bib`, so that the sample corpus is used by the other tests): a thesis that names `refs.bib`,
 * with one cited key misspelled.
 */
export const BIB_PROJECT = {
  bibFile: 'refs.bib',
  bib: `@article{vaswani2017attention,
  title = {Attention Is All You Need},
  author = {Vaswani, Ashish and Shazeer, Noam},
  year = {2017},
  journal = {Advances in Neural Information Processing Systems}
}

@inproceedings{devlin2019bert,
  title = {{BERT}: Pre-training of Deep Bidirectional Transformers for Language Understanding},
  author = {Devlin, Jacob and Chang, Ming-Wei},
  year = {2019},
  booktitle = {NAACL}
}
`,
  texFile: 'thesis.tex',
  tex: `\\documentclass{article}
\\begin{document}
\\section{Background}
Self-attention \\cite{vaswani2017attention} replaced recurrence;
pre-trained encoders \\cite{devlin2019bert} followed \\cite{vaswni2017attention}.
\\bibliography{refs}
\\end{document}
`,
  typo: 'vaswni2017attention',
  key: 'vaswani2017attention',
  renamed: 'vaswani2017',
  /** Entries of `bib`. */
  papers: 2,
};
