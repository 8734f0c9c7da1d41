import assert from 'node:assert/strict';
import { test } from 'node:test';
import { healCursor, unheal } from '../../src/completion/token-healing';

test('the partial word before the cursor is healed; other cursors are left alone', () => {
  const text = 'return self.na\nx = 1\n';
  const h = healCursor(text, 'return self.na'.length);
  assert.deepEqual(h, {
    text: 'return self.\nx = 1\n',
    offset: 'return self.'.length,
    healed: 'na',
  });
  assert.equal(unheal('name', h.healed), 'me');
  assert.equal(unheal('other', h.healed), 'other');
  assert.equal(healCursor('f(x, ', 5).healed, '');
  assert.equal(healCursor('a = 1\n', 6).healed, '');
  // A word that fills the whole look-back is not healed (too long to constrain token by token).
  assert.equal(healCursor('x'.repeat(40), 40).healed, '');
});
