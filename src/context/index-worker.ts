// Worker thread of the repository index: parses batches of files with tree-sitter off the main thread.

import { parentPort, workerData } from 'node:worker_threads';
import { languageForPath } from './languages';
import { SyntaxLoader, type FileSyntax } from './syntax';

export interface ParseRequest {
  batch: number;
  files: { path: string; text: string }[];
}

export type ParsedFile = { path: string; syntax: Omit<FileSyntax, 'identifiers'> & { identifiers: string[] } } | { path: string; error: string };

export interface ParseReply {
  batch: number;
  results: ParsedFile[];
}

const loader = new SyntaxLoader((workerData as { grammarsDir: string }).grammarsDir);

parentPort?.on('message', async (req: ParseRequest) => {
  const results: ParsedFile[] = [];
  for (const f of req.files) {
    const spec = languageForPath(f.path);
    if (!spec) continue;
    try {
      const s = await loader.extract(spec, f.text);
      results.push({ path: f.path, syntax: { ...s, identifiers: [...s.identifiers] } });
    } catch (error) {
      results.push({ path: f.path, error: (error as Error).message });
    }
  }
  parentPort?.postMessage({ batch: req.batch, results } satisfies ParseReply);
});
