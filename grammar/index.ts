export * from './ast.ts';
export * from './diagnostic.ts';
export * from './parse.ts';
export * from './format.ts';
