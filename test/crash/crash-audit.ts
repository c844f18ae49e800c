// The audit after a crash run: the store read in-process, checked against itself (every
// balance is its entry log) and against the clients' record (nothing acknowledged missing,
// nothing unacknowledged doubled, no credits created or lost, no hold resolved twice).
// Returns the problems found, so a test can also show that a planted drift is caught.
import type { Ledger } from '../../src/ledger/ledger.ts';
import { auditLog } from '../ledger/audit.ts';
import type { EntryView } from '../../src/ledger/views.ts';
import type { RunRecord } from './workload.ts';

const RESOLVING = new Set(['capture', 'release', 'hold_expired']);

async function allEntries(ledger: Ledger, account: string): Promise<EntryView[]> {
  const out: EntryView[] = [];
  for (let after = 0; ;) {
    const page = await ledger.entries(account, after, 1000);
    out.push(...page.entries);
    if (page.next_after === null) return out;
    after = page.next_after;
  }
}

/** A charge's input (as evaluated, with defaults and account inputs) carries every field its request gave. */
export const sameInput = (asked: Record<string, unknown>, charged: Record<string, unknown>) =>
  Object.entries(asked).every(([k, v]) => charged[k] === v);

const sum = (xs: Iterable<bigint>) => [...xs].reduce((a, b) => a + b, 0n);
const units = (s: string | null) => BigInt(s ?? '0');

/** What a charge keeps from the balance: its hold while held, its capture net of refunds after. */
function kept(c: { status: string; held: string; captured: string | null; refunded: string }): bigint {
  if (c.status === 'held') return units(c.held);
  if (c.status === 'captured') return units(c.captured) - units(c.refunded);
  return 0n;
}

export interface Audit {
  problems: string[];
  /** Charges in the store from requests given up (they ran once before the kill). */
  unacknowledgedCharges: number;
}

export async function auditRun(ledger: Ledger, record: RunRecord, accounts: string[]): Promise<Audit> {
  const problems: string[] = [];
  let unacknowledgedCharges = 0;
  const acknowledged = [...record.charges.values()];
  for (const account of accounts) {
    try {
      await auditLog(ledger, account);
    } catch (e) {
      problems.push(`${account}: the log does not rebuild the grants and charges: ${(e as Error).message.split('\n')[0]}`);
    }
    const entries = await allEntries(ledger, account);
    const view = await ledger.account(account);
    const fromLog = sum(entries.map((e) => BigInt(e.balance_change)));
    if (fromLog !== BigInt(view.balance)) problems.push(`${account}: balance ${view.balance}, but its entry log sums to ${fromLog}`);

    // Nothing granted that no acknowledged request asked for.
    const granted = sum(entries.filter((e) => e.kind === 'grant').map((e) => BigInt(e.amount)));
    const asked = BigInt(record.opening.get(account)!) + (record.toppedUp.get(account) ?? 0n);
    if (granted !== asked) problems.push(`${account}: ${granted} credits granted in the log, ${asked} acknowledged (opening balance and top-ups)`);

    const inLog = new Set(entries.flatMap((e) => (e.charge ? [e.charge] : [])));
    const mine = acknowledged.filter((c) => c.account === account);
    for (const c of mine) {
      if (!inLog.has(c.id)) problems.push(`${account}: acknowledged charge ${c.id} is not in the log`);
      const stored = await ledger.charge(c.id).catch(() => undefined);
      if (!stored) continue;
      const [was, is] = [`${c.status} held ${c.held} captured ${c.captured} refunded ${c.refunded}`, `${stored.status} held ${stored.held} captured ${stored.captured} refunded ${stored.refunded}`];
      if (was !== is) problems.push(`${account}: charge ${c.id} was acknowledged as ${was}, the store has ${is}`);
    }
    // Charges no client was told of: each must be the one run of a request given up, so
    // they pair off with distinct such requests (same input, captured as asked).
    const ours = new Set(mine.map((c) => c.id));
    const orphans = [...inLog].filter((id) => !ours.has(id));
    unacknowledgedCharges += orphans.length;
    const orphanViews = await Promise.all(orphans.map((id) => ledger.charge(id)));
    const givenUp = record.abandoned.filter((b) => b.account === account);
    for (const o of orphanViews) {
      // Nobody knew its id, so nobody captured or released it: it is as its request left it.
      const i = o.status === 'held' || o.status === 'captured'
        ? givenUp.findIndex((b) => b.capture === (o.status === 'captured') && sameInput(b.input, o.input))
        : -1;
      if (i < 0) problems.push(`${account}: charge ${o.id} (${o.status}, ${JSON.stringify(o.input)}) was never acknowledged, and no request given up asked for it`);
      else givenUp.splice(i, 1);
    }

    // The balance the clients can account for: granted, less what each charge keeps.
    const expected = asked - sum(mine.map(kept)) - sum(orphanViews.map(kept));
    if (expected !== BigInt(view.balance)) problems.push(`${account}: balance ${view.balance}, the clients' record accounts for ${expected}`);

    // A resolved hold has one resolution: captured or released, one entry per grant at most.
    const resolutions = new Map<string, Set<string>>();
    for (const e of entries.filter((x) => x.charge && RESOLVING.has(x.kind))) {
      const seen = resolutions.get(e.charge!) ?? new Set<string>();
      const mark = `${e.kind}:${e.grant}`;
      if (seen.has(mark)) problems.push(`${account}: charge ${e.charge} has two ${e.kind} entries for grant ${e.grant}`);
      seen.add(mark);
      resolutions.set(e.charge!, seen);
    }
    for (const [charge, marks] of resolutions) {
      const kinds = new Set([...marks].map((m) => m.split(':')[0]));
      if (kinds.size > 1) problems.push(`${account}: charge ${charge} was resolved as ${[...kinds].join(' and ')}`);
    }
  }
  for (const r of record.secondResolutions) {
    if (r.status !== 409 || r.code !== 'hold_already_resolved') problems.push(`a second resolution of ${r.charge} answered ${r.status} ${r.code}, not 409 hold_already_resolved`);
  }
  problems.push(...record.unexpected.map((u) => `unexpected answer: ${u}`));
  return { problems, unacknowledgedCharges };
}
