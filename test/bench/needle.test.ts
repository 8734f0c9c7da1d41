import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildNeedlePrompt, needleCorrect, needleFiles } from '../../src/bench/needle';
import { loadModelTokenizer } from '../../src/model/model-source';
import { templateFor } from '../../src/packing/templates';
import { bundledModel } from '../test-models';

const tok = loadModelTokenizer(bundledModel());
const filler = Array.from({ length: 6 }, (_, i) => ({
  path: `pkg/mod${i}.py`,
  text: `def f${i}(x):\n    return x * ${i} + ${i * 3}\n\n\nclass C${i}:\n    value = ${i}\n`,
}));

test('a needle prompt has the asked length, the needle file at the asked depth, and the question last', () => {
  for (const depth of [0, 0.5, 1]) {
    const p = buildNeedlePrompt(tok, templateFor(tok), filler, {
      length: 600,
      depth,
      value: 48213,
      serial: 7,
      language: 'python',
    });
    const flat = p.segments.flat();
    assert.equal(flat.length, 600);
    const fillerTokens = (p.segments[0] as number[]).length + (p.segments[2] as number[]).length;
    assert.equal(p.needleAt, Math.round(depth * fillerTokens));
    const text = tok.decode(flat);
    assert.ok(text.includes('ROPEWALK_NEEDLE_7 = 48213'));
    assert.equal(text.split('48213').length, 2, 'the value appears once');
    assert.ok(text.endsWith('assert ROPEWALK_NEEDLE_7 ==<|fim_middle|>'));
    assert.ok(tok.decode(p.segments[1] as number[]).startsWith('<|file_sep|>ropewalk_needle.py\n'));
  }
});

test('TypeScript needles import the value; a completion counts when its first integer is the value', () => {
  const f = needleFiles('typescript', 2, 31337);
  assert.match(f.needle.text, /export const ROPEWALK_NEEDLE_2 = 31337;/);
  assert.match(f.query.prefix, /import \{ ROPEWALK_NEEDLE_2 \} from '.\/ropewalk-needle'/);
  assert.ok(needleCorrect('31337)\n', 31337));
  assert.ok(needleCorrect(' 31337', 31337));
  assert.ok(!needleCorrect('313370', 31337));
  assert.ok(!needleCorrect('x', 31337));
});
