// A quote id is the quote itself, signed: any server sharing the secret can honour it
// without a database write per quote (quoting is the hot path).
import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { LedgerError } from './errors.ts';

export interface QuotedCharge {
  pack: string;
  operation: string;
  /** The rule input as evaluated, account inputs included. */
  input: Record<string, unknown>;
  /** Epoch ms of the quote: the rule version in force then prices the charge. */
  at: number;
  expiresAt: number;
  account: string | null;
  /** The amount to charge as quoted (decimal text), when the operation is chargeable. */
  amount: string | null;
}

/**
 * A QuotedCharge's JSON as JSON.stringify writes it, from its input's JSON text: the input is
 * written once, for the quote id and for the answer that carries both.
 */
export function quotedChargeJson(q: Omit<QuotedCharge, 'input'>, inputJson: string): string {
  return `{"pack":${JSON.stringify(q.pack)},"operation":${JSON.stringify(q.operation)},"input":${inputJson},"at":${JSON.stringify(q.at)},"expiresAt":${JSON.stringify(q.expiresAt)},"account":${JSON.stringify(q.account)},"amount":${JSON.stringify(q.amount)}}`;
}

export class QuoteSigner {
  /** Imported once: createHmac with the secret as text would import it again on every quote. */
  private readonly key: KeyObject;
  /** The payload's UTF-8 bytes, reused: base64url is written from it. */
  private utf8 = Buffer.alloc(2048);

  constructor(secret: string) {
    this.key = createSecretKey(Buffer.from(secret, 'utf8'));
  }

  sign(q: QuotedCharge): string {
    return this.signJson(JSON.stringify(q));
  }

  /** Signs a QuotedCharge given as its JSON text (quotedChargeJson). */
  signJson(json: string): string {
    // At most 3 bytes per UTF-16 unit: the write never stops short.
    if (3 * json.length > this.utf8.length) this.utf8 = Buffer.alloc(6 * json.length);
    const payload = this.utf8.toString('base64url', 0, this.utf8.write(json, 0, 'utf8'));
    return `q1.${payload}.${this.mac(payload)}`;
  }

  verify(id: string, now: number): QuotedCharge {
    const [tag, payload, mac] = id.split('.');
    if (tag !== 'q1' || !payload || !mac) throw new LedgerError('quote_invalid', 'not a quote id');
    const expected = Buffer.from(this.mac(payload));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new LedgerError('quote_invalid', 'the quote id is not one this service issued');
    const q = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as QuotedCharge;
    if (q.expiresAt <= now) throw new LedgerError('quote_expired', `the quote expired at ${new Date(q.expiresAt).toISOString()}; ask for a new one`);
    return q;
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }
}
