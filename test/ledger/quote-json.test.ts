// The quoting path writes its answer as text (Ledger#quoteJson) and signs a quote id from the
// input's JSON written once (quotedChargeJson, QuoteSigner#signJson) with a hand-rolled HMAC.
// Each must give the very bytes of the plain way: JSON.stringify of the view, of the charge,
// and createHmac.
import { createHmac } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ledger, QuoteQuery } from '../../src/ledger/ledger.ts';
import { quotedChargeJson, QuoteSigner, type QuotedCharge } from '../../src/ledger/quote-token.ts';
import { Clock, key, openLedger, storeKinds } from './harness.ts';

/** Every operation quoted in the packs' corpora, once per distinct input. */
function corpus(): QuoteQuery[] {
  const seen = new Set<string>();
  const out: QuoteQuery[] = [];
  for (const pack of readdirSync('rules', { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name)) {
    let lines: string[];
    try {
      lines = readFileSync(join('rules', pack, 'tests', 'corpus.jsonl'), 'utf8').split('\n').filter(Boolean);
    } catch {
      continue;
    }
    for (const line of lines) {
      if (seen.has(pack + line)) continue;
      seen.add(pack + line);
      const { operation, input } = JSON.parse(line) as { operation: string; input: Record<string, unknown> };
      out.push({ pack, operation, input });
    }
  }
  return out;
}

describe('Ledger#quoteJson', () => {
  const kind = storeKinds.find((k) => k.name === 'sqlite')!;
  const clock = new Clock(0);
  let ledger: Ledger;
  let dispose: () => Promise<void>;

  beforeAll(async () => ({ ledger, dispose } = await openLedger(kind, clock)));
  afterAll(async () => dispose());

  it('writes JSON.stringify of the view for every quote of the packs’ corpora, accepted or rejected', () => {
    const queries = corpus();
    expect(queries.length).toBeGreaterThan(50);
    let rejected = 0;
    for (const q of queries) {
      const view = ledger.quoteWithoutAccount(q);
      if (view.rejections.length) rejected++;
      const text = ledger.quoteJson(q);
      expect(text, `${q.pack} ${q.operation} ${JSON.stringify(q.input)}`).toBe(JSON.stringify(view));
    }
    // The corpora must keep exercising both shapes of answer.
    expect(rejected).toBeGreaterThan(0);
    expect(rejected).toBeLessThan(queries.length);
  });

  it('writes the same text as the view for a refused quote, with the rule’s message and code', () => {
    const q = { pack: 'pixai', operation: 'generate_image', input: { width: 4096, height: 4096, tier: 'free' } };
    const view = ledger.quoteWithoutAccount(q);
    expect(view.rejections).toEqual([expect.objectContaining({ code: 'dimension_limit' })]);
    expect(view.quote_id).toBeNull();
    expect(ledger.quoteJson(q)).toBe(JSON.stringify(view));
  });

  it('writes the same text as the view for an explained quote, trace included', () => {
    const q = { pack: 'modelpix', operation: 'generate', input: { tool: 'image_to_video', seconds: 6 }, explain: true };
    const view = ledger.quoteWithoutAccount(q);
    expect(view.trace?.length).toBeGreaterThan(0);
    expect(ledger.quoteJson(q)).toBe(JSON.stringify(view));
  });

  it('writes the same text as the view for a quote with an account, its inputs included', async () => {
    await ledger.createAccount({ id: 'max', pack: 'pixai', plan: 'starter' }, key());
    const q = { pack: 'pixai', operation: 'train_lora', input: { architecture: 'SDXL', tier: 'pro' }, account: 'max' };
    const text = await ledger.quoteJson(q);
    const view = await ledger.quote(q);
    expect(view.account_inputs).not.toEqual({});
    expect(text).toBe(JSON.stringify(view));
  });

  it('signs a quote id the charge honours, the same id the view carries', async () => {
    await ledger.createAccount({ id: 'ann', pack: 'modelpix' }, key());
    const q = { pack: 'modelpix', operation: 'generate', input: { tool: 'text_to_image' } };
    const answer = JSON.parse(ledger.quoteJson(q) as string) as { quote_id: string; amount: string };
    expect(answer.quote_id).toBe(ledger.quoteWithoutAccount(q).quote_id);
    const c = await ledger.createCharge({ account: 'ann', quote_id: answer.quote_id, capture: true }, key());
    expect(c.captured).toBe(answer.amount);
  });
});

describe('quote ids', () => {
  const odd = ['', 'plain', 'quote " and \\ backslash', 'line\nbreak\ttab\u0000nul', 'é ü × — 漢字', '😀 astral', '\ud800 lone surrogate', '\u2028\u2029'];
  const charges: QuotedCharge[] = odd.flatMap((s, i) => [
    { pack: 'pixai', operation: 'generate_image', input: { s, n: i, nested: [s, { [s]: 1.5 }] }, at: 1_795_996_975_537 + i, expiresAt: 1_795_997_275_537, account: null, amount: '8280' },
    { pack: s, operation: s, input: {}, at: 0, expiresAt: 1, account: s, amount: null },
  ]);

  it('quotedChargeJson writes JSON.stringify of the charge, with the input’s JSON given', () => {
    for (const q of charges) {
      const { input, ...rest } = q;
      expect(quotedChargeJson(rest, JSON.stringify(input))).toBe(JSON.stringify(q));
    }
  });

  const secrets = ['s', 'x'.repeat(43), 'k'.repeat(64), 'long'.repeat(40), 'clé secrète ✓'];

  it.each(secrets)('signs as HMAC-SHA256 under the secret %j, the payload being base64url JSON', (secret) => {
    const signer = new QuoteSigner(secret);
    for (const q of charges) {
      const payload = Buffer.from(JSON.stringify(q)).toString('base64url');
      const want = `q1.${payload}.${createHmac('sha256', secret).update(payload).digest('base64url')}`;
      expect(signer.sign(q)).toBe(want);
      expect(signer.signJson(JSON.stringify(q))).toBe(want);
    }
  });

  it('verifies its own ids and refuses one whose payload or mac was changed', () => {
    const signer = new QuoteSigner('x'.repeat(43));
    const q = charges[0]!;
    const id = signer.sign(q);
    expect(signer.verify(id, 0)).toEqual(q);
    const [tag, payload, mac] = id.split('.') as [string, string, string];
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    expect(() => signer.verify(`${tag}.${flip(payload, 5)}.${mac}`, 0)).toThrow(/not one this service issued/);
    expect(() => signer.verify(`${tag}.${payload}.${flip(mac, 3)}`, 0)).toThrow(/not one this service issued/);
    // Characters outside ASCII are hashed as UTF-8, never folded onto ASCII ones.
    const folded = payload.slice(0, 5) + String.fromCharCode(0x100 + payload.charCodeAt(5)) + payload.slice(6);
    expect(() => signer.verify(`${tag}.${folded}.${mac}`, 0)).toThrow(/not one this service issued/);
    expect(() => new QuoteSigner('another secret').verify(id, 0)).toThrow(/not one this service issued/);
  });

  it('signs a payload larger than its buffers as it signs a small one', () => {
    const signer = new QuoteSigner('x'.repeat(43));
    const big = { ...charges[0]!, input: { text: 'ü'.repeat(5000) } };
    const payload = Buffer.from(JSON.stringify(big)).toString('base64url');
    expect(signer.sign(big)).toBe(`q1.${payload}.${createHmac('sha256', 'x'.repeat(43)).update(payload).digest('base64url')}`);
    expect(signer.sign(charges[1]!)).toBe(new QuoteSigner('x'.repeat(43)).sign(charges[1]!));
  });
});
