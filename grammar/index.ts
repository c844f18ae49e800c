// The formula language's syntax: parse formulas and decision-table conditions into a typed
// AST with spans, print them back canonically. See README.md for the language itself.

export * from './ast.ts';
export * from './diagnostic.ts';
export * from './parse.ts';
export * from './format.ts';
