// Reading a step's action: the value after its name (a plan, a duration, a time, or fields),
// checked against what the timeline made before it (accounts, charges, the clock).
import { isMap, isScalar, type Node } from 'yaml';
import { didYouMean } from '../suggest.ts';
import type { Action } from './model.ts';
import { ValueReader } from './read-values.ts';
import { STEPS, type StepName } from './vocabulary.ts';

/** What the steps so far have made, to check the next one against: the clock, accounts, charges. */
export interface Timeline {
  now: number;
  accounts: string[];
  charges: string[];
}

export class ActionReader extends ValueReader {
  /** How to write a step, in the pack's own words. */
  protected example(word: StepName): string {
    const op = [...this.policy.charges.keys()][0] ?? 'generate';
    const inputs = (this.pack.operations.get(op) ?? []).slice(0, 1).map((i) => `${i}: …`).join(', ');
    const plan = this.policy.plans?.names.at(-1) ?? 'pro';
    const kind = [...this.policy.grantKinds.keys()][0] ?? 'promo';
    const charge = `{ operation: ${op}, input: { ${inputs} } }`;
    const examples: Partial<Record<StepName, string>> = {
      create_account: `{ plan: ${plan} }`, subscribe: plan, upgrade: plan, downgrade: plan, top_up: '{ credits: 100 }',
      change_billing: '{ billing: postpaid, overdraft_limit: 100 }', reward: [...this.policy.rewards.keys()][0] ?? 'suggestion_adopted',
      grant: `{ kind: ${kind}, amount: 500, expires_in: 30 days }`, charge, hold: charge.replace(/ }$/, ', as: first }'), quote: charge,
      capture: '{ amount: 5 }', release: '{ charge: first }', refund: '{ outcome: failed }', advance: '31 days', to: '2026-12-01T00:00',
    };
    return examples[word] ?? '';
  }

  protected action(word: StepName, at: Node, value: Node | null, t: Timeline): Action | undefined {
    const spec = STEPS[word].args;
    switch (spec.takes) {
      case 'nothing':
        if (value !== null && !(isScalar(value) && value.value === null) && !(isMap(value) && !value.items.length)) {
          this.error(value, 'scenario-step-value', `step '${word}' takes no value`, `write it alone: - ${word}`);
          return undefined;
        }
        return { do: word as 'cancel' | 'renew' | 'claim_daily' | 'settle' | 'close_period' | 'check' };
      case 'plan': {
        const plan = this.plan(value);
        return plan === undefined ? undefined : { do: word as 'subscribe' | 'upgrade' | 'downgrade', plan };
      }
      case 'reward': {
        const reward = this.reward(value);
        return reward === undefined ? undefined : { do: 'reward', reward };
      }
      case 'duration': {
        const ms = this.duration(value);
        if (ms === undefined) return undefined;
        t.now += ms;
        return { do: 'advance', ms };
      }
      case 'time': {
        const to = this.time(value);
        if (to === undefined) return undefined;
        if (to < t.now) {
          this.error(value, 'scenario-time-backwards', `the clock can't go back: ${new Date(to).toISOString()} is before the scenario's time then, ${new Date(t.now).toISOString()}`,
            'give a later time, or move this step up');
          return undefined;
        }
        t.now = to;
        return { do: 'to', at: to };
      }
      case 'inputs': {
        const topup = this.policy.topup;
        if (!topup) {
          this.error(at, 'scenario-not-supported', `pack '${this.pack.name}' has no topup in ledger.yaml`);
          return undefined;
        }
        const amounts = topup.grants.flatMap((g) => (g.amount.from === 'input' ? [g.amount.name] : []));
        const input = this.inputs(value, [...(topup.operation ? this.pack.operations.get(topup.operation) ?? [] : []), ...amounts], 'top_up', amounts);
        return input && { do: 'top_up', input };
      }
      case 'fields':
        return this.fieldsAction(word, at, value, spec.fields, spec.required ?? [], t);
    }
  }

  protected fieldsAction(word: StepName, at: Node, value: Node | null, fields: Record<string, string>, required: string[], t: Timeline): Action | undefined {
    const map = isMap(value) ? value : undefined;
    if (value !== null && !map && !(isScalar(value) && value.value === null)) {
      this.error(value, 'scenario-shape', `${word}: takes a mapping of ${Object.keys(fields).join(', ')}`, `write it as ${word}: ${this.example(word)}`);
      return undefined;
    }
    const before = this.problems.length;
    const unknown = map ? this.onlyKeys(map, Object.keys(fields), `step '${word}'`) : [];
    // A misspelt required field is one mistake, said once (unknown field, did you mean …).
    const misspelt = (r: string) => unknown.some((u) => didYouMean(u, [r]) !== undefined);
    for (const r of required) {
      if ((!map || !this.pair(map, r)) && !misspelt(r)) this.error(map ?? at, 'scenario-missing-field', `step '${word}' needs ${r}:`, `write it as ${word}: ${this.example(word)}`);
    }
    if (this.problems.length > before) return undefined;
    const get = (name: string) => (map ? this.pair(map, name)?.value : undefined);
    const str = (name: string) => {
      const v = get(name);
      return isScalar(v) && v.value !== null ? String(v.value) : undefined;
    };
    const amountOf = (name: string) => (get(name) === undefined ? undefined : this.amount(get(name), name));
    const chargeName = (): string | undefined => {
      const named = str('charge');
      if (named === undefined) {
        if (!t.charges.length) this.error(at, 'scenario-no-charge', `there is no charge before this ${word} step`, 'charge or hold first: - hold: { operation: …, input: { … } }');
        return t.charges.at(-1);
      }
      if (!t.charges.includes(named)) this.error(get('charge'), 'scenario-unknown-charge', `no charge named '${named}' before this step`, didYouMean(named, t.charges) ?? 'name a charge with as: on its charge or hold step');
      return named;
    };
    const billingOf = (): 'prepaid' | 'postpaid' | undefined => {
      const billing = str('billing');
      if (billing === undefined || billing === 'prepaid' || billing === 'postpaid') return billing;
      this.error(get('billing'), 'scenario-bad-billing', `billing is prepaid or postpaid, not '${billing}'`, didYouMean(billing, ['prepaid', 'postpaid']));
      return undefined;
    };
    let action: Action | undefined;
    switch (word) {
      case 'create_account': {
        const id = str('id') ?? `account-${t.accounts.length + 1}`;
        if (t.accounts.includes(id)) this.error(get('id') ?? at, 'scenario-account-exists', `account '${id}' was created already`, 'give the second account another id:');
        const plan = get('plan') === undefined ? undefined : this.plan(get('plan'));
        const billing = billingOf();
        const overdraft = amountOf('overdraft_limit');
        t.accounts.push(id);
        action = { do: 'create_account', id, plan, billing, overdraft_limit: overdraft, time_zone: str('time_zone') };
        break;
      }
      case 'change_billing': {
        const billing = billingOf();
        if (billing) action = { do: 'change_billing', billing, overdraft_limit: amountOf('overdraft_limit') };
        break;
      }
      case 'grant': {
        const kind = this.kind(get('kind')!);
        const amount = amountOf('amount');
        const expiresAt = get('expires_at') === undefined ? undefined : this.time(get('expires_at'));
        const expiresIn = get('expires_in') === undefined ? undefined : this.duration(get('expires_in'));
        if (kind && amount) action = { do: 'grant', kind, amount, expires_at: expiresAt, expires_in: expiresIn };
        break;
      }
      case 'charge':
      case 'hold': {
        const operation = this.operation(get('operation'), true);
        const input = this.inputs(get('input'), operation ? this.pack.operations.get(operation) : undefined, `operation '${operation ?? '?'}'`);
        const name = str('as') ?? `charge ${t.charges.length + 1}`;
        t.charges.push(name);
        if (operation && input) action = { do: 'charge', operation, input, capture: word === 'charge', name };
        break;
      }
      case 'capture': {
        const charge = chargeName();
        const usage = get('usage') === undefined ? undefined : this.inputs(get('usage'), undefined, 'usage');
        if (charge) action = { do: 'capture', charge, amount: amountOf('amount'), usage };
        break;
      }
      case 'release':
      case 'refund': {
        const charge = chargeName();
        const usage = get('usage') === undefined ? undefined : this.inputs(get('usage'), undefined, 'usage');
        if (charge) action = word === 'release' ? { do: 'release', charge } : { do: 'refund', charge, outcome: str('outcome'), amount: amountOf('amount'), usage };
        break;
      }
      case 'quote': {
        const operation = this.operation(get('operation'), false);
        const input = this.inputs(get('input'), operation ? this.pack.operations.get(operation) : undefined, `operation '${operation ?? '?'}'`);
        if (operation && input) action = { do: 'quote', operation, input };
        break;
      }
      default:
        throw new Error(`step '${word}' has fields but no reader`);
    }
    return this.problems.length > before ? undefined : action;
  }
}
