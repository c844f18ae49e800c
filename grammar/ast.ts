// The typed syntax tree of the formula language. Every node carries the span of
// source text it was parsed from (offsets into the formula text, end exclusive),
// so every later stage can point at the exact token it complains about.

export interface Span {
  start: number;
  end: number;
}

export type BinaryOp =
  | '+' | '-' | '*' | '/'
  /** Spreadsheet operators: power (a whole exponent, as POWER) and text joining (as CONCAT). */
  | '^' | '&'
  | '==' | '!=' | '<' | '<=' | '>' | '>='
  | 'and' | 'or' | 'in';

/** `%` is postfix, as in spreadsheets: `rate%` is `rate / 100`. */
export type UnaryOp = '-' | 'not' | '%';

export type Expr =
  /** `text` is the literal as written (`200_000`, `20%`); `value` its exact decimal (`200000`, `0.2`). */
  | { kind: 'number'; value: string; text: string; span: Span }
  | { kind: 'string'; value: string; span: Span }
  | { kind: 'boolean'; value: boolean; span: Span }
  | { kind: 'list'; items: Expr[]; span: Span }
  | { kind: 'record'; fields: RecordField[]; span: Span }
  | { kind: 'name'; name: string; span: Span }
  /** `object.property` — a table row's column, a record's field, an operation result's output. */
  | { kind: 'member'; object: Expr; property: string; propertySpan: Span; span: Span }
  /** `object[index]` — a table row by key, or a list element (1-based, like a spreadsheet). */
  | { kind: 'index'; object: Expr; index: Expr; span: Span }
  /** `NAME(args)`; `callee` as written, resolution (built-in function, operation) is the checker's job. */
  | { kind: 'call'; callee: string; calleeSpan: Span; args: Expr[]; span: Span }
  /** `x => body` or `(acc, x) => body`; only valid as an argument of MAP/FILTER/REDUCE-like functions. */
  | { kind: 'lambda'; params: LambdaParam[]; body: Expr; span: Span }
  | { kind: 'unary'; op: UnaryOp; operand: Expr; span: Span }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr; opSpan: Span; span: Span };

export interface RecordField {
  name: string;
  value: Expr;
  span: Span;
}

export interface LambdaParam {
  name: string;
  span: Span;
}

/**
 * A decision-table condition cell ("unary test", as in DMN/FEEL): it is applied to the
 * value of the table's input column.
 * - `-` matches anything
 * - `25`, `'pro'`, `true` match an equal value; `>= 25`, `!= 'free'` compare
 * - `in [..]` / `not in [..]` test membership in a list literal or a list-valued name
 * - `[1..4]`, `(1..4]`, `[1..4)` are ranges with inclusive `[` `]` or exclusive `(` `)` ends
 */
export type UnaryTest =
  | { kind: 'any'; span: Span }
  | { kind: 'compare'; op: '==' | '!=' | '<' | '<=' | '>' | '>='; value: Expr; span: Span }
  | { kind: 'in'; negated: boolean; list: Expr; span: Span }
  | { kind: 'range'; low: Expr; high: Expr; lowInclusive: boolean; highInclusive: boolean; span: Span };

/** Children of a node, in source order; used by walkers (free-name collection, limits). */
export function children(e: Expr): Expr[] {
  switch (e.kind) {
    case 'number': case 'string': case 'boolean': case 'name': return [];
    case 'list': return e.items;
    case 'record': return e.fields.map((f) => f.value);
    case 'member': return [e.object];
    case 'index': return [e.object, e.index];
    case 'call': return e.args;
    case 'lambda': return [e.body];
    case 'unary': return [e.operand];
    case 'binary': return [e.left, e.right];
  }
}

export function unaryTestChildren(t: UnaryTest): Expr[] {
  switch (t.kind) {
    case 'any': return [];
    case 'compare': return [t.value];
    case 'in': return [t.list];
    case 'range': return [t.low, t.high];
  }
}
