// Two-phase charges: a hold draws the quoted amount from grants, a capture settles the
// actual amount (returning or drawing the difference), a release or a timeout gives it all
// back, and a refund credits part of a captured charge back to the grants it came from.
import { toJsonData } from '../value.ts';
import { evaluate } from './account-inputs.ts';
import { LedgerError } from './errors.ts';
import { asDecimal, fromMinor, ruleAmount } from './money.ts';
import { creditBack, draw, entry, planDraws, takeDraws } from './postings.ts';
import type { ChargeRecord, DrawRecord } from './records.ts';
import type { Scope } from './scope.ts';
import { usageBucket } from './usage-bucket.ts';
import { chargeView, perGrant, type ChargeView } from './views.ts';

export interface Priced {
  operation: string;
  version: string;
  /** The rule input as evaluated, account inputs included. */
  input: Record<string, unknown>;
  amount: bigint;
}

export function chargeOutput(s: Scope, operation: string): string {
  const output = s.policy.charges.get(operation);
  if (!output) throw new LedgerError('not_chargeable', `operation '${operation}' of pack '${s.pack.name}' is not chargeable`, { chargeable: [...s.policy.charges.keys()] });
  return output;
}

/** Prices a charge by its operation's rule at `at` (the quote's time, or now). */
export function price(s: Scope, operation: string, input: Record<string, unknown>, at: number): Priced {
  const output = chargeOutput(s, operation);
  const result = evaluate(s.engine, s.pack.name, operation, input, at);
  const value = asDecimal(result.outputs[output]);
  if (!value) throw new LedgerError('not_chargeable', `output '${output}' of '${operation}' is not an amount`);
  return { operation, version: result.version, input, amount: ruleAmount(value, s.pack.decimals, s.policy.rounding, `${operation}.${output}`) };
}

/**
 * A charge as one transaction works on it: its row and its draws in the order they were
 * made, kept in step with what the transaction writes, so the result is built without
 * reading them back.
 */
export interface OpenCharge {
  record: ChargeRecord;
  draws: DrawRecord[];
}

export async function hold(s: Scope, priced: Priced): Promise<OpenCharge> {
  // Planned before anything is written, so a refusal leaves nothing to undo.
  const plan = await planDraws(s, priced.amount);
  const c: ChargeRecord = {
    id: s.newId('ch', s.account.id), accountId: s.account.id, pack: s.pack.name, operation: priced.operation, version: priced.version,
    input: JSON.stringify(priced.input), status: 'held', held: priced.amount, captured: null, refunded: 0n,
    createdAt: s.now, expiresAt: s.now + s.policy.holdTimeoutSeconds * 1000, resolvedAt: null,
  };
  await s.tx.insertCharge(c, usageBucket(s.account, c.createdAt, s.zone));
  const draws = await takeDraws(s, c.id, plan, 'hold');
  return { record: c, draws };
}

/**
 * Settles a hold at the actual amount: the unused part of the reservation goes back
 * (capture_return), or the excess is drawn now (capture_extra, re-checking the balance).
 * The charge keeps `held`, the amount reserved. The capture entries, one per grant drawn on,
 * say how much of each was captured; they change no balance (the hold took the credits).
 */
export async function capture(s: Scope, oc: OpenCharge, actual: bigint): Promise<void> {
  const c = oc.record;
  assertHeld(c);
  if (s.policy.heldCredits.capture === 'refuse') {
    const expired = oc.draws.find((d) => d.amount > 0n && d.grantExpiresAt !== null && d.grantExpiresAt <= s.now);
    if (expired) {
      throw new LedgerError('held_credits_expired', `charge ${c.id} holds credits of grant ${expired.grantId}, which expired at ${new Date(expired.grantExpiresAt!).toISOString()}; pack '${s.pack.name}' refuses their capture (held_credits.capture_after_expiry): release the charge`);
    }
  }
  if (actual < c.held) {
    await giveBack(s, oc, c.held - actual, 'capture_return');
  } else if (actual > c.held) {
    // More than was held: the difference must still be available now.
    oc.draws.push(...(await draw(s, c.id, actual - c.held, 'capture_extra')));
  }
  if (!(await s.tx.resolveCharge(c.id, 'captured', actual, s.now))) throw resolved(c);
  oc.record = { ...c, status: 'captured', captured: actual, resolvedAt: s.now };
  const taken = perGrant(oc.draws).filter((d) => d.amount > 0n);
  // A charge captured at nothing (e.g. a free training) is in the log too.
  if (taken.length === 0) await entry(s, 'capture', 0n, 0n, null, c.id);
  for (const d of taken) await entry(s, 'capture', 0n, d.amount, d.grantId, c.id);
}

export async function release(s: Scope, oc: OpenCharge, status: 'released' | 'expired'): Promise<void> {
  const c = oc.record;
  assertHeld(c);
  await giveBack(s, oc, c.held, status === 'released' ? 'release' : 'hold_expired');
  if (!(await s.tx.resolveCharge(c.id, status, null, s.now))) throw resolved(c);
  oc.record = { ...c, status, resolvedAt: s.now };
}

/** What one pass over the draws takes from each grant (key: grant id, null for the overdraft). */
type PerGrant = Map<string | null, DrawRecord>;

function add(byGrant: PerGrant, d: DrawRecord, amount: bigint): void {
  const seen = byGrant.get(d.grantId);
  byGrant.set(d.grantId, { ...d, amount: (seen?.amount ?? 0n) + amount });
}

/** Credits each grant back once, with one entry, however many of the charge's draws it had. */
async function creditEach(s: Scope, byGrant: PerGrant, kind: 'capture_return' | 'release' | 'hold_expired' | 'refund'): Promise<void> {
  for (const d of byGrant.values()) await creditBack(s, d, d.amount, kind);
}

/** Returns part of a hold, last drawn first (so the credits spent last come back first). */
async function giveBack(s: Scope, oc: OpenCharge, amount: bigint, kind: 'capture_return' | 'release' | 'hold_expired'): Promise<void> {
  let left = amount;
  const byGrant: PerGrant = new Map();
  for (let i = oc.draws.length - 1; i >= 0 && left > 0n; i--) {
    const d = oc.draws[i]!;
    const back = d.amount < left ? d.amount : left;
    if (back === 0n) continue;
    if (!(await s.tx.shrinkDraw(d.id, back))) throw new Error(`draw ${d.id} of ${d.chargeId} is smaller than ${back}`);
    oc.draws[i] = { ...d, amount: d.amount - back };
    add(byGrant, d, back);
    left -= back;
  }
  await creditEach(s, byGrant, kind);
}

export interface RefundRequest {
  outcome?: string;
  /** An explicit amount, for packs without a refund rule. */
  amount?: bigint;
  /** What was delivered (usage names of the pack's refund.usage_inputs), for the refund rule. */
  usage?: Record<string, unknown>;
}

/** A decision-table row of the refund rule that matched, e.g. when it refunded nothing. */
export interface DecidingRow {
  decision: string;
  /** `file:line` of the row. */
  row: string;
  outputs: unknown;
}

export interface RefundResult {
  amount: bigint;
  /** With nothing refunded by a rule: the rule and the rows that decided it. */
  decidedBy?: { operation: string; rows: DecidingRow[] };
}

export async function refund(s: Scope, oc: OpenCharge, r: RefundRequest): Promise<RefundResult> {
  const c = oc.record;
  if (c.status !== 'captured' || c.captured === null) throw new LedgerError('not_captured', `charge ${c.id} is ${c.status}; only a captured charge can be refunded`);
  const refundable = c.captured - c.refunded;
  if (refundable === 0n) {
    const d = s.pack.decimals;
    throw new LedgerError('nothing_to_refund', c.captured === 0n
      ? `charge ${c.id} captured nothing, so there is nothing to refund`
      : `charge ${c.id} was refunded in full already (${fromMinor(c.refunded, d)} of ${fromMinor(c.captured, d)})`,
    { captured: fromMinor(c.captured, d), refunded: fromMinor(c.refunded, d) });
  }
  const { amount, decidedBy } = refundAmount(s, c, r, refundable);
  if (amount > refundable) {
    throw new LedgerError('refund_exceeds_capture', `charge ${c.id} has ${fromMinor(refundable, s.pack.decimals)} left to refund, not ${fromMinor(amount, s.pack.decimals)}`);
  }
  if (amount === 0n) return { amount, ...(decidedBy ? { decidedBy } : {}) };
  if (!(await s.tx.addRefund(c.id, amount))) throw new LedgerError('refund_exceeds_capture', `charge ${c.id} cannot be refunded by that much`);
  oc.record = { ...c, refunded: c.refunded + amount };
  let left = amount;
  const byGrant: PerGrant = new Map();
  for (let i = oc.draws.length - 1; i >= 0 && left > 0n; i--) {
    const d = oc.draws[i]!;
    const open = d.amount - d.refunded;
    const back = open < left ? open : left;
    if (back === 0n) continue;
    if (!(await s.tx.refundDraw(d.id, back))) throw new Error(`draw ${d.id} of ${c.id} cannot take a refund of ${back}`);
    oc.draws[i] = { ...d, refunded: d.refunded + back };
    add(byGrant, d, back);
    left -= back;
  }
  await creditEach(s, byGrant, 'refund');
  return { amount };
}

function refundAmount(s: Scope, c: ChargeRecord, r: RefundRequest, refundable: bigint): RefundResult {
  const rule = s.policy.refund;
  if (!rule) {
    if (r.amount === undefined) throw new LedgerError('not_supported', `pack '${s.pack.name}' has no refund rule: give the amount to refund`);
    if (r.usage !== undefined) throw new LedgerError('invalid_usage', `pack '${s.pack.name}' has no refund rule to read usage`);
    return { amount: r.amount };
  }
  if (r.amount !== undefined) throw new LedgerError('invalid_request', `pack '${s.pack.name}' decides refund amounts by its '${rule.operation}' rule: give the outcome, not an amount`);
  if (r.outcome === undefined) throw new LedgerError('invalid_request', 'a refund needs the outcome of the generation');
  const input: Record<string, unknown> = { [rule.outcomeInput]: r.outcome, [rule.chargedInput]: fromMinor(refundable, s.pack.decimals) };
  const charged = JSON.parse(c.input) as Record<string, unknown>;
  for (const [from, to] of rule.chargeInputs) if (charged[from] !== undefined) input[to] = charged[from];
  for (const [name, value] of Object.entries(r.usage ?? {})) {
    const to = rule.usageInputs.get(name);
    if (to === undefined) {
      const known = [...rule.usageInputs.keys()];
      throw new LedgerError('invalid_usage', known.length
        ? `a refund's usage may set only ${known.map((k) => `'${k}'`).join(', ')}, not '${name}'`
        : `pack '${s.pack.name}' takes no usage with a refund, so '${name}' cannot be set`, { input: name, usage_inputs: known });
    }
    input[to] = value;
  }
  const result = s.engine.quote({ pack: s.pack.name, operation: rule.operation, input, at: new Date(s.now), explain: true });
  if (result.rejections.length) {
    throw new LedgerError('quote_rejected', result.rejections.map((x) => x.message).join('; '), { rejections: result.rejections });
  }
  const value = asDecimal(result.outputs[rule.output]);
  if (!value) throw new LedgerError('not_supported', `output '${rule.output}' of '${rule.operation}' is not an amount`);
  const amount = ruleAmount(value, s.pack.decimals, s.policy.rounding, `${rule.operation}.${rule.output}`);
  if (amount > 0n) return { amount };
  const rows = (result.trace ?? []).flatMap((t) => (t.kind === 'decision' && t.note
    ? [{ decision: t.name, row: t.note.replace(/^matched row /, ''), outputs: toJsonData(t.value) }] : []));
  return { amount, decidedBy: { operation: rule.operation, rows } };
}

function assertHeld(c: ChargeRecord): void {
  if (c.status === 'expired') throw new LedgerError('hold_expired', `the hold ${c.id} expired at ${new Date(c.expiresAt).toISOString()} and was released`);
  if (c.status !== 'held') throw resolved(c);
}

function resolved(c: ChargeRecord): LedgerError {
  return new LedgerError('hold_already_resolved', `charge ${c.id} is already ${c.status}`);
}

export function viewCharge(oc: OpenCharge, decimals: number): ChargeView {
  return chargeView(oc.record, oc.draws, decimals);
}
