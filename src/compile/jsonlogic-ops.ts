// The few operations an exported rule may need beyond standard JSON Logic, with their
// reference implementations. Self-contained on purpose (no imports): a web or mobile client
// copies this file and calls registerCreditOperations(jsonLogic, exported.operations_required).
//
// Exported rules compute numbers as scaled integers (a price of 0.000225 travels as 225 with
// scale 6), so json-logic-js's float + - * and comparisons are exact; these operations are
// the steps floats can't do exactly on their own. See "JSON Logic export" in README.md.

/** What a rule throws when it can't give the engine's answer: the server must be asked. */
export class PreviewError extends Error {
  constructor(
    /** `engine-error`: the engine answers this request with an error. `outside-exact-range`: an input is beyond `limits`. */
    readonly code: 'engine-error' | 'outside-exact-range',
    message: string,
  ) {
    super(message);
  }
}

/** A number as decimal text without exponent: the digits the engine reads from a JSON number. */
export function decimalText(x: number): string {
  const s = String(x);
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const [, sign, first, rest = '', exp] = m;
  const digits = first! + rest;
  const point = 1 + Number(exp);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** x·10^digits exactly, read from x's decimal text as the engine reads it. */
function scaled(x: unknown, digits: number, maximum: number): number {
  if (typeof x !== 'number' || !Number.isFinite(x)) throw new PreviewError('engine-error', `expected a number, got ${JSON.stringify(x)}`);
  const [whole, fraction = ''] = decimalText(Math.abs(x)).split('.');
  if (fraction.length > digits || Math.abs(x) > maximum) {
    throw new PreviewError('outside-exact-range', `${decimalText(x)} is outside the range this preview computes exactly (at most ${digits} decimals and ${maximum} in size)`);
  }
  const n = Number(whole! + fraction.padEnd(digits, '0'));
  return x < 0 ? -n : n;
}

type Mode = 'ceil' | 'floor' | 'round' | 'trunc';

/** x / m rounded to a whole number, exactly: x % m and x - x % m are exact in floats below 2^53. */
function divideRounded(mode: Mode): (x: number, m: number) => number {
  return (x, m) => {
    if (!(Math.abs(x) < 2 ** 53) || !Number.isSafeInteger(m) || m <= 0) throw new PreviewError('engine-error', `${mode}_div needs |x| < 2^53 and a whole m > 0`);
    const r = x % m;
    const q = (x - r) / m;
    switch (mode) {
      case 'ceil': return r > 0 ? q + 1 : q;
      case 'floor': return r < 0 ? q - 1 : q;
      case 'trunc': return q;
      case 'round': return 2 * Math.abs(r) >= m ? q + Math.sign(r) : q;
    }
  };
}

function fail(message: unknown): never {
  throw new PreviewError('engine-error', String(message));
}

export const CREDIT_OPERATIONS = {
  scaled: {
    description: 'scaled(x, digits, maximum): x·10^digits as an exact integer, from the shortest decimal text of x (what the engine reads from a JSON number); throws when x has more decimals or is larger in size than given',
    fn: scaled,
  },
  ceil_div: { description: 'ceil_div(x, m): ⌈x / m⌉ exactly, for |x| < 2^53 and a whole m > 0', fn: divideRounded('ceil') },
  floor_div: { description: 'floor_div(x, m): ⌊x / m⌋ exactly, for |x| < 2^53 and a whole m > 0', fn: divideRounded('floor') },
  round_div: { description: 'round_div(x, m): x / m rounded to a whole number, half away from zero, exactly, for |x| < 2^53 and a whole m > 0', fn: divideRounded('round') },
  trunc_div: { description: 'trunc_div(x, m): x / m rounded toward zero, exactly, for |x| < 2^53 and a whole m > 0', fn: divideRounded('trunc') },
  fail: { description: 'fail(message): throws; reached exactly where the engine answers with an error (unknown table key, no matching decision row, …)', fn: fail },
} as const;

export type CreditOperation = keyof typeof CREDIT_OPERATIONS;

interface JsonLogicLike {
  add_operation(name: string, fn: (...args: never[]) => unknown): void;
}

/** Registers the named operations (default: all) with a json-logic-js instance. */
export function registerCreditOperations(jsonLogic: JsonLogicLike, names: Iterable<string> = Object.keys(CREDIT_OPERATIONS)): void {
  for (const name of names) {
    const op = CREDIT_OPERATIONS[name as CreditOperation];
    if (!op) throw new Error(`unknown credit operation '${name}'`);
    jsonLogic.add_operation(name, op.fn as (...args: never[]) => unknown);
  }
}

/** A constraint's message with its `{name}` values filled in, as the engine writes it. */
export function formatMessage(template: string, values: Record<string, unknown>): string {
  return template.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (m, name: string) => {
    if (!(name in values)) return m;
    const v = values[name];
    if (typeof v === 'number') return decimalText(v);
    if (typeof v === 'string') return v;
    return JSON.stringify(v);
  });
}
