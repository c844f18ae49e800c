// Every syntax error's wording, in one place. Chevrotain's own messages never reach a user:
// the parser either throws one of these directly or parse.ts translates chevrotain's
// exception with `fromRecognitionException`.

import { EOF, NoViableAltException, tokenMatcher } from 'chevrotain';
import type { IRecognitionException, IToken, TokenType } from 'chevrotain';
import type { Expr, Span } from './ast.ts';
import { positionOf, RuleError, type Source } from './diagnostic.ts';
import { invalidEscapeOffset } from './literals.ts';
import {
  Ampersands, Arrow, BadEscapeString, Bang, Comma, Dot, DotDot, False, Identifier, LBrace, LBracket,
  LParen, Not, NumberLiteral, Percent, Pipes, RBrace, RBracket, RParen, SingleEquals, StringLiteral, tokenSpan, True,
  UnknownCharacter, UnterminatedString,
} from './lexer.ts';

/** What is being parsed, as the user knows it. */
export interface SyntaxContext {
  text: string;
  source: Source;
  tokens: IToken[];
  what: 'formula' | 'condition';
}

/** The form of a list's items, to say what is missing in `f(,)` or `{1: 2}`. */
export type ListItem = 'expression' | 'field';

const CONDITION_FORMS = "a condition is one test: -, 25, 'pro', >= 25, != 'free', in [1, 2], not in [1, 2] or [1..4]";
const LAMBDA_PLACE = 'a lambda (x => …) is only allowed as a function argument, as in MAP(list, x => x * 2)';
const CLOSERS = [RParen, RBracket, RBrace];
const OPERAND_STARTS = [Identifier, NumberLiteral, StringLiteral, True, False, LParen, LBracket, LBrace];

const isOneOf = (token: IToken, types: TokenType[]) => types.some((type) => tokenMatcher(token, type));

/** The end of the text has no token; an error there is an empty span after the last character. */
function spanAt(token: IToken, ctx: SyntaxContext): Span {
  return token.tokenType === EOF ? { start: ctx.text.length, end: ctx.text.length } : tokenSpan(token);
}

/** The error at `token`, unless `token` is a mistake (`=`, `&&`, …): its own explanation wins. */
function error(token: IToken, ctx: SyntaxContext, message: string, hint?: string, code = 'syntax'): RuleError {
  return mistakes.get(token.tokenType)?.(token, ctx)
    ?? new RuleError(code, message, ctx.source, spanAt(token, ctx), hint);
}

function describe(token: IToken, ctx: SyntaxContext): string {
  if (token.tokenType === EOF) return `the end of the ${ctx.what}`;
  return token.tokenType === StringLiteral ? token.image : `'${token.image}'`;
}

/** "column 5", or "line 2, column 5" when the error is reported on another line. */
function place(token: IToken, reportedAt: IToken, ctx: SyntaxContext): string {
  const at = positionOf(ctx.source, token.startOffset);
  const here = positionOf(ctx.source, spanAt(reportedAt, ctx).start);
  return at.line === here.line ? `column ${at.col}` : `line ${at.line}, column ${at.col}`;
}

function previous(token: IToken, ctx: SyntaxContext): IToken | undefined {
  const index = token.tokenType === EOF ? ctx.tokens.length : ctx.tokens.indexOf(token);
  return ctx.tokens[index - 1];
}

function characterAt(offset: number, ctx: SyntaxContext): string {
  return String.fromCodePoint(ctx.text.codePointAt(offset)!);
}

const mistakes = new Map<TokenType, (token: IToken, ctx: SyntaxContext) => RuleError>([
  [SingleEquals, (t, ctx) =>
    new RuleError('single-equals', "'=' is not a comparison", ctx.source, tokenSpan(t), "use '==' to compare")],
  [Ampersands, (t, ctx) =>
    new RuleError('syntax', "'&&' is not an operator", ctx.source, tokenSpan(t), "use 'and' (a single '&' joins text)")],
  [Pipes, (t, ctx) =>
    new RuleError('syntax', `'${t.image}' is not an operator`, ctx.source, tokenSpan(t), "use 'or'")],
  [Bang, (t, ctx) => new RuleError('syntax', "'!' is not an operator", ctx.source, tokenSpan(t), "use 'not'")],
  // Met where a value should start: `%20`, a percent sign written before its number.
  [Percent, (t, ctx) => {
    const next = ctx.tokens[ctx.tokens.indexOf(t) + 1];
    const fix = next && isOneOf(next, [NumberLiteral, Identifier]) && next.startOffset === t.startOffset + 1
      ? `write it after the number: ${corrected(ctx, [[t, ''], [next, `${next.image}%`]])}`
      : 'write it after the number: 20%';
    return new RuleError('syntax', "the percent sign goes after the number", ctx.source, tokenSpan(t), fix);
  }],
  [UnterminatedString, (t, ctx) => {
    const quote = t.image[0];
    return new RuleError('syntax', 'unterminated string', ctx.source, { start: t.startOffset, end: t.startOffset + 1 },
      `end it with ${quote === "'" ? `"'"` : `'"'`}`);
  }],
  [BadEscapeString, (t, ctx) => {
    const start = t.startOffset + invalidEscapeOffset(t.image);
    const escaped = characterAt(start + 1, ctx);
    return new RuleError('syntax', `unknown escape '\\${escaped}' in a string`, ctx.source,
      { start, end: start + 1 + escaped.length }, "the escapes are \\' \\\" \\\\ \\n \\t");
  }],
  [UnknownCharacter, (t, ctx) => {
    const character = characterAt(t.startOffset, ctx);
    const hint = /[‘’“”]/.test(character) ? `use straight quotes ' or "`
      : /[×·]/.test(character) ? `multiply with '*': ${corrected(ctx, [[t, '*']])}`
      : character === '÷' ? `divide with '/': ${corrected(ctx, [[t, '/']])}`
      : /\p{L}/u.test(character) ? 'names use only the letters A-Z, digits and _'
      : undefined;
    return new RuleError('syntax', `unexpected character '${character}'`, ctx.source,
      { start: t.startOffset, end: t.startOffset + character.length }, hint);
  }],
]);

/** The text with each token replaced by its new text: the formula a hint suggests. */
function corrected(ctx: SyntaxContext, edits: [IToken, string][]): string {
  let text = ctx.text;
  for (const [token, replacement] of [...edits].sort((a, b) => b[0].startOffset - a[0].startOffset)) {
    text = text.slice(0, token.startOffset) + replacement + text.slice(token.startOffset + token.image.length);
  }
  return text.trim();
}

const ends = (token: IToken | undefined): boolean => token !== undefined && isOneOf(token, [Identifier, NumberLiteral, StringLiteral, RParen, RBracket, Percent]);
const starts = (token: IToken | undefined): boolean => token !== undefined && isOneOf(token, OPERAND_STARTS);

/** The code of a syntax error for a spreadsheet function name with a dot, `CEILING.MATH(x, 2)`. */
export const SPREADSHEET_FUNCTION = 'spreadsheet-function';

/** `CEILING.MATH(`: a name, a dot and a name written together, stopped at the '(' after them. */
function dottedName(paren: IToken, ctx: SyntaxContext): { name: string; span: Span } | undefined {
  if (!tokenMatcher(paren, LParen)) return undefined;
  const index = ctx.tokens.indexOf(paren);
  const [first, dot, second] = ctx.tokens.slice(Math.max(0, index - 3), index);
  if (index < 3 || !first || !dot || !second) return undefined;
  if (!tokenMatcher(first, Identifier) || !tokenMatcher(dot, Dot) || !tokenMatcher(second, Identifier)) return undefined;
  const together = [first, dot, second, paren].every((t, i, all) => i === 0 || t.startOffset === all[i - 1]!.startOffset + all[i - 1]!.image.length);
  // Spreadsheets write their function names in capitals; `plan.limit(` is another mistake.
  if (!together || !/^[A-Z][A-Z0-9]*$/.test(first.image) || !/^[A-Z][A-Z0-9]*$/.test(second.image)) return undefined;
  const span = { start: first.startOffset, end: second.startOffset + second.image.length };
  return { name: ctx.text.slice(span.start, span.end), span };
}

/** Habits from paper and spreadsheets that stop the parser after a complete value, each with its fix. */
function habit(token: IToken, ctx: SyntaxContext): RuleError | undefined {
  const index = ctx.tokens.indexOf(token);
  const before = ctx.tokens[index - 1];
  const after = ctx.tokens[index + 1];
  if (tokenMatcher(token, Identifier) && /^x$/i.test(token.image) && ends(before) && starts(after)) {
    const times = ctx.tokens.filter((t, i) => tokenMatcher(t, Identifier) && /^x$/i.test(t.image) && ends(ctx.tokens[i - 1]) && starts(ctx.tokens[i + 1]));
    return new RuleError('syntax', `'${token.image}' is not multiplication`, ctx.source, tokenSpan(token),
      `multiply with '*': ${corrected(ctx, times.map((t) => [t, '*']))}`);
  }
  const adjacent = (a: IToken, b: IToken) => b.startOffset === a.startOffset + a.image.length;
  const dotted = dottedName(token, ctx);
  if (dotted) {
    // Which function means the same is a fact about the functions, kept with them (src/functions);
    // the checker puts it in the hint. Grammar only knows the name is no name here.
    return new RuleError(SPREADSHEET_FUNCTION, `'${dotted.name}' is a spreadsheet function, not a function of this language`,
      ctx.source, dotted.span, 'function names here have no dot; the functions are listed in grammar/README.md');
  }
  if (tokenMatcher(token, Comma) && before && after && tokenMatcher(before, NumberLiteral) && tokenMatcher(after, NumberLiteral)
    && adjacent(before, token) && adjacent(token, after) && /^\d+$/.test(before.image)) {
    return new RuleError('syntax', 'a comma is not a decimal separator', ctx.source, tokenSpan(token),
      `write the decimal point: ${corrected(ctx, [[token, '.']])}`);
  }
  if (before && tokenMatcher(before, Percent) && starts(token)) {
    return new RuleError('syntax', `unexpected ${describe(token, ctx)} after '%'`, ctx.source, tokenSpan(token),
      "'%' after a value means percent (10% is 0.1); for the remainder of a division use MOD(a, b)");
  }
  return undefined;
}

/** `token` follows a complete expression but cannot continue it. */
export function unexpected(token: IToken, ctx: SyntaxContext, expecting?: string): RuleError {
  const known = habit(token, ctx);
  if (known) return known;
  const hint =
    tokenMatcher(token, Arrow) ? LAMBDA_PLACE
    : tokenMatcher(token, DotDot) && ctx.what === 'formula'
      ? 'ranges like [1..4] are only allowed in decision-table conditions'
    : expecting ? `expected ${expecting}`
    : isOneOf(token, CLOSERS) ? 'nothing was opened for it to close'
    : ctx.what === 'condition' ? CONDITION_FORMS
    : isOneOf(token, OPERAND_STARTS) ? 'is an operator missing before it?'
    : undefined;
  return error(token, ctx, `unexpected ${describe(token, ctx)}`, hint);
}

export function expectedExpression(token: IToken, ctx: SyntaxContext): RuleError {
  const before = previous(token, ctx);
  const message = before
    ? `expected an expression after '${before.image}'`
    : `expected an expression, found ${describe(token, ctx)}`;
  const hint =
    before && tokenMatcher(token, Not)
      ? `'${token.image}' binds more loosely than '${before.image}'; put it in parentheses: (${token.image} …)`
    : tokenMatcher(token, Dot) ? 'a number needs a digit before its point, like 0.5'
    : undefined;
  return error(token, ctx, message, hint);
}

/** `found` stands where the closer of `opener` belongs. */
export function missingCloser(
  closer: string, opener: IToken, found: IToken, ctx: SyntaxContext, item?: ListItem,
): RuleError {
  const closing = `'${closer}' to close '${opener.image}' at ${place(opener, found, ctx)}`;
  if (found.tokenType === EOF || isOneOf(found, CLOSERS)) return error(found, ctx, `missing ${closing}`);
  const before = previous(found, ctx);
  if (item && before && (before === opener || tokenMatcher(before, Comma))) {
    return item === 'field' ? expectedFieldName(found, ctx) : expectedExpression(found, ctx);
  }
  return unexpected(found, ctx, closing);
}

export function expectedName(after: IToken, found: IToken, ctx: SyntaxContext): RuleError {
  return error(found, ctx, `expected a name after '${after.image}'`);
}

export function expectedInAfterNot(not: IToken, found: IToken, ctx: SyntaxContext): RuleError {
  return error(found, ctx, `expected 'in' after '${not.image}'`, ctx.what === 'condition'
    ? "to exclude values, write: not in ['a', 'b']"
    : "'not' goes before what it negates: not a, x not in xs");
}

export function expectedFieldName(found: IToken, ctx: SyntaxContext): RuleError {
  return error(found, ctx, `expected a field name after '${previous(found, ctx)?.image}'`,
    "a field name is a name or a quoted text, as in {model: 'x', 'odd key': 1}");
}

export function expectedColon(key: IToken, found: IToken, ctx: SyntaxContext): RuleError {
  return error(found, ctx, `expected ':' after the field name ${describe(key, ctx)}`);
}

export function duplicateField(key: IToken, ctx: SyntaxContext): RuleError {
  return error(key, ctx, `the field ${describe(key, ctx)} appears twice in this record`);
}

export function expectedCondition(found: IToken, ctx: SyntaxContext): RuleError {
  return error(found, ctx, `expected a condition, found ${describe(found, ctx)}`, CONDITION_FORMS);
}

export function expectedRangeDots(found: IToken, ctx: SyntaxContext): RuleError {
  return error(found, ctx, `expected '..' in the range, found ${describe(found, ctx)}`,
    'a range is written [low..high]');
}

export function missingRangeEnd(opener: IToken, found: IToken, ctx: SyntaxContext): RuleError {
  return error(found, ctx, `missing ']' or ')' to close the range opened at ${place(opener, found, ctx)}`,
    "']' includes the upper end, ')' excludes it");
}

export function negatedPower(minus: IToken, power: Extract<Expr, { kind: 'binary' }>, ctx: SyntaxContext): RuleError {
  const base = ctx.text.slice(power.left.span.start, power.left.span.end);
  const whole = ctx.text.slice(power.span.start, power.span.end);
  const exponent = ctx.text.slice(power.right.span.start, power.right.span.end);
  return new RuleError('ambiguous-power', `'-' before a power is ambiguous: spreadsheets read -${whole} as (-${base})^${exponent}, mathematics as -(${whole})`,
    ctx.source, { start: minus.startOffset, end: power.span.end }, `say which: (-${base})^${exponent} or -(${whole})`);
}

export function chainedPower(caret: IToken, ctx: SyntaxContext): RuleError {
  return error(caret, ctx, 'powers cannot be chained: spreadsheets read a^b^c as (a^b)^c, mathematics as a^(b^c)',
    'say which with parentheses: (a^b)^c or a^(b^c)', 'ambiguous-power');
}

export function chainedComparison(operator: IToken, ctx: SyntaxContext): RuleError {
  return error(operator, ctx, 'comparisons cannot be chained', "write 'a < b and b < c' instead of 'a < b < c'");
}

export function emptyText(ctx: SyntaxContext): RuleError {
  return new RuleError('syntax', `the ${ctx.what} is empty`, ctx.source, { start: 0, end: ctx.text.length },
    ctx.what === 'condition' ? "use '-' to match any value" : undefined);
}

export function tooDeep(at: IToken, limit: number, ctx: SyntaxContext): RuleError {
  return error(at, ctx, `the ${ctx.what} is nested too deeply (more than ${limit} levels)`,
    'split it into named cells', 'nesting-too-deep');
}

export function tooManyDigits(literal: IToken, limit: number, ctx: SyntaxContext): RuleError {
  return error(literal, ctx, `this number has more than ${limit} digits`,
    'a price never needs this many; write a shorter number (1e6 for a million)', 'number-out-of-range');
}

export function tooLong(text: string, limit: number, source: Source, what: SyntaxContext['what']): RuleError {
  return new RuleError('formula-too-long', `the ${what} is ${text.length} characters long; the limit is ${limit}`,
    source, { start: limit, end: text.length }, 'split it into named cells');
}

/** Words chevrotain's exception (the parser stopped where no rule could go on) for a user. */
export function fromRecognitionException(e: IRecognitionException, ctx: SyntaxContext): RuleError {
  if (!(e instanceof NoViableAltException)) return unexpected(e.token, ctx);
  switch (e.context.ruleStack.at(-1)) {
    case 'field': return expectedFieldName(e.token, ctx);
    case 'unaryTest': return expectedCondition(e.token, ctx);
    default: return expectedExpression(e.token, ctx);
  }
}
