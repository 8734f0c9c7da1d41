// Worker thread of the repository index: reads and parses batches of files with tree-sitter off the main thread.

import { parentPort, workerData } from 'node:worker_threads';
import { parseFile, type ParsedFile } from './parse-file';
import { SyntaxLoader } from './syntax';

export interface ParseRequest {
  batch: number;
  files: { path: string; absolute: string }[];
}

export interface ParseReply {
  batch: number;
  results: ParsedFile[];
}

const data = workerData as { grammarsDir: string; maxFileBytes?: number };
const loader = new SyntaxLoader(data.grammarsDir);

async function reply(req: ParseRequest): Promise<void> {
  const results: ParsedFile[] = [];
  for (const f of req.files)
    results.push(await parseFile(loader, f.path, f.absolute, data.maxFileBytes));
  parentPort?.postMessage({ batch: req.batch, results } satisfies ParseReply);
}

// parseFile puts a file's failure in its result; a rejection here is a bug, and left unhandled it
// ends the worker with the 'error' event the index already rejects on.
parentPort?.on('message', (req: ParseRequest) => void reply(req));
