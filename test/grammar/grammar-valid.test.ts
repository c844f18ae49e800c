// The shared lexer and parser skip chevrotain's self-checks to start fast; here they run.
import { expect, test } from 'vitest';
import { createLexer } from '../../grammar/lexer.ts';
import { FormulaParser } from '../../grammar/parser.ts';

test('the token definitions pass chevrotain\'s validations', () => {
  expect(createLexer({ validate: true }).lexerDefinitionErrors).toEqual([]);
});

test('the grammar passes chevrotain\'s validations (no ambiguity, no left recursion)', () => {
  // performSelfAnalysis throws on any grammar definition error when validations run.
  expect(() => new FormulaParser({ validate: true })).not.toThrow();
});
