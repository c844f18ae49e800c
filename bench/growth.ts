// Cost as data grows: the same operations on a store with fresh accounts ("empty") and on
// the large store (its big account, 100,000 entries of its own among 1,000,000, and a PixAI
// account with 10,000 LoRA trainings this month for the quote that counts them), alternated
// over rounds so load on the machine falls on both alike. Each figure is operations per second
// of one caller in a loop (reads) or of `clients` callers (charges); ratios are large ÷ empty.
import { randomBytes } from 'node:crypto';
import type { Ledger } from '../src/ledger/ledger.ts';
import { COUNTED } from './large-store.ts';
import { median } from './median.ts';

export interface GrowthSide {
  ledger: Ledger;
  /** The account measured: a fresh one, or the big one. */
  account: string;
  /** An entry seq 90% of the way into the account's log, for a page deep in it. */
  deepSeq: number;
  /** A PixAI account, fresh or with many trainings this month, whose quotes read that count. */
  counterAccount: string;
}

/** Operations per second of `clients` callers each running `op` (told which caller it is) in a loop for `seconds`. */
export async function rate(seconds: number, clients: number, op: (client: number) => Promise<unknown>): Promise<number> {
  let n = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  await Promise.all(Array.from({ length: clients }, async (_, c) => {
    while (performance.now() < end) {
      await op(c);
      n++;
    }
  }));
  return n / ((performance.now() - start) / 1000);
}

const run = randomBytes(4).toString('hex');
let seq = 0;

/** A charge as the main figure counts it: a hold, then a capture with usage, each committed. */
export async function holdAndCapture(ledger: Ledger, account: string): Promise<void> {
  const id = `${run}-${seq++}`;
  const held = await ledger.createCharge({ account, operation: 'generate', input: { tool: 'image_to_video', seconds: 5 }, capture: false }, `h${id}`);
  await ledger.captureCharge(held.id, { usage: { seconds: 4 } }, `c${id}`);
}

export const measures = {
  charges: (s: GrowthSide, seconds: number, clients: number) => rate(seconds, clients, () => holdAndCapture(s.ledger, s.account)),
  balance: (s: GrowthSide, seconds: number) => rate(seconds, 1, () => s.ledger.account(s.account)),
  usage: (s: GrowthSide, seconds: number) => rate(seconds, 1, () => s.ledger.usage(s.account)),
  entriesPage: (s: GrowthSide, seconds: number) => rate(seconds, 1, () => s.ledger.entries(s.account, s.deepSeq, 100)),
  quoteWithCounter: (s: GrowthSide, seconds: number) => rate(seconds, 1, () => s.ledger.quote({ ...COUNTED, account: s.counterAccount })),
};

export type Measure = keyof typeof measures;

export interface GrowthFigures {
  empty: Record<Measure, number>;
  large: Record<Measure, number>;
  ratio: Record<Measure, number>;
}

export async function compareGrowth(empty: GrowthSide, large: GrowthSide, rounds: number, seconds: number, clients: number, log: (s: string) => void): Promise<GrowthFigures> {
  const names = Object.keys(measures) as Measure[];
  const e: Record<string, number[]> = {};
  const l: Record<string, number[]> = {};
  const r: Record<string, number[]> = {};
  for (let round = 1; round <= rounds; round++) {
    for (const m of names) {
      const a = await measures[m](empty, seconds, clients);
      const b = await measures[m](large, seconds, clients);
      (e[m] ??= []).push(a);
      (l[m] ??= []).push(b);
      (r[m] ??= []).push(b / a);
    }
    log(`  round ${round}: ${names.map((m) => `${m} ${Math.round(e[m]!.at(-1)!)} → ${Math.round(l[m]!.at(-1)!)}/s`).join(', ')}`);
  }
  const pick = (x: Record<string, number[]>) => Object.fromEntries(names.map((m) => [m, median(x[m]!)])) as Record<Measure, number>;
  return { empty: pick(e), large: pick(l), ratio: pick(r) };
}
