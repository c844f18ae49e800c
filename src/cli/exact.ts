// `--exact`: a value that doesn't terminate is shown as its fraction (1/3) rather than as
// 20 significant digits and '…'. What terminates is exact already and shown as always.
import { Decimal } from '../decimal.ts';
import { showValue, TableValue, type Value } from '../value.ts';

/** The value with every non-terminating number replaced by its fraction text, for JSON. */
export function exactJson(v: Value): Value {
  if (v instanceof Decimal) return v.terminates() ? v : v.toFractionText();
  if (Array.isArray(v)) return v.map(exactJson);
  if (typeof v !== 'object' || v instanceof TableValue) return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, exactJson(x)]));
}

/** showValue, with a non-terminating number as its fraction: `1/3`, `[1/3, 0.5]`. */
export function showExact(v: Value): string {
  if (v instanceof Decimal) return v.terminates() ? showValue(v) : v.toFractionText();
  if (Array.isArray(v)) return `[${v.map(showExact).join(', ')}]`;
  if (typeof v !== 'object' || v instanceof TableValue) return showValue(v);
  return `{${Object.entries(v).map(([k, x]) => `${k}: ${showExact(x)}`).join(', ')}}`;
}
