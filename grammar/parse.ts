// The public entry points: formula text → AST, condition cell text → UnaryTest, within limits.

import type { Expr, UnaryTest } from './ast.ts';
import { inlineSource, type Source } from './diagnostic.ts';
import { tokenize } from './lexer.ts';
import { parser } from './parser.ts';
import { emptyText, fromRecognitionException, tooLong, type SyntaxContext } from './syntax-errors.ts';

export const MAX_FORMULA_LENGTH = 10_000;
export const MAX_NESTING_DEPTH = 64;

export interface ParseOptions {
  /** Longest accepted text, in characters (error code `formula-too-long`). */
  maxLength?: number;
  /** Deepest accepted nesting of brackets and prefix operators (error code `nesting-too-deep`). */
  maxDepth?: number;
}

/** Parses a formula; throws a RuleError (code `syntax`, `single-equals`, …) pointing into `source`. */
export function parseFormula(text: string, source: Source = inlineSource(text), options: ParseOptions = {}): Expr {
  return parse(text, source, options, 'formula', () => parser.expression());
}

/** Parses a decision-table condition cell: `-`, `25`, `>= 25`, `in [..]`, `not in [..]`, `[1..4)`. */
export function parseUnaryTest(
  text: string, source: Source = inlineSource(text), options: ParseOptions = {},
): UnaryTest {
  return parse(text, source, options, 'condition', () => parser.unaryTest());
}

function parse<T>(text: string, source: Source, options: ParseOptions, what: SyntaxContext['what'], rule: () => T): T {
  const { maxLength = MAX_FORMULA_LENGTH, maxDepth = MAX_NESTING_DEPTH } = options;
  if (text.length > maxLength) throw tooLong(text, maxLength, source, what);
  const ctx: SyntaxContext = { text, source, tokens: tokenize(text), what };
  if (ctx.tokens.length === 0) throw emptyText(ctx);
  parser.begin(ctx, maxDepth);
  const result = rule();
  if (parser.errors.length > 0) throw fromRecognitionException(parser.errors[0], ctx);
  return result;
}
