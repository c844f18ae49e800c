// Every syntax error's wording, in one place. Chevrotain's own messages never reach a user:
// the parser either throws one of these directly or parse.ts translates chevrotain's
// exception with `fromRecognitionException`.

import { EOF, NotAllInputParsedException, tokenMatcher, type IRecognitionException, type IToken, type TokenType } from 'chevrotain';
import type { Span } from './ast.ts';
import { positionOf, RuleError, type Source } from './diagnostic.ts';
import { invalidEscapeOffset } from './literals.ts';
import {
  Ampersands, Arrow, BadEscapeString, Bang, DotDot, False, Identifier, LBrace, LBracket,
  LessGreater, LParen, Not, NumberLiteral, Percent, Pipes, RBrace, RBracket, RParen, SingleEquals, StringLiteral, True,
  UnknownCharacter, UnterminatedString,
} from './lexer.ts';

/** What is being parsed, as the user knows it. */
export interface SyntaxContext {
  text: string;
  source: Source;
  tokens: IToken[];
  what: 'formula' | 'condition';
}

const CONDITION_FORMS = "a condition is one test: -, 25, 'pro', >= 25, != 'free', in [1, 2], not in [1, 2] or [1..4]";

export function tokenSpan(token: IToken, ctx: SyntaxContext): Span {
  return token.tokenType === EOF
    ? { start: ctx.text.length, end: ctx.text.length }
    : { start: token.startOffset, end: token.startOffset + token.image.length };
}

function error(token: IToken, ctx: SyntaxContext, message: string, hint?: string, code = 'syntax'): RuleError {
  return new RuleError(code, message, ctx.source, tokenSpan(token, ctx), hint);
}

function describe(token: IToken, ctx: SyntaxContext): string {
  if (token.tokenType === EOF) return `the end of the ${ctx.what}`;
  return token.tokenType === StringLiteral ? token.image : `'${token.image}'`;
}

/** "column 5", or "line 2, column 5" when the error is reported on another line. */
function place(token: IToken, from: IToken, ctx: SyntaxContext): string {
  const at = positionOf(ctx.source, token.startOffset);
  const here = positionOf(ctx.source, tokenSpan(from, ctx).start);
  return at.line === here.line ? `column ${at.col}` : `line ${at.line}, column ${at.col}`;
}

function previous(token: IToken, ctx: SyntaxContext): IToken | undefined {
  const index = token.tokenType === EOF ? ctx.tokens.length : ctx.tokens.indexOf(token);
  return ctx.tokens[index - 1];
}

const mistakes = new Map<TokenType, (token: IToken, ctx: SyntaxContext) => RuleError>([
  [SingleEquals, (t, ctx) => error(t, ctx, "'=' is not a comparison", "use '==' to compare", 'single-equals')],
  [LessGreater, (t, ctx) => error(t, ctx, "'<>' is not an operator", "use '!=' for 'not equal'")],
  [Ampersands, (t, ctx) => error(t, ctx, `'${t.image}' is not an operator`, "use 'and'")],
  [Pipes, (t, ctx) => error(t, ctx, `'${t.image}' is not an operator`, "use 'or'")],
  [Bang, (t, ctx) => error(t, ctx, "'!' is not an operator", "use 'not'")],
  [Percent, (t, ctx) => error(t, ctx, "unexpected '%'", 'there is no % operator; use MOD(a, b)')],
  [UnterminatedString, (t, ctx) => {
    const quote = t.image[0];
    return new RuleError('syntax', 'unterminated string', ctx.source, { start: t.startOffset, end: t.startOffset + 1 },
      `end it with ${quote === "'" ? `"'"` : `'"'`}`);
  }],
  [BadEscapeString, (t, ctx) => {
    const start = t.startOffset + invalidEscapeOffset(t.image);
    const escape = String.fromCodePoint(ctx.text.codePointAt(start + 1)!);
    return new RuleError('syntax', `unknown escape '\\${escape}' in a string`, ctx.source,
      { start, end: start + 1 + escape.length }, "the escapes are \\' \\\" \\\\ \\n \\t");
  }],
  [UnknownCharacter, (t, ctx) => {
    const character = String.fromCodePoint(ctx.text.codePointAt(t.startOffset)!);
    const hint = /[‘’“”]/.test(character) ? `use straight quotes ' or "`
      : /\p{L}/u.test(character) ? 'names use only the letters A-Z, digits and _'
      : undefined;
    return new RuleError('syntax', `unexpected character '${character}'`, ctx.source,
      { start: t.startOffset, end: t.startOffset + character.length }, hint);
  }],
]);

/** The error for `token` if it is a mistake the lexer recognised (`=`, `&&`, …); mistakes win over context. */
function mistake(token: IToken, ctx: SyntaxContext): RuleError | undefined {
  return mistakes.get(token.tokenType)?.(token, ctx);
}

const OPERAND_STARTS = [Identifier, NumberLiteral, StringLiteral, True, False, LParen, LBracket, LBrace];

/** `token` follows a complete expression but cannot continue it. */
export function unexpected(token: IToken, ctx: SyntaxContext, expecting?: string): RuleError {
  const hint =
    tokenMatcher(token, Arrow) ? 'a lambda (x => …) is only allowed as a function argument, as in MAP(list, x => x * 2)'
    : tokenMatcher(token, DotDot) && ctx.what === 'formula' ? 'ranges like [1..4] are only allowed in decision-table conditions'
    : expecting ? `expected ${expecting}`
    : [RParen, RBracket, RBrace].some((t) => tokenMatcher(token, t)) ? 'nothing was opened for it to close'
    : ctx.what === 'condition' ? CONDITION_FORMS
    : OPERAND_STARTS.some((t) => tokenMatcher(token, t)) ? 'is an operator missing before it?'
    : undefined;
  return mistake(token, ctx) ?? error(token, ctx, `unexpected ${describe(token, ctx)}`, hint);
}

export function expectedExpression(token: IToken, ctx: SyntaxContext): RuleError {
  const before = previous(token, ctx);
  const message = before ? `expected an expression after '${before.image}'` : `expected an expression, found ${describe(token, ctx)}`;
  const hint = before && tokenMatcher(token, Not)
    ? `'${token.image}' binds more loosely than '${before.image}'; put it in parentheses: (${token.image} …)`
    : undefined;
  return mistake(token, ctx) ?? error(token, ctx, message, hint);
}

export function missingCloser(closer: string, opener: IToken, found: IToken, ctx: SyntaxContext): RuleError {
  const closing = `'${closer}' to close '${opener.image}' at ${place(opener, found, ctx)}`;
  const atEndOrOtherCloser = found.tokenType === EOF || [RParen, RBracket, RBrace].some((t) => tokenMatcher(found, t));
  return atEndOrOtherCloser ? mistake(found, ctx) ?? error(found, ctx, `missing ${closing}`) : unexpected(found, ctx, closing);
}

export function expectedName(after: IToken, found: IToken, ctx: SyntaxContext): RuleError {
  return mistake(found, ctx) ?? error(found, ctx, `expected a name after '${after.image}'`);
}

export function expectedFieldName(found: IToken, ctx: SyntaxContext): RuleError {
  const before = previous(found, ctx);
  return mistake(found, ctx) ?? error(found, ctx, `expected a field name after '${before?.image}'`,
    "a field name is a name or a quoted text, as in {model: 'x', 'odd key': 1}");
}

export function expectedColon(key: IToken, found: IToken, ctx: SyntaxContext): RuleError {
  return mistake(found, ctx) ?? error(found, ctx, `expected ':' after the field name ${describe(key, ctx)}`);
}

export function duplicateField(key: IToken, ctx: SyntaxContext): RuleError {
  return error(key, ctx, `the field ${describe(key, ctx)} appears twice in this record`);
}

export function expectedCondition(found: IToken, ctx: SyntaxContext): RuleError {
  return mistake(found, ctx) ?? error(found, ctx, `expected a condition, found ${describe(found, ctx)}`, CONDITION_FORMS);
}

export function expectedRangeDots(found: IToken, ctx: SyntaxContext): RuleError {
  return mistake(found, ctx) ?? error(found, ctx, `expected '..' in the range, found ${describe(found, ctx)}`,
    'a range is written [low..high]');
}

export function missingRangeEnd(opener: IToken, found: IToken, ctx: SyntaxContext): RuleError {
  return mistake(found, ctx) ?? error(found, ctx, `missing ']' or ')' to close the range opened at ${place(opener, found, ctx)}`,
    "']' includes the upper end, ')' excludes it");
}

export function chainedComparison(operator: IToken, ctx: SyntaxContext): RuleError {
  return error(operator, ctx, 'comparisons cannot be chained', "write 'a < b and b < c' instead of 'a < b < c'");
}

export function emptyText(ctx: SyntaxContext): RuleError {
  return new RuleError('syntax', `the ${ctx.what} is empty`, ctx.source, { start: 0, end: ctx.text.length },
    ctx.what === 'condition' ? "use '-' to match any value" : undefined);
}

export function tooDeep(opener: IToken, limit: number, ctx: SyntaxContext): RuleError {
  return error(opener, ctx, `the ${ctx.what} is nested too deeply (more than ${limit} levels)`,
    'split it into named cells', 'nesting-too-deep');
}

export function tooLong(text: string, limit: number, source: Source, what: SyntaxContext['what']): RuleError {
  return new RuleError('formula-too-long', `the ${what} is ${text.length} characters long; the limit is ${limit}`,
    source, { start: limit, end: text.length }, 'split it into named cells');
}

/** Words chevrotain's exception (the parser stopped where no rule could go on) for a user. */
export function fromRecognitionException(e: IRecognitionException, ctx: SyntaxContext): RuleError {
  if (e instanceof NotAllInputParsedException) return unexpected(e.token, ctx);
  switch (e.context.ruleStack.at(-1)) {
    case 'field': return expectedFieldName(e.token, ctx);
    case 'unaryTest': return expectedCondition(e.token, ctx);
    default: return expectedExpression(e.token, ctx);
  }
}
