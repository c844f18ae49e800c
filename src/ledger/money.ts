// Amounts cross the store boundary as integer minor units of the pack's `decimals`
// (bigint, so no amount ever passes through a float) and everywhere else as exact decimals.
import { Decimal, decimalText, parseDecimalText } from '../decimal.ts';
import type { Value } from '../value.ts';
import type { Rounding } from '../rules/ledger-policy.ts';
import { LedgerError } from './errors.ts';

const MODES: Record<Rounding, 0 | 1 | 4> = {
  up: Decimal.ROUND_UP,
  down: Decimal.ROUND_DOWN,
  half_up: Decimal.ROUND_HALF_UP,
};

/**
 * The largest single amount, in minor units of any pack: 10^15 (a billion dollars at 6
 * decimals, a quadrillion credits at 0). Far inside a 64-bit integer, so the store's sums of
 * many such amounts (balances, usage totals) stay exact on SQLite as on PostgreSQL.
 */
export const MAX_AMOUNT_MINOR = 10n ** 15n;
/** The most an account's grants may hold in all, in minor units (2^62 − 1). */
export const MAX_BALANCE_MINOR = 2n ** 62n - 1n;
/** A postpaid account's unlimited overdraft, stored as the largest balance so the database's checks still hold (views show it as null). */
export const UNLIMITED_OVERDRAFT = MAX_BALANCE_MINOR;

/** The API's decimal text: no sign, no leading zeros, no exponent, digits on both sides of a point. */
const DECIMAL_TEXT = /^(0|[1-9][0-9]*)(\.[0-9]+)?$/;

/** An amount a client typed: plain non-negative decimal text with at most `decimals` digits. */
export function parseAmount(text: string, decimals: number, field = 'amount'): bigint {
  const d = DECIMAL_TEXT.test(text) ? parseDecimalText(text) : undefined;
  if (!d || d.isNegative()) throw new LedgerError('invalid_amount', `${field} must be a non-negative decimal string such as "12.5", got ${JSON.stringify(text)}`);
  if (d.decimalPlaces() > decimals) throw new LedgerError('invalid_amount', `${field} has more than ${decimals} decimal digits: ${text}`);
  return bounded(toMinor(d, decimals), decimals, field);
}

/**
 * A rule output as minor units, rounded by the pack's policy (`rounding` in ledger.yaml) when
 * it has extra digits. A quotient that doesn't terminate (`price / 30 * days`) is rounded the
 * same way, exactly: `up` makes 50.4333… credits 51.
 */
export function ruleAmount(d: Decimal, decimals: number, rounding: Rounding, what: string): bigint {
  if (d.isNegative()) throw new LedgerError('invalid_amount', `${what} is negative: ${decimalText(d)}`);
  return bounded(toMinor(d.toDecimalPlaces(decimals, MODES[rounding]), decimals), decimals, what);
}

function bounded(minor: bigint, decimals: number, what: string): bigint {
  if (minor > MAX_AMOUNT_MINOR) {
    throw new LedgerError('invalid_amount', `${what} is more than the largest amount, ${fromMinor(MAX_AMOUNT_MINOR, decimals)}`, { maximum: fromMinor(MAX_AMOUNT_MINOR, decimals) });
  }
  return minor;
}

const scales: Decimal[] = [];
const scale = (decimals: number): Decimal => (scales[decimals] ??= new Decimal(10).pow(decimals));

/** A decimal with at most `decimals` decimals as minor units; anything finer is a bug of the caller, not a rounding. */
export function toMinor(d: Decimal, decimals: number): bigint {
  const minor = d.times(scale(decimals));
  if (!minor.isInteger()) throw new RangeError(`${decimalText(d)} has more than ${decimals} decimals; round it first (ruleAmount)`);
  return minor.n;
}

/** Minor units as plain decimal text without trailing zeros (`1250n`, 2 → `12.5`); string
 *  work on the integer's digits, exact at any size. */
export function fromMinor(minor: bigint, decimals: number): string {
  const negative = minor < 0n;
  let digits = (negative ? -minor : minor).toString();
  if (decimals > 0) {
    if (digits.length <= decimals) digits = '0'.repeat(decimals - digits.length + 1) + digits;
    const cut = digits.length - decimals;
    let end = digits.length;
    while (end > cut && digits.charCodeAt(end - 1) === 48) end--;
    digits = end === cut ? digits.slice(0, cut) : `${digits.slice(0, cut)}.${digits.slice(cut, end)}`;
  }
  return negative ? `-${digits}` : digits;
}

export function minorDecimal(minor: bigint, decimals: number): Decimal {
  return new Decimal(fromMinor(minor, decimals));
}

/** The value when it is a number (rule outputs are Values of any type). */
export function asDecimal(v: Value | undefined): Decimal | undefined {
  return v !== undefined && Decimal.isDecimal(v) ? (v as Decimal) : undefined;
}
