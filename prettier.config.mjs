// Prettier: the style guide's model (rust-analyzer's VS Code client) formats at 100 columns, with
// eslint beside it. The other choices were measured on the tree before the first formatting pass:
// trailing commas everywhere changed the fewest lines (es5 and none changed more), and
// objectWrap 'collapse' both changed the fewest and made one pass stable (with 'preserve', a
// second pass re-wrapped a call whose object argument the first pass had split).
/** @type {import('prettier').Config} */
export default { printWidth: 100, singleQuote: true, trailingComma: 'all', objectWrap: 'collapse' };
