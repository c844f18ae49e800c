// The tokens of the formula language. Besides the real tokens there are "mistake" tokens
// (`=`, `&&`, `||`, `!`, an unterminated string, an unknown character): the grammar
// never accepts them, so the parser stops exactly there and syntax-errors.ts explains the
// mistake. So tokenizing never fails, and the first error in the text is the one reported.

import { createToken, createTokenInstance, Lexer, type IToken, type TokenType } from 'chevrotain';
import type { Span } from './ast.ts';

const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /\s+/, group: Lexer.SKIPPED });

export const Identifier = createToken({ name: 'Identifier', label: 'name', pattern: /[A-Za-z_][A-Za-z0-9_]*/ });
const keyword = (name: string) => {
  const word = name.toLowerCase();
  return createToken({ name, label: `'${word}'`, pattern: new RegExp(word, 'i'), longer_alt: Identifier });
};
export const And = keyword('And');
export const Or = keyword('Or');
export const Not = keyword('Not');
export const In = keyword('In');
export const True = keyword('True');
export const False = keyword('False');

/** `200_000`, `0.02`, `1_000.50`, `20%`, `1e3`, `2.5E-2`. */
export const NumberLiteral = createToken({
  name: 'NumberLiteral',
  label: 'number',
  pattern: /\d+(?:_\d+)*(?:\.\d+(?:_\d+)*)?(?:[eE][+-]?\d+)?%?/,
});
export const StringLiteral = createToken({
  name: 'StringLiteral',
  label: 'string',
  pattern: /'(?:[^'\\]|\\['"\\nt])*'|"(?:[^"\\]|\\['"\\nt])*"/,
});

export const ComparisonOperator = createToken({
  name: 'ComparisonOperator',
  label: 'comparison (== != <> < <= > >=)',
  pattern: Lexer.NA,
});
export const AdditiveOperator = createToken({ name: 'AdditiveOperator', label: '+ or -', pattern: Lexer.NA });
export const MultiplicativeOperator = createToken({
  name: 'MultiplicativeOperator',
  label: '* or /',
  pattern: Lexer.NA,
});
const operator = (name: string, pattern: string, category: TokenType) =>
  createToken({ name, label: `'${pattern}'`, pattern, categories: [category] });
const Equals = operator('Equals', '==', ComparisonOperator);
const NotEquals = operator('NotEquals', '!=', ComparisonOperator);
/** Spreadsheets' spelling of `!=`; the parser reads it as `!=`. */
const LessGreater = operator('LessGreater', '<>', ComparisonOperator);
const LessOrEqual = operator('LessOrEqual', '<=', ComparisonOperator);
const GreaterOrEqual = operator('GreaterOrEqual', '>=', ComparisonOperator);
const Less = operator('Less', '<', ComparisonOperator);
const Greater = operator('Greater', '>', ComparisonOperator);
const Plus = operator('Plus', '+', AdditiveOperator);
export const Minus = operator('Minus', '-', AdditiveOperator);
const Times = operator('Times', '*', MultiplicativeOperator);
const Divide = operator('Divide', '/', MultiplicativeOperator);
/** Spreadsheet operators: `a ^ n` (power), `a & b` (text joined), `x%` (x / 100). */
export const Caret = createToken({ name: 'Caret', label: "'^'", pattern: '^' });
export const Ampersand = createToken({ name: 'Ampersand', label: "'&'", pattern: '&' });
export const Percent = createToken({ name: 'Percent', label: "'%'", pattern: '%' });

const punctuation = (name: string, pattern: string) => createToken({ name, label: `'${pattern}'`, pattern });
export const Arrow = punctuation('Arrow', '=>');
export const DotDot = punctuation('DotDot', '..');
export const Dot = punctuation('Dot', '.');
export const Comma = punctuation('Comma', ',');
export const Colon = punctuation('Colon', ':');
export const LParen = punctuation('LParen', '(');
export const RParen = punctuation('RParen', ')');
export const LBracket = punctuation('LBracket', '[');
export const RBracket = punctuation('RBracket', ']');
export const LBrace = punctuation('LBrace', '{');
export const RBrace = punctuation('RBrace', '}');

// Mistakes, each explained in syntax-errors.ts.
export const SingleEquals = createToken({ name: 'SingleEquals', pattern: '=' });
export const Ampersands = createToken({ name: 'Ampersands', pattern: '&&' });
export const Pipes = createToken({ name: 'Pipes', pattern: /\|\|?/ });
export const Bang = createToken({ name: 'Bang', pattern: '!' });
export const BadEscapeString = createToken({
  name: 'BadEscapeString',
  pattern: /'(?:[^'\\]|\\[\s\S])*'|"(?:[^"\\]|\\[\s\S])*"/,
});
export const UnterminatedString = createToken({ name: 'UnterminatedString', pattern: /['"][\s\S]*/ });
/** Made by `tokenize` from the lexer's errors rather than matched by a pattern. */
export const UnknownCharacter = createToken({ name: 'UnknownCharacter', pattern: Lexer.NA });

/** In matching order: the first pattern that matches wins, so longer operators come first. */
export const allTokens: TokenType[] = [
  WhiteSpace,
  NumberLiteral,
  StringLiteral, BadEscapeString, UnterminatedString,
  And, Or, Not, In, True, False, Identifier,
  Arrow, Equals, NotEquals, LessGreater, LessOrEqual, GreaterOrEqual, Less, Greater,
  SingleEquals, Ampersands, Ampersand, Pipes, Bang, Percent, Caret,
  Plus, Minus, Times, Divide,
  DotDot, Dot, Comma, Colon, LParen, RParen, LBracket, RBracket, LBrace, RBrace,
  ComparisonOperator, AdditiveOperator, MultiplicativeOperator, UnknownCharacter,
];

/** `validate`: chevrotain's checks of the token definitions; skipped at run time like the parser's (see FormulaParser). */
export function createLexer(options: { validate: boolean } = { validate: false }): Lexer {
  return new Lexer(allTokens, { positionTracking: 'onlyOffset', ensureOptimizations: true, skipValidations: !options.validate });
}

const lexer = createLexer();

/** Never fails: characters no token matches become UnknownCharacter tokens, met by the parser in text order. */
export function tokenize(text: string): IToken[] {
  const { tokens, errors } = lexer.tokenize(text);
  if (errors.length === 0) return tokens;
  const unknown = errors.map(({ offset, length }) => {
    const end = offset + length - 1;
    return createTokenInstance(UnknownCharacter, text.slice(offset, end + 1), offset, end, NaN, NaN, NaN, NaN);
  });
  return [...tokens, ...unknown].sort((a, b) => a.startOffset - b.startOffset);
}

export function tokenSpan(token: IToken): Span {
  return { start: token.startOffset, end: token.startOffset + token.image.length };
}
