// Grants the pack's rules decide: an event (top-up, daily claim, signup, a period's
// allowance) evaluates its operation and turns the named outputs or inputs into grants.
import type { GrantEvent } from '../rules/ledger-policy.ts';
import { toJsonData, type Value } from '../value.ts';
import { accountInputs, evaluate, withAccountInputs } from './account-inputs.ts';
import { LedgerError } from './errors.ts';
import { asDecimal, parseAmount, ruleAmount } from './money.ts';
import { addGrant } from './postings.ts';
import type { GrantRecord } from './records.ts';
import type { Scope } from './scope.ts';

export interface EventResult {
  grants: GrantRecord[];
  outputs: Record<string, unknown>;
}

export async function grantEvent(
  s: Scope, name: string, event: GrantEvent | undefined, request: Record<string, unknown>,
  opts: { at?: number; source?: string } = {},
): Promise<EventResult> {
  if (!event) throw new LedgerError('not_supported', `pack '${s.pack.name}' has no ${name} policy`);
  if (event.plans && !event.plans.includes(s.account.plan ?? '')) {
    throw new LedgerError('not_supported', `${name} is only for accounts on ${event.plans.join(', ')}; account '${s.account.id}' is on ${s.account.plan ?? 'no plan'}`);
  }
  const at = opts.at ?? s.now;
  const declared = event.operation ? s.engine.inputNames(s.pack.name, event.operation) : [];
  const amountInputs = event.grants.flatMap((g) => (g.amount.from === 'input' ? [g.amount.name] : []));
  for (const key of Object.keys(request)) {
    if (!declared.includes(key) && !amountInputs.includes(key)) {
      throw new LedgerError('invalid_request', `unknown input '${key}' for ${name}`, { known: [...new Set([...declared, ...amountInputs])] });
    }
  }
  let outputs: Record<string, Value> = {};
  if (event.operation) {
    const own = Object.fromEntries(Object.entries(request).filter(([k]) => declared.includes(k)));
    const input = withAccountInputs(own, await accountInputs(s.tx, s.account, s.policy, s.zone, at, declared));
    outputs = evaluate(s.engine, s.pack.name, event.operation, input, at).outputs;
  }
  const grants: GrantRecord[] = [];
  for (const g of event.grants) {
    const amount = g.amount.from === 'output'
      ? outputAmount(s, outputs[g.amount.name], `${event.operation}.${g.amount.name}`)
      : inputAmount(s, request[g.amount.name], g.amount.name);
    const made = await addGrant(s, g.kind, amount, opts.source ?? name, { effectiveAt: at });
    if (made) grants.push(made);
  }
  return { grants, outputs: Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, toJsonData(v)])) };
}

/** A rule output as an amount of credits, rounded by the pack's policy. */
export function outputAmount(s: Scope, v: Value | undefined, what: string): bigint {
  const d = asDecimal(v);
  if (!d) throw new LedgerError('not_supported', `${what} is not an amount`);
  return ruleAmount(d, s.pack.decimals, s.policy.rounding, what);
}

/** An amount the request gives (the credits a top-up buys): the API's strict decimal text (or
 *  a whole JSON number), and more than 0, since a grant of nothing is no top-up. */
function inputAmount(s: Scope, v: unknown, name: string): bigint {
  if (v === undefined) throw new LedgerError('invalid_request', `missing input '${name}'`);
  let amount: bigint;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) amount = parseAmount(String(v), s.pack.decimals, name);
  else if (typeof v === 'string') amount = parseAmount(v, s.pack.decimals, name);
  else throw new LedgerError('invalid_amount', `${name} must be a non-negative decimal string such as "12.5", got ${JSON.stringify(v)}`);
  if (amount === 0n) throw new LedgerError('invalid_amount', `${name} must be more than 0`);
  return amount;
}
