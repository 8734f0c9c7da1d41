// A stand-in inline completion provider that checks the e2e harness itself, before or without Ropewalk's own:
// E2E_EXTRA_EXTENSIONS=test/e2e/stand-in-provider npm run test:e2e

const vscode = require('vscode');

exports.activate = (context) => {
  context.subscriptions.push(vscode.languages.registerInlineCompletionItemProvider({ pattern: '**' }, {
    provideInlineCompletionItems(document, position) {
      const before = document.lineAt(position.line).text.slice(0, position.character);
      const at = new vscode.Range(position, position);
      if (before.endsWith('self.na')) return [new vscode.InlineCompletionItem('me + ": " + str(self.area())', at)];
      if (/\w$/.test(before)) return [new vscode.InlineCompletionItem('()', at)];
      return [];
    },
  }));
};
