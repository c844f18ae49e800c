// The canonical printer: parseFormula(formatExpr(e)) equals e apart from spans. It writes
// only the parentheses precedence requires, strings single-quoted, numbers as written.

import type { BinaryOp, Expr, UnaryTest } from './ast.ts';
import { quoteString } from './literals.ts';

/** Binding strength, loosest first; mirrors the rule layering in parser.ts. */
const enum Precedence { Lambda, Or, And, Not, Comparison, Concat, Sum, Product, Sign, Power, Percent, Postfix, Atom }

const BINARY: Record<BinaryOp, Precedence> = {
  or: Precedence.Or, and: Precedence.And,
  '==': Precedence.Comparison, '!=': Precedence.Comparison, '<': Precedence.Comparison, '<=': Precedence.Comparison,
  '>': Precedence.Comparison, '>=': Precedence.Comparison, in: Precedence.Comparison,
  '&': Precedence.Concat, '+': Precedence.Sum, '-': Precedence.Sum, '*': Precedence.Product, '/': Precedence.Product,
  '^': Precedence.Power,
};

/** Operators that don't chain, so neither side may be one of the same level unbracketed. */
const NON_CHAINING = new Set<Precedence>([Precedence.Comparison, Precedence.Power]);

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const KEYWORD = /^(and|or|not|in|true|false)$/i;

export function formatExpr(e: Expr): string {
  return format(e, Precedence.Lambda);
}

export function formatUnaryTest(t: UnaryTest): string {
  switch (t.kind) {
    case 'any': return '-';
    case 'compare': return t.op === '==' ? operand(t.value) : `${t.op} ${operand(t.value)}`;
    case 'in': return `${t.negated ? 'not in' : 'in'} ${operand(t.list)}`;
    case 'range':
      return `${t.lowInclusive ? '[' : '('}${operand(t.low)}..${operand(t.high)}${t.highInclusive ? ']' : ')'}`;
  }
}

/** Unary-test values are parsed at the level of `+` and `-`. */
function operand(e: Expr): string {
  return format(e, Precedence.Sum);
}

/** `e`, parenthesised if it binds more loosely than its context requires. */
function format(e: Expr, context: Precedence): string {
  const text = formatBare(e);
  return precedence(e) < context ? `(${text})` : text;
}

function precedence(e: Expr): Precedence {
  switch (e.kind) {
    case 'binary': return BINARY[e.op];
    case 'unary':
      return e.op === '-' ? Precedence.Sign : e.op === '%' ? Precedence.Percent
        : negatedIn(e) ? Precedence.Comparison : Precedence.Not;
    case 'lambda': return Precedence.Lambda;
    case 'member': case 'index': return Precedence.Postfix;
    default: return Precedence.Atom;
  }
}

/** The test of `not (x in xs)`, which is printed the way it is usually written: `x not in xs`. */
function negatedIn(e: Expr): { left: Expr; right: Expr } | undefined {
  return e.kind === 'unary' && e.op === 'not' && e.operand.kind === 'binary' && e.operand.op === 'in'
    ? e.operand
    : undefined;
}

function formatBare(e: Expr): string {
  switch (e.kind) {
    case 'number': return e.text;
    case 'string': return quoteString(e.value);
    case 'boolean': return String(e.value);
    case 'name': return e.name;
    case 'list': return `[${e.items.map(formatExpr).join(', ')}]`;
    case 'record': return `{${e.fields.map((f) => `${fieldName(f.name)}: ${formatExpr(f.value)}`).join(', ')}}`;
    case 'member': return `${format(e.object, Precedence.Postfix)}.${e.property}`;
    case 'index': return `${format(e.object, Precedence.Postfix)}[${formatExpr(e.index)}]`;
    case 'call': return `${e.callee}(${e.args.map(formatExpr).join(', ')})`;
    case 'lambda': {
      const params = e.params.map((p) => p.name).join(', ');
      return `${e.params.length === 1 ? params : `(${params})`} => ${formatExpr(e.body)}`;
    }
    case 'unary': {
      const test = negatedIn(e);
      if (test) return `${format(test.left, Precedence.Sum)} not in ${format(test.right, Precedence.Sum)}`;
      switch (e.op) {
        // `-2^2` is refused as ambiguous, so a negated power keeps its brackets.
        case '-': return `-${isPower(e.operand) ? `(${formatExpr(e.operand)})` : format(e.operand, Precedence.Sign)}`;
        // `10%` would read back as the literal 0.1 rather than 10 divided by 100.
        case '%': return `${format(e.operand, Precedence.Percent)}${e.operand.kind === 'number' ? ' ' : ''}%`;
        case 'not': return `not ${format(e.operand, Precedence.Not)}`;
      }
    }
    case 'binary': {
      const level = BINARY[e.op];
      // Comparisons and powers don't chain, so neither side may be one; elsewhere only the
      // right side needs parentheses at equal precedence, as the operators group to the left.
      const leftContext = NON_CHAINING.has(level) ? level + 1 : level;
      return `${format(e.left, leftContext)} ${e.op} ${format(e.right, level + 1)}`;
    }
  }
}

function isPower(e: Expr): boolean {
  return e.kind === 'binary' && e.op === '^';
}

function fieldName(name: string): string {
  return IDENTIFIER.test(name) && !KEYWORD.test(name) ? name : quoteString(name);
}
