// The inline completion provider: translates the editor's request into the completion core's and back.

import * as vscode from 'vscode';
import type { CompletionOutcome } from '../completion/completion-service';
import { readConfig } from './config';
import { completionLanguage, type WorkspaceSession } from './workspace-session';

export class RopewalkInlineProvider implements vscode.InlineCompletionItemProvider {
  constructor(
    private readonly session: () => WorkspaceSession | undefined,
    private readonly onOutcome: (o: CompletionOutcome) => void,
    private readonly log: vscode.LogOutputChannel,
    /** A failed completion (a server's failure is shown in the status bar). */
    private readonly onError: (error: Error) => void = () => {},
  ) {}

  async provideInlineCompletionItems(
    document: vscode.TextDocument,
    position: vscode.Position,
    context: vscode.InlineCompletionContext,
    token: vscode.CancellationToken,
  ): Promise<vscode.InlineCompletionItem[] | undefined> {
    const config = readConfig();
    const session = this.session();
    const language = completionLanguage(document.languageId);
    if (!config.enabled || !session || !language || !config.languages.includes(document.languageId))
      return undefined;
    // The editor's cancellation becomes an AbortSignal the engine honours between decoding steps.
    const abort = new AbortController();
    const sub = token.onCancellationRequested(() => abort.abort());
    try {
      const outcome = await session.service.complete({
        path: session.pathOf(document.uri),
        text: document.getText(),
        offset: document.offsetAt(position),
        language,
        signal: abort.signal,
        immediate: context.triggerKind === vscode.InlineCompletionTriggerKind.Invoke,
      });
      this.onOutcome(outcome);
      if (outcome.source === 'engine') {
        this.log.info(
          `completion in ${outcome.latencyMs.toFixed(0)} ms, ${outcome.promptTokens} prompt tokens (${outcome.cacheUnknown ? 'cache not reported' : `${outcome.reusedTokens} cached`}), RoPE ${outcome.rope}, context: ${outcome.context?.join(', ') || 'the file alone'}`,
        );
        if (config.logPrompts && outcome.prompt)
          this.log.info(session.describePrompt(outcome.prompt));
      }
      if (!outcome.text || token.isCancellationRequested) return undefined;
      return [new vscode.InlineCompletionItem(outcome.text, new vscode.Range(position, position))];
    } catch (error) {
      this.log.error(`completion failed: ${(error as Error).name}: ${(error as Error).message}`);
      this.onError(error as Error);
      return undefined;
    } finally {
      sub.dispose();
    }
  }
}
