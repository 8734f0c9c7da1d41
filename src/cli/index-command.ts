// `ropewalk index`: index a repository and report what was found (named so, not index.ts, which reads as a barrel).

import type { Command, CommandSpec } from './args';
import { INDEX_OPTIONS, JSON_OPTION } from './common-options';
import { requireFolder } from './paths';
import { buildIndex } from './repo-options';

const spec: CommandSpec = {
  name: 'index',
  summary: 'index a repository: definitions, imports resolved to files, skips',
  operands: 'REPO',
  positionals: { min: 1, max: 1 },
  about: `Indexes the repository REPO with tree-sitter, as the extension does: definitions, imports
resolved to repository files, and the files it skipped and why. The index is persisted outside the
repository, so a second run reads what did not change.`,
  options: [
    ...INDEX_OPTIONS,
    { ...JSON_OPTION, description: "print the index's statistics as JSON" },
  ],
};

export const indexCommand: Command = {
  spec,
  async run(args) {
    const root = requireFolder(args.positional[0] as string);
    const { stats } = await buildIndex(root, args);
    if (args.flag('json')) console.log(JSON.stringify(stats));
    else {
      console.log(
        `${stats.parsedFiles} of ${stats.files} files indexed (${stats.fromCache} unchanged, from the cache) in ${(stats.ms / 1000).toFixed(1)} s, peak RSS ${stats.peakRssMb.toFixed(0)} MB`,
      );
      console.log(
        `${stats.definitions} definitions, ${stats.imports} imports (${stats.resolvedImports} resolved to repository files)`,
      );
      const skipped = Object.entries(stats.skipped)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
      if (skipped) console.log(`skipped: ${skipped}`);
      if (stats.capMessage) console.log(stats.capMessage);
    }
    return 0;
  },
};
