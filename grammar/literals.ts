// Number and string literals: from source text to value, and (for strings) back.
// Numbers never pass through a JS number: `value` is computed on the digit string.

/**
 * The most digits a number may have, in its numerator or its denominator: the limit of every
 * literal here and of every result in the evaluator. Far beyond any price.
 */
export const MAX_NUMBER_DIGITS = 400;

const NUMBER = /^(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?(%?)$/;

/**
 * The exact decimal a number literal denotes, in plain text: `200_000` → `200000`,
 * `20%` → `0.2`, `2.5E-2` → `0.025`, `1e3` → `1000`. Undefined when the value has more than
 * MAX_NUMBER_DIGITS digits in its numerator or denominator (`1e400`, `0.` and 400 zeros and `1`).
 */
export function numberValue(text: string): string | undefined {
  const [, whole = '', fraction = '', exponent = '0', percent] = NUMBER.exec(text.replaceAll('_', '')) ?? [];
  const digits = (whole + fraction).replace(/^0+/, '');
  if (digits === '') return '0';
  // The value is 0.digits × 10^point; past the limit either way, don't write it out.
  const leadingZeros = whole.length + fraction.length - digits.length;
  const point = whole.length - leadingZeros + Number(exponent) - (percent ? 2 : 0);
  const significant = digits.replace(/0+$/, '');
  const numeratorDigits = Math.max(point, significant.length);
  const denominatorDigits = significant.length - point + 1;
  if (numeratorDigits > MAX_NUMBER_DIGITS || denominatorDigits > MAX_NUMBER_DIGITS) return undefined;
  if (point <= 0) return `0.${'0'.repeat(-point)}${significant}`;
  if (point >= significant.length) return significant + '0'.repeat(point - significant.length);
  return `${significant.slice(0, point)}.${significant.slice(point)}`;
}

const UNESCAPE: Record<string, string> = { "'": "'", '"': '"', '\\': '\\', n: '\n', t: '\t' };
const ESCAPE: Record<string, string> = { '\\': '\\\\', "'": "\\'", '\n': '\\n', '\t': '\\t' };

/** The text of a string literal as written (quotes included, escapes checked by the lexer). */
export function stringValue(literal: string): string {
  return literal.slice(1, -1).replace(/\\(.)/g, (_, c: string) => UNESCAPE[c]);
}

/** The first escape that is not one of \' \" \\ \n \t, as an offset into the literal. */
export function invalidEscapeOffset(literal: string): number {
  return literal.replace(/\\['"\\nt]/g, '  ').indexOf('\\');
}

/** A single-quoted literal for `value`; stringValue(quoteString(v)) === v. */
export function quoteString(value: string): string {
  return `'${value.replace(/[\\'\n\t]/g, (c) => ESCAPE[c])}'`;
}
