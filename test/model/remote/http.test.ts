// streamMessage: one streamed message parsed, and an error sent as a message after the stream began
// (llama-server's and OpenAI's object with a code, ollama's string) thrown as the named error.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  RemoteAuthError,
  RemoteContextTooLongError,
  RemoteHttpError,
} from '../../../src/model/remote/errors';
import { streamMessage } from '../../../src/model/remote/http';

const URL = 'http://127.0.0.1:9/completion';

test('a message is parsed as it is', () => {
  const m = streamMessage<{ content: string; stop: boolean }>(
    '{"content":"me","stop":false}',
    URL,
    'completion message',
  );
  assert.deepEqual(m, { content: 'me', stop: false });
});

test('a message that is not JSON is refused, named by what it should have been', () => {
  assert.throws(
    () => streamMessage('{"content":"me"', URL, 'generate line'),
    (e: unknown) =>
      e instanceof RemoteHttpError &&
      e.status === undefined &&
      /not a generate line: \{"content":"me"/.test(e.message),
  );
});

test("an error message takes its code's named error; without a code (ollama's string) it is a 500", () => {
  assert.throws(
    () => streamMessage('{"error":{"code":401,"message":"Invalid API Key"}}', URL, 'chunk'),
    (e: unknown) => e instanceof RemoteAuthError && e.status === 401,
  );
  assert.throws(
    () =>
      streamMessage(
        '{"error":{"code":400,"message":"the request exceeds the available context size"}}',
        URL,
        'chunk',
      ),
    (e: unknown) => e instanceof RemoteContextTooLongError,
  );
  assert.throws(
    () => streamMessage('{"error":"model runner has unexpectedly stopped"}', URL, 'line', 'qwen'),
    (e: unknown) =>
      e instanceof RemoteHttpError &&
      e.status === 500 &&
      /model runner has unexpectedly stopped/.test(e.message),
  );
});
