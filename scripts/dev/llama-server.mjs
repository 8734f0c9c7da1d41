// llama.cpp's llama-server started for the dev tools that measure Ropewalk against it
// (infill-vs-llama-server.mjs, llama-server-remote.mjs). Nothing of llama.cpp is committed.

import { spawn } from 'node:child_process';

/**
 * Starts `server` (LLAMA_DIR/build/bin/llama-server) on 127.0.0.1:`port` with `model`: `threads`
 * threads, one slot, no warm-up, a context of `ctx` tokens, and `extra` arguments. A slot gets no more
 * context than the model says it was trained at (the tiny fixtures say 512), so that is raised to `ctx`
 * with --override-kv ARCH.context_length. Resolves once /health answers; throws with the end of the
 * server's log if it exits, or if it is not up within `waitMs`.
 */
export async function startLlamaServer(
  server,
  { model, arch, port, ctx, threads, extra = [], waitMs = 60_000 },
) {
  const child = spawn(
    server,
    [
      ...['-m', model, '--port', String(port), '-t', String(threads), '-c', String(ctx)],
      ...['-np', '1', '--no-warmup', '--override-kv', `${arch}.context_length=int:${ctx}`],
      ...extra,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr.on('data', (d) => (log += d));
  for (const until = Date.now() + waitMs; Date.now() < until;) {
    await new Promise((ok) => setTimeout(ok, 250));
    if (child.exitCode !== null) throw new Error(`llama-server exited:\n${log.slice(-2000)}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) return { child, log: () => log };
    } catch {
      // not listening yet
    }
  }
  child.kill();
  throw new Error(`llama-server did not come up within ${waitMs / 1000} s`);
}
