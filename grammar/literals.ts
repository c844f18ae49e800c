// Number and string literals: from source text to value, and (for strings) back.
// Numbers never pass through a JS number: `value` is computed on the digit string.

/** The exact decimal a number literal denotes: `200_000` → `200000`, `20%` → `0.2`, `2.5%` → `0.025`. */
export function numberValue(text: string): string {
  const digits = text.replaceAll('_', '');
  return digits.endsWith('%') ? hundredth(digits.slice(0, -1)) : digits;
}

/** Moves the decimal point two places left, then drops leading and trailing zeros. */
function hundredth(decimal: string): string {
  const [whole, fraction = ''] = decimal.split('.');
  const padded = whole.padStart(3, '0');
  const newWhole = padded.slice(0, -2).replace(/^0+(?=\d)/, '');
  const newFraction = (padded.slice(-2) + fraction).replace(/0+$/, '');
  return newFraction ? `${newWhole}.${newFraction}` : newWhole;
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
