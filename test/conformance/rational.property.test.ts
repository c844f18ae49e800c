// Random formulas of + - * /, CEIL, FLOOR and ROUND over random rationals, each evaluated by
// the engine and by an exact fraction reference written here with BigInt (independent of
// src/rational.ts): they must agree on every case, exactly, errors included.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { RuleError } from '../../grammar/diagnostic.ts';
import { evaluateFormula } from '../../src/engine/formula.ts';
import { Rational } from '../../src/rational.ts';
import { toJsonText } from '../../src/value.ts';

/** n / d in lowest terms, d > 0. */
interface Fraction { n: bigint; d: bigint }

const abs = (x: bigint): bigint => (x < 0n ? -x : x);
const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? abs(a) : gcd(b, a % b));

function fraction(n: bigint, d: bigint): Fraction {
  if (d < 0n) [n, d] = [-n, -d];
  const g = gcd(n, d) || 1n;
  return { n: n / g, d: d / g };
}

class DivisionByZero extends Error {}

/** ⌊n / d⌋ for d > 0. */
function floorDiv(n: bigint, d: bigint): bigint {
  const q = n / d;
  return n % d !== 0n && n < 0n ? q - 1n : q;
}

const ref = {
  add: (a: Fraction, b: Fraction) => fraction(a.n * b.d + b.n * a.d, a.d * b.d),
  sub: (a: Fraction, b: Fraction) => fraction(a.n * b.d - b.n * a.d, a.d * b.d),
  mul: (a: Fraction, b: Fraction) => fraction(a.n * b.n, a.d * b.d),
  div: (a: Fraction, b: Fraction) => {
    if (b.n === 0n) throw new DivisionByZero();
    return fraction(a.n * b.d, a.d * b.n);
  },
  /** x rounded to `digits` decimals (negative: tens, hundreds…) by a rule on ⌊·⌋ of the scaled value. */
  round(x: Fraction, digits: number, mode: 'ceil' | 'floor' | 'half-away'): Fraction {
    const [up, down] = digits >= 0 ? [10n ** BigInt(digits), 1n] : [1n, 10n ** BigInt(-digits)];
    const n = x.n * up;
    const d = x.d * down;
    let q: bigint;
    if (mode === 'floor') q = floorDiv(n, d);
    else if (mode === 'ceil') q = -floorDiv(-n, d);
    else q = n < 0n ? -floorDiv(-2n * n + d, 2n * d) : floorDiv(2n * n + d, 2n * d);
    return fraction(q * down, up);
  },
};

type Node =
  | { kind: 'leaf'; text: string; value: Fraction }
  | { kind: 'op'; op: '+' | '-' | '*' | '/'; left: Node; right: Node }
  | { kind: 'round'; fn: 'CEIL' | 'FLOOR' | 'ROUND'; arg: Node; digits?: number };

function significance(digits: number): string {
  if (digits < 0) return `1${'0'.repeat(-digits)}`;
  return digits === 0 ? '1' : `0.${'0'.repeat(digits - 1)}1`;
}

function text(e: Node): string {
  switch (e.kind) {
    case 'leaf': return e.text;
    case 'op': return `(${text(e.left)} ${e.op} ${text(e.right)})`;
    // ROUND takes decimals; CEIL and FLOOR a significance, as in spreadsheets: 2 decimals is 0.01, -2 is 100.
    case 'round': return `${e.fn}(${text(e.arg)}${e.digits === undefined ? '' : `, ${e.fn === 'ROUND' ? e.digits : significance(e.digits)}`})`;
  }
}

function evaluate(e: Node): Fraction {
  switch (e.kind) {
    case 'leaf': return e.value;
    case 'op': {
      const [a, b] = [evaluate(e.left), evaluate(e.right)];
      return e.op === '+' ? ref.add(a, b) : e.op === '-' ? ref.sub(a, b) : e.op === '*' ? ref.mul(a, b) : ref.div(a, b);
    }
    case 'round': return ref.round(evaluate(e.arg), e.digits ?? 0, e.fn === 'CEIL' ? 'ceil' : e.fn === 'FLOOR' ? 'floor' : 'half-away');
  }
}

/** Leaves: whole numbers, decimals (`-12.375`) and quotients of small integers (`(7 / 3)`). */
const leaf: fc.Arbitrary<Node> = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }).map((k): Node => ({ kind: 'leaf', text: k < 0 ? `(${k})` : String(k), value: fraction(BigInt(k), 1n) })),
  fc.tuple(fc.integer({ min: -99_999, max: 99_999 }), fc.integer({ min: 1, max: 4 })).map(([m, scale]): Node => {
    const digits = String(Math.abs(m)).padStart(scale + 1, '0');
    const decimal = `${m < 0 ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
    return { kind: 'leaf', text: m < 0 ? `(${decimal})` : decimal, value: fraction(BigInt(m), 10n ** BigInt(scale)) };
  }),
  fc.tuple(fc.integer({ min: -200, max: 200 }), fc.integer({ min: 1, max: 97 })).map(([p, q]): Node => ({ kind: 'leaf', text: `(${p} / ${q})`, value: fraction(BigInt(p), BigInt(q)) })),
);

const formula = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.tuple(fc.constantFrom('+', '-', '*', '/'), tie('node'), tie('node')).map(([op, left, right]): Node => ({ kind: 'op', op: op as '+', left, right })),
    fc.tuple(fc.constantFrom('CEIL', 'FLOOR', 'ROUND'), tie('node'), fc.option(fc.integer({ min: -2, max: 4 }), { nil: undefined }))
      .map(([fn, arg, digits]): Node => ({ kind: 'round', fn: fn as 'CEIL', arg, digits })),
  ),
})).node;

type Outcome = { fraction: string } | { error: string };

function engineOutcome(source: string): Outcome {
  try {
    const v = evaluateFormula(source);
    if (!(v instanceof Rational)) return { error: `not a number: ${toJsonText(v)}` };
    const f = fraction(v.n, v.d);
    return { fraction: `${f.n}/${f.d}` };
  } catch (e) {
    if (e instanceof RuleError) return { error: e.code };
    throw e;
  }
}

function referenceOutcome(e: Node): Outcome {
  try {
    const f = evaluate(e);
    return { fraction: `${f.n}/${f.d}` };
  } catch (err) {
    if (err instanceof DivisionByZero) return { error: 'division-by-zero' };
    throw err;
  }
}

describe('formulas over rationals agree with an exact BigInt fraction reference', () => {
  test('random formulas of + - * /, CEIL, FLOOR and ROUND', () => {
    fc.assert(fc.property(formula, (e) => {
      const source = text(e);
      expect({ formula: source, ...engineOutcome(source) }).toEqual({ formula: source, ...referenceOutcome(e) });
    }), { numRuns: 1000 });
  });

  test('x / y * y is x and CEIL(x / y * y) is CEIL(x), for every x and non-zero y', () => {
    fc.assert(fc.property(leaf, leaf.filter((y) => y.kind === 'leaf' && y.value.n !== 0n), (x, y) => {
      const source = `CEIL(${text(x)} / ${text(y)} * ${text(y)}) == CEIL(${text(x)}) and ${text(x)} / ${text(y)} * ${text(y)} == ${text(x)}`;
      expect({ source, value: toJsonText(evaluateFormula(source)) }).toEqual({ source, value: 'true' });
    }), { numRuns: 500 });
  });

  test('the reference itself rounds as the language says (so a shared mistake cannot pass)', () => {
    const f = (n: bigint, d: bigint) => fraction(n, d);
    expect(ref.round(f(5n, 2n), 0, 'half-away')).toEqual(f(3n, 1n));
    expect(ref.round(f(-5n, 2n), 0, 'half-away')).toEqual(f(-3n, 1n));
    expect(ref.round(f(-5n, 2n), 0, 'ceil')).toEqual(f(-2n, 1n));
    expect(ref.round(f(-5n, 2n), 0, 'floor')).toEqual(f(-3n, 1n));
    expect(ref.round(f(1234n, 1n), -2, 'ceil')).toEqual(f(1300n, 1n));
    expect(ref.round(f(2n, 3n), 2, 'half-away')).toEqual(f(67n, 100n));
  });
});
