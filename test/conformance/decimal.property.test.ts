// Exact arithmetic, checked against a reference written here with BigInt scaled integers
// (a decimal is n / 10^scale), independent of src/rational.ts which the engine uses.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { evaluateFormula } from '../../src/engine/formula.ts';
import { toJsonText } from '../../src/value.ts';

interface Dec {
  n: bigint; // the value times 10^scale
  scale: number;
}

const pow10 = (k: number): bigint => 10n ** BigInt(k);
const abs = (x: bigint): bigint => (x < 0n ? -x : x);

function parse(text: string): Dec {
  const negative = text.startsWith('-');
  const [whole, fraction = ''] = text.replace(/^-/, '').split('.');
  const n = BigInt(whole! + fraction);
  return { n: negative ? -n : n, scale: fraction.length };
}

/** Plain decimal text without trailing zeros, as the engine prints numbers. */
function show(d: Dec): string {
  const digits = abs(d.n).toString().padStart(d.scale + 1, '0');
  const whole = digits.slice(0, digits.length - d.scale);
  const fraction = digits.slice(digits.length - d.scale).replace(/0+$/, '');
  const text = fraction ? `${whole}.${fraction}` : whole;
  return d.n < 0n && text !== '0' ? `-${text}` : text;
}

function align(a: Dec, b: Dec): [bigint, bigint, number] {
  const scale = Math.max(a.scale, b.scale);
  return [a.n * pow10(scale - a.scale), b.n * pow10(scale - b.scale), scale];
}

const ref = {
  add: (a: Dec, b: Dec): Dec => { const [x, y, scale] = align(a, b); return { n: x + y, scale }; },
  sub: (a: Dec, b: Dec): Dec => { const [x, y, scale] = align(a, b); return { n: x - y, scale }; },
  mul: (a: Dec, b: Dec): Dec => ({ n: a.n * b.n, scale: a.scale + b.scale }),
  cmp: (a: Dec, b: Dec): number => { const [x, y] = align(a, b); return x < y ? -1 : x > y ? 1 : 0; },
  /** ROUND(a, digits): half away from zero; negative digits round to tens, hundreds, … */
  round(a: Dec, digits: number): Dec {
    const drop = a.scale - digits;
    if (drop <= 0) return a;
    const unit = pow10(drop);
    let q = abs(a.n) / unit;
    if (2n * (abs(a.n) % unit) >= unit) q += 1n;
    const signed = a.n < 0n ? -q : q;
    return digits >= 0 ? { n: signed, scale: digits } : { n: signed * pow10(-digits), scale: 0 };
  },
  /**
   * a / b as the engine shows it: exactly when it terminates; otherwise, as a JSON string,
   * its first 20 significant digits (the whole part at least), cut, then `…`.
   */
  showQuotient(a: Dec, b: Dec): string {
    const negative = (a.n < 0n) !== (b.n < 0n);
    const num = abs(a.n) * pow10(b.scale);
    const den = abs(b.n) * pow10(a.scale);
    if (num === 0n) return '0';
    let rest = den;
    while (rest % 2n === 0n) rest /= 2n;
    while (rest % 5n === 0n) rest /= 5n;
    const sign = negative ? -1n : 1n;
    if (num % rest === 0n) {
      // den / rest = 2^i·5^j divides 10^k once k ≥ i, j: k = den's bit length will do
      const k = den.toString(2).length;
      return show({ n: (sign * num * pow10(k)) / den, scale: k });
    }
    let places = 0;
    while (num * pow10(places) < den * pow10(19)) places++; // 20 digits before the cut
    const cut = (num * pow10(places)) / den;
    const digits = cut.toString().padStart(places + 1, '0');
    const text = places ? `${digits.slice(0, -places)}.${digits.slice(-places)}` : digits;
    return JSON.stringify(`${negative ? '-' : ''}${text}…`);
  },
};

/** Decimal text: up to 20 integer digits, up to 10 decimals (trailing zeros kept as written), a sign. */
const decimalText = (maxWholeDigits = 20, maxScale = 10) =>
  fc.tuple(
    fc.boolean(),
    fc.oneof(fc.bigInt({ min: 0n, max: 999n }), fc.bigInt({ min: 0n, max: pow10(maxWholeDigits) - 1n })),
    fc.integer({ min: 0, max: maxScale }),
    fc.bigInt({ min: 0n, max: pow10(maxScale) - 1n }),
  ).map(([negative, whole, scale, fraction]) => {
    const frac = scale ? `.${(fraction % pow10(scale)).toString().padStart(scale, '0')}` : '';
    return `${negative ? '-' : ''}${whole}${frac}`;
  });

/** A pair of operands, sometimes the same value written differently (1.5 and 1.50). */
const operands = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(decimalText(), decimalText()) },
  { weight: 1, arbitrary: decimalText().map((a) => [a, a.includes('.') ? `${a}0` : `${a}.000`] as [string, string]) },
);

/** Operands a JSON number carries exactly: at most 15 significant digits. */
const jsonSafe = decimalText(9, 6);

const evaluate = (formula: string, input?: Record<string, unknown>): string => toJsonText(evaluateFormula(formula, input));
const runs = { numRuns: 300 };

describe('exact arithmetic agrees with a BigInt reference', () => {
  test('a + b, a - b and a * b written in the formula are exact', () => {
    fc.assert(fc.property(operands, ([a, b]) => {
      const [x, y] = [parse(a), parse(b)];
      expect({ formula: `(${a}) + (${b})`, value: evaluate(`(${a}) + (${b})`) }).toEqual({ formula: `(${a}) + (${b})`, value: show(ref.add(x, y)) });
      expect({ formula: `(${a}) - (${b})`, value: evaluate(`(${a}) - (${b})`) }).toEqual({ formula: `(${a}) - (${b})`, value: show(ref.sub(x, y)) });
      expect({ formula: `(${a}) * (${b})`, value: evaluate(`(${a}) * (${b})`) }).toEqual({ formula: `(${a}) * (${b})`, value: show(ref.mul(x, y)) });
    }), runs);
  });

  test('a + b, a - b and a * b of JSON number inputs are exact', () => {
    fc.assert(fc.property(jsonSafe, jsonSafe, (a, b) => {
      const input = { a: Number(a), b: Number(b) };
      const [x, y] = [parse(a), parse(b)];
      expect({ input: [a, b], sum: evaluate('a + b', input), difference: evaluate('a - b', input), product: evaluate('a * b', input) })
        .toEqual({ input: [a, b], sum: show(ref.add(x, y)), difference: show(ref.sub(x, y)), product: show(ref.mul(x, y)) });
    }), runs);
  });

  test('comparisons of two decimals agree with the reference', () => {
    fc.assert(fc.property(operands, ([a, b]) => {
      const c = ref.cmp(parse(a), parse(b));
      const want = { '<': c < 0, '<=': c <= 0, '>': c > 0, '>=': c >= 0, '==': c === 0, '!=': c !== 0 };
      const got = Object.fromEntries(Object.keys(want).map((op) => [op, evaluate(`(${a}) ${op} (${b})`) === 'true']));
      expect({ a, b, ...got }).toEqual({ a, b, ...want });
    }), runs);
  });

  test('comparisons of JSON number inputs agree with the reference', () => {
    fc.assert(fc.property(jsonSafe, jsonSafe, (a, b) => {
      const c = ref.cmp(parse(a), parse(b));
      const input = { a: Number(a), b: Number(b) };
      expect({ a, b, less: evaluate('a < b', input), equal: evaluate('a == b', input) })
        .toEqual({ a, b, less: String(c < 0), equal: String(c === 0) });
    }), runs);
  });

  test('ROUND(a, digits) rounds half away from zero exactly', () => {
    fc.assert(fc.property(decimalText(), fc.integer({ min: -5, max: 10 }), (a, digits) => {
      const formula = `ROUND(${a}, ${digits})`;
      expect({ formula, value: evaluate(formula) }).toEqual({ formula, value: show(ref.round(parse(a), digits)) });
    }), runs);
  });

  test('ROUND(a, digits) of a JSON number input rounds half away from zero exactly', () => {
    fc.assert(fc.property(jsonSafe, fc.integer({ min: 0, max: 6 }), (a, digits) => {
      expect({ a, digits, value: evaluate('ROUND(a, d)', { a: Number(a), d: digits }) })
        .toEqual({ a, digits, value: show(ref.round(parse(a), digits)) });
    }), runs);
  });
});

describe('division', () => {
  const nonZero = decimalText().filter((t) => parse(t).n !== 0n);

  test('a / b * b is exactly a', () => {
    fc.assert(fc.property(decimalText(), nonZero, (a, b) => {
      const formula = `(${a}) / (${b}) * (${b})`;
      expect({ formula, value: evaluate(formula) }).toEqual({ formula, value: show(parse(a)) });
    }), runs);
  });

  test('a / b is shown exactly when it terminates, else as its first 20 digits and …', () => {
    fc.assert(fc.property(decimalText(), nonZero, (a, b) => {
      const formula = `(${a}) / (${b})`;
      expect({ formula, value: evaluate(formula) }).toEqual({ formula, value: ref.showQuotient(parse(a), parse(b)) });
    }), runs);
  });

  test('a quotient that terminates is exact: (a × b) / b == a, and a / (2^i × 5^j) has every digit', () => {
    const powers = fc.tuple(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 6 }), fc.boolean());
    fc.assert(fc.property(decimalText(12, 4), fc.integer({ min: 1, max: 9 }), powers, (a, small, [i, j, negative]) => {
      const sign = negative ? -1n : 1n;
      const b = show({ n: sign * BigInt(small) * 2n ** BigInt(i) * 5n ** BigInt(j), scale: 0 });
      // (a × b) / b is a again, exactly
      const back = `(${show(ref.mul(parse(a), parse(b)))}) / (${b})`;
      expect({ back, value: evaluate(back) }).toEqual({ back, value: show(parse(a)) });
      // a / (2^i × 5^j) = a × 5^i × 2^j / 10^(i+j): at most 16 + 9 + 6 digits
      const x = parse(a);
      const quotient = `(${a}) / (${show({ n: sign * 2n ** BigInt(i) * 5n ** BigInt(j), scale: 0 })})`;
      const exact = { n: sign * x.n * 5n ** BigInt(i) * 2n ** BigInt(j), scale: x.scale + i + j };
      expect({ quotient, value: evaluate(quotient) }).toEqual({ quotient, value: show(exact) });
    }), runs);
  });

  test('division by zero is an error, never Infinity or NaN', () => {
    fc.assert(fc.property(decimalText(), fc.constantFrom('0', '0.0', '-0', '0.000'), (a, zero) => {
      expect(() => evaluateFormula(`(${a}) / (${zero})`)).toThrow(/division by zero/);
    }), { numRuns: 50 });
  });
});
