// Parses the index's files: in worker threads (the bundled index-worker.js), batches handed out as
// workers free up, or on the calling thread when no worker script is given.

import { Worker } from 'node:worker_threads';
import type { ParseReply, ParseRequest } from './index-worker';
import { parseFile, type ParsedFile } from './parse-file';
import type { IndexOptions } from './repo-index';
import type { WalkedFile } from './repo-walk';
import type { SyntaxLoader } from './syntax';

/** Parses `files` in `options.workers` threads when the options allow it, else one by one here; each result goes to `take`. */
export async function parseFiles(
  loader: SyntaxLoader,
  files: WalkedFile[],
  options: IndexOptions,
  take: (r: ParsedFile) => void,
): Promise<void> {
  const workers = options.workers ?? 0;
  if (workers > 0 && options.workerScript && options.grammarsDir && files.length > 0) {
    await parseInWorkers(
      files,
      workers,
      options.workerScript,
      { grammarsDir: options.grammarsDir, maxFileBytes: options.maxFileBytes },
      take,
    );
  } else {
    for (const f of files) take(await parseFile(loader, f.path, f.absolute, options.maxFileBytes));
  }
}

/** Reads and parses files in `count` worker threads, in batches handed out as workers free up; each result goes to `take` as it comes. */
async function parseInWorkers(
  files: { path: string; absolute: string }[],
  count: number,
  script: string,
  data: { grammarsDir: string; maxFileBytes?: number },
  take: (r: ParsedFile) => void,
): Promise<void> {
  const BATCH = 64;
  const batches: ParseRequest[] = [];
  for (let i = 0; i < files.length; i += BATCH) {
    batches.push({
      batch: batches.length,
      files: files.slice(i, i + BATCH).map((f) => ({ path: f.path, absolute: f.absolute })),
    });
  }
  let next = 0;
  const run = (worker: Worker) =>
    new Promise<void>((resolve, reject) => {
      const send = () => {
        const req = batches[next++];
        if (!req) {
          resolve();
          return;
        }
        worker.postMessage(req);
      };
      worker.on('message', (reply: ParseReply) => {
        reply.results.forEach(take);
        send();
      });
      worker.on('error', reject);
      send();
    });
  const workers = Array.from(
    { length: Math.max(1, Math.min(count, batches.length)) },
    () => new Worker(script, { workerData: data }),
  );
  try {
    await Promise.all(workers.map(run));
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
