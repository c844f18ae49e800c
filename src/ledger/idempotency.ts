// A request's fingerprint: the same idempotency key with a different fingerprint is refused;
// and the mark of a response replayed from a key.
import * as crypto from 'node:crypto';

// crypto.hash (Node 20.12+) does a one-shot digest without a Hash object: the same hex, quicker.
const sha256: (text: string) => string = typeof crypto.hash === 'function'
  ? (text) => crypto.hash('sha256', text, 'hex')
  : (text) => crypto.createHash('sha256').update(text).digest('hex');

export function requestHash(request: unknown): string {
  return sha256(canonicalJson(request));
}

/** JSON with object keys sorted, so equal requests hash equally whatever their key order. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) out += (i ? ',' : '') + canonicalJson(v[i]);
    return `${out}]`;
  }
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    const x = o[k];
    if (x === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(k)}:${canonicalJson(x)}`;
    first = false;
  }
  return `${out}}`;
}

// Responses read back from an idempotency key, so the HTTP layer can say it replayed them
// (Idempotent-Replayed). A WeakSet marks them without changing what they serialize to.
const replays = new WeakSet<object>();

/** The stored response of an earlier request with the same key, marked as a replay. */
export function replayOf<T>(stored: string): T {
  const response = JSON.parse(stored) as T;
  if (typeof response === 'object' && response !== null) replays.add(response);
  return response;
}

/** Whether a mutation's result is the stored response of an earlier request (replayOf). */
export function isReplay(result: unknown): boolean {
  return typeof result === 'object' && result !== null && replays.has(result);
}
