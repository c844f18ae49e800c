// A caller's metadata object on accounts and charges (e.g. the generation job a charge paid
// for): kept as given and returned as given, within limits so it can't bloat every row.
import { LedgerError } from './errors.ts';

export const METADATA_LIMITS = { keys: 50, keyLength: 40, bytes: 4096 } as const;

/** The metadata as stored JSON, or a refusal naming the field. */
export function metadataJson(value: Record<string, unknown>, field = 'metadata'): string {
  const refuse = (message: string, keyword: string, path = `/${field}`) =>
    new LedgerError('invalid_request', message, { errors: [{ path, keyword, message }] });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw refuse(`${field} must be an object`, 'type');
  const keys = Object.keys(value);
  if (keys.length > METADATA_LIMITS.keys) throw refuse(`${field} has ${keys.length} keys; at most ${METADATA_LIMITS.keys} are kept`, 'maxProperties');
  const long = keys.find((k) => k.length === 0 || k.length > METADATA_LIMITS.keyLength);
  if (long !== undefined) throw refuse(`${field} key '${long.slice(0, 50)}' must be 1–${METADATA_LIMITS.keyLength} characters`, 'propertyNames', `/${field}/${long}`);
  const json = JSON.stringify(value);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > METADATA_LIMITS.bytes) throw refuse(`${field} is ${bytes} bytes as JSON; at most ${METADATA_LIMITS.bytes} are kept`, 'maxLength');
  return json;
}
