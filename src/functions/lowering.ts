// How a builtin is compiled, declared with the builtin itself (builtins.ts): besides its
// interpreter implementation (`call`), a builtin gives a `lower` — its meaning written once in
// the few operations every compiler provides (+ − × ÷, rounding, comparing, choosing, failing,
// lists) on that compiler's own values: a JavaScript expression for the fast path, a JSON
// Logic rule for the export. A compiler that can't do an operation exactly refuses it, with
// the reason; a builtin that a compiler doesn't compile at all says so, and why, in `notLowered`.
//
// This file only declares the interface; the compilers (src/compile) implement it, so the
// layering stays one way: compile depends on functions, never the reverse.
import type { Expr } from '../../grammar/ast.ts';
import type { Decimal } from '../decimal.ts';

export type Comparison = '==' | '!=' | '<' | '<=' | '>' | '>=';
/** toward +∞, toward −∞, half away from zero, toward zero, away from zero */
export type RoundingMode = 'ceil' | 'floor' | 'round' | 'trunc' | 'up';
/** The compilers other than the interpreter. */
export type CompilerName = 'fast' | 'jsonLogic';

/**
 * What a compiler gives a builtin's `lower`: the call's arguments, compiled on demand, and the
 * operations it implements on its values V. Every operation keeps the interpreter's exact
 * result or throws (refuses) — then the compiler leaves the formula to the interpreter (the
 * fast path) or names it in not_exported (JSON Logic), with the message.
 */
export interface Lowering<V> {
  /** The call as written, for messages. */
  readonly text: string;
  readonly args: readonly Expr[];
  /** Argument i, compiled. */
  arg(i: number): V;
  /** Argument i's value when it is a number known at compile time (a literal, `-2`, a shared constant); else null. */
  constant(i: number): Decimal | null;
  /** A number known at compile time. */
  number(value: Decimal): V;
  add(a: V, b: V): V;
  subtract(a: V, b: V): V;
  multiply(a: V, b: V): V;
  divide(a: V, b: V): V;
  negate(a: V): V;
  abs(a: V): V;
  /** x rounded to `digits` decimals (negative: to tens, hundreds…) in `mode`. */
  round(x: V, digits: number, mode: RoundingMode): V;
  compare(a: V, op: Comparison, b: V): V;
  /** Equality of numbers, text or booleans, as the interpreter's (exact) equality. */
  equals(a: V, b: V): V;
  all(conditions: V[]): V;
  any(conditions: V[]): V;
  not(condition: V): V;
  /** The value of the first case whose condition is true, else `otherwise`; only the value chosen is evaluated. */
  firstOf(cases: [condition: V, value: () => V][], otherwise: () => V): V;
  /** The smallest or largest of numbers. */
  extreme(kind: 'MIN' | 'MAX', xs: V[]): V;
  /** Where the interpreter raises an evaluation error with this message. */
  fail(message: string): V;
  /** The numbers of a call like MIN(a, b, …) or MIN(list): its arguments, or the items of its one list argument. */
  numbers(): V[];
  sum(list: V): V;
  count(list: V): V;
  /** MAP, FILTER, ANY, ALL over a list, with the lambda argument as written. */
  lambda(kind: 'MAP' | 'FILTER' | 'ANY' | 'ALL', list: V, lambda: Expr): V;
  /** Whether a table (argument `table`) has a row with the key. */
  has(table: number, key: V): V;
  /** A table's keys (argument `table`), in row order. */
  keys(table: number): V;
  /** Text values joined. */
  concat(parts: V[]): V;
  /** Gives up: this compiler can't compile the call exactly; the reason says why. */
  refuse(reason: string): never;
}

/** A builtin's meaning in the compilers' operations: one function for every compiler. */
export type Lower = <V>(l: Lowering<V>) => V;
