import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  MAX_SOURCE_BYTES,
  UnreadableSourceError,
  readSourceFile,
} from '../../src/context/source-file';
import { tempDir } from '../temp-dir';

const dir = tempDir('ropewalk-src-');

test('UTF-8 text is read as is', () => {
  writeFileSync(join(dir, 'ok.py'), 'größe = "👋"\n');
  assert.equal(readSourceFile(join(dir, 'ok.py')), 'größe = "👋"\n');
});

test('binary, non-UTF-8, huge and missing files are named errors', () => {
  writeFileSync(join(dir, 'bin'), Buffer.from([1, 0, 2]));
  assert.throws(() => readSourceFile(join(dir, 'bin')), /binary/);
  writeFileSync(join(dir, 'latin1.py'), Buffer.from([0x63, 0xe9, 0x0a]));
  assert.throws(() => readSourceFile(join(dir, 'latin1.py')), /not valid UTF-8/);
  writeFileSync(join(dir, 'huge.js'), Buffer.alloc(MAX_SOURCE_BYTES + 1, 0x61));
  assert.throws(() => readSourceFile(join(dir, 'huge.js')), UnreadableSourceError);
  assert.throws(() => readSourceFile(join(dir, 'missing.py')), UnreadableSourceError);
});
