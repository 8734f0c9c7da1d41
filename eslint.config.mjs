// ESLint: typescript-eslint's type-aware recommended rules, a few that guard the house habits,
// and the style guide's import boundaries (who may load 'vscode' and 'onnxruntime-node').
// Type information comes from TypeScript 6.0's API: the `typescript` devDependency is Microsoft's
// @typescript/typescript6 compatibility package, while `tsc` is TypeScript 7 (@typescript/native).
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Modules only a few files may load, and why; the file groups below lift one restriction each. */
const boundaries = {
  vscode:
    'Only src/vscode/, src/extension.ts and test/vscode-electron/ talk to VS Code; the core stays testable in plain Node.',
  'onnxruntime-node':
    'src/model/onnx-backend.ts is the only importer of onnxruntime; other code goes through the engine interface.',
};

/** The import rules for a file group; import() and require() are not covered by no-restricted-imports. */
function restrict(...names) {
  const syntax = (selector, name) => ({ selector, message: `'${name}': ${boundaries[name]}` });
  return {
    'no-restricted-imports': [
      'error',
      { paths: names.map((name) => ({ name, message: boundaries[name] })) },
    ],
    'no-restricted-syntax': [
      'error',
      ...names.flatMap((name) => [
        syntax(`ImportExpression[source.value='${name}']`, name),
        syntax(`CallExpression[callee.name='require'][arguments.0.value='${name}']`, name),
      ]),
    ],
  };
}

export default defineConfig(
  globalIgnores(['dist/', 'out/', 'models/', 'grammars/', 'media/', 'test/fixtures/']),
  {
    files: ['**/*.ts', '**/*.mjs'],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Off: an async function without await is how a Promise-returning interface is met
      // (the benchmark's job.run) and it turns a throw into a rejection; tsc checks the types.
      '@typescript-eslint/require-await': 'off',
      // `let [lo, hi] = range` where only one is reassigned is clearer than splitting it.
      'prefer-const': ['error', { destructuring: 'all' }],
      // `const { ids: _ids, ...rest } = x` is how a field is dropped from a copy.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
      // Beyond recommended, each passing on the code as it stands: closed sets are unions, so a
      // switch over one must name every member (or have a default); a promise returned inside
      // try must be awaited there or its rejection skips the catch; type-only imports stay
      // type-only in the esbuild bundle; == only against null.
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      '@typescript-eslint/return-await': ['error', 'error-handling-correctness-only'],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'smart'],
      // node:test queues test() and describe() itself; their promises need no await. A subtest's
      // t.test() still must be awaited, so the rule stays on for everything else.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] },
          ],
        },
      ],
    },
  },
  {
    // The .mjs scripts are outside tsconfig's program (no allowJs): linted without types.
    files: ['**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node },
  },
  {
    // Playwright drivers: the functions given to page.evaluate() run in the workbench's page.
    files: ['scripts/e2e/**/*.mjs', 'test/e2e/**/*.mjs'],
    languageOptions: { globals: { ...globals.node, document: 'readonly' } },
  },
  {
    // Tests read other processes' JSON output (JSON.parse gives `any`) and assert on its fields;
    // the assertions are the check, so the no-unsafe-* rules would only ask for casts there.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  { files: ['**/*.ts', '**/*.mjs'], rules: restrict('vscode', 'onnxruntime-node') },
  {
    files: ['src/vscode/**', 'src/extension.ts', 'test/vscode-electron/**'],
    rules: restrict('onnxruntime-node'),
  },
  { files: ['src/model/onnx-backend.ts'], rules: restrict('vscode') },
  {
    // Checks an operator's kernel on its own (a one-node graph), below the engine interface.
    files: ['test/model/gguf/matmul-nbits.test.ts'],
    rules: restrict('vscode'),
  },
);
