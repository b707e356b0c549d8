/**
 * Property-based fuzzing (fast-check, fixed seed, bounded runs: a few seconds) of every parser of
 * untrusted text — see test/util/fuzz.ts. `npm run reliability` runs the same properties far longer.
 * Seeds come from ../shared/corpora/messy and pandoc's citation tests when present, else from the
 * built-in examples only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBibtex } from '../../server/src/corpus/bibtex';
import { adversarialInputs, fuzzAll, fuzzDecode, loadSeeds, mutate, newStats, runOne, TARGETS } from '../util/fuzz';

const SEED = 20_261_129;
/** `npm test` runs two test files at once on two cores: twice the budget here; `npm run reliability`, alone, holds the plain one. */
const SLACK = 2;

test('fuzzing: random and mutated inputs never throw, stay in budget, and report ranges inside the text', t => {
  const seeds = loadSeeds();
  const stats = fuzzAll(seeds, { seed: SEED, numRuns: 400 }, newStats(), SLACK);
  fuzzDecode({ seed: SEED, numRuns: 300 }, stats);
  t.diagnostic(`${Object.values(stats.inputs).reduce((a, b) => a + b, 0)} inputs (${JSON.stringify(stats.inputs)}), ${seeds.length} seeds, worst time ${(stats.worstBudgetShare * 100).toFixed(0)}% of budget`);
  assert.deepEqual(stats.failures, []);
  for (const name of Object.keys(TARGETS)) assert.ok(stats.inputs[name] >= 400, `${name}: ${stats.inputs[name]} inputs`);
});

test('fuzzing: adversarial inputs (100k braces, 10 MB fields, 1 MB of @, 1 MB lines, 100k-deep nesting) stay in budget', t => {
  const stats = newStats();
  const slow: string[] = [];
  for (const input of adversarialInputs()) {
    for (const name of input.targets) {
      const problem = runOne(TARGETS[name], input.text, input.text.length >> 1, stats, SLACK);
      if (problem) slow.push(`${input.name} → ${problem.slice(0, 300)}`);
    }
  }
  t.diagnostic(`${Object.values(stats.inputs).reduce((a, b) => a + b, 0)} parses of ${(stats.chars / 1e6).toFixed(0)} M characters, worst ${(stats.worstBudgetShare * 100).toFixed(0)}% of budget`);
  assert.deepEqual(slow, []);
});

test('fuzzing: a mutated entry costs that entry only; the intact ones around it still load', () => {
  const good = (k: string) => `@article{${k}, title = {Title ${k}}, year = 2020}\n`;
  for (let i = 0; i < 300; i++) {
    const broken = mutate('@article{mid, title = {Mid {x}}, author = "A and B"}', [[i, i * 7919, i, i * 31], [i * 3, i * 13, i, i * 17]]).replace(/[\r\n]/g, ' ');
    const text = `${good('first')}${broken}\n${good('last')}`;
    assert.equal(runOne(TARGETS.bibtex, text, i, newStats(), SLACK), undefined);
    const keys = parseBibtex(text, '/fuzz.bib').papers.map(p => p.key);
    assert.ok(keys[0] === 'first' && keys.includes('last'), `${JSON.stringify(broken)} → ${keys}`);
  }
});

test('a file of thousands of broken entries lists its first 1,000 errors and counts the rest', () => {
  const res = parseBibtex(`${'@a{k,t={\n'.repeat(5000)}@article{ok, title = {Fine}}\n`, '/fuzz.bib');
  assert.deepEqual(res.papers.map(p => p.key), ['ok']);
  assert.equal(res.errors.filter(e => e.severity === 'error').length, 1000);
  assert.equal(res.errors.at(-1)?.message, '4000 more syntax errors in this file are not listed');
});
