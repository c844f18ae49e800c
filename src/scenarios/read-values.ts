// Reading a scenario file's values with positions: amounts, times, durations, plans, grant
// kinds, operations and inputs, each checked against the pack and reported at its node.
import { isMap, isScalar, type Node, type Pair, type YAMLMap } from 'yaml';
import type { RuleError } from '../../grammar/diagnostic.ts';
import { parseDecimalText } from '../decimal.ts';
import type { LedgerPolicy } from '../rules/ledger-policy.ts';
import { errorAt, locOf, plainNumber, type Loc, type YamlFile } from '../rules/yaml-source.ts';
import { didYouMean } from '../suggest.ts';
import type { Expectation, Expected } from './model.ts';
import { parseDuration, parseTime, TIME_HINT, UNITS } from './time.ts';
import type { Leaf, NoneWord, Shape } from './vocabulary.ts';

/** What a scenario file is checked against. */
export interface ScenarioPack {
  name: string;
  dir: string;
  policy?: LedgerPolicy;
  /** When the pack's first version takes effect: a scenario's default start. */
  firstEffective: number;
  /** Each operation's input names (in any version). */
  operations: ReadonlyMap<string, readonly string[]>;
}

export class ValueReader {
  constructor(readonly f: YamlFile, readonly pack: ScenarioPack, readonly problems: RuleError[]) {}

  protected get policy(): LedgerPolicy {
    return this.pack.policy!;
  }

  error(node: Node | null | undefined, code: string, message: string, hint?: string): void {
    this.problems.push(errorAt(locOf(this.f, node), code, message, hint));
  }

  loc(node: Node | null | undefined): Loc {
    return locOf(this.f, node);
  }

  pair(map: YAMLMap, key: string): Pair<Node, Node> | undefined {
    return map.items.find((p) => isScalar(p.key) && p.key.value === key) as Pair<Node, Node> | undefined;
  }

  /** Reports keys of `map` not in `known`, with a did-you-mean; returns the unknown ones. */
  onlyKeys(map: YAMLMap, known: readonly string[], what: string): string[] {
    const unknown: string[] = [];
    for (const p of map.items as Pair<Node, Node>[]) {
      const name = String(isScalar(p.key) ? p.key.value : p.key);
      if (known.includes(name)) continue;
      unknown.push(name);
      this.error(p.key, 'scenario-unknown-field', `unknown field '${name}' in ${what}`, didYouMean(name, known) ?? `known fields: ${known.join(', ')}`);
    }
    return unknown;
  }

  protected kind(node: Node, extra: string[] = []): string | undefined {
    const name = String((node as { value?: unknown }).value);
    const kinds = [...this.policy.grantKinds.keys(), ...extra];
    if (kinds.includes(name)) return name;
    this.error(node, 'scenario-unknown-kind', `pack '${this.pack.name}' has no grant kind '${name}'`, didYouMean(name, kinds) ?? `its grant kinds: ${kinds.join(', ')}`);
    return undefined;
  }

  protected grantSelector(p: Pair<Node, Node>): string | undefined {
    const kindNode = isMap(p.value) ? this.pair(p.value, 'kind')?.value : undefined;
    if (!kindNode) {
      this.error(p.key, 'scenario-grant-kind', 'grant: needs the kind of the grant it looks at', `add kind:, one of ${[...this.policy.grantKinds.keys()].join(', ')}`);
      return undefined;
    }
    return this.kind(kindNode);
  }

  /** Flattens `expect`'s nested mappings into one expectation per value, each at its key. */
  protected expectation(shape: Shape, path: string[], p: Pair<Node, Node>, out: Expectation[]): void {
    const v = p.value;
    const what = path.join('.');
    if ('leaf' in shape) {
      const want = this.leaf(shape.leaf, shape.none, v, what);
      if (want) out.push({ path, want, at: this.loc(p.key) });
      return;
    }
    if ('none' in shape && shape.none && isScalar(v) && v.value === shape.none) {
      out.push({ path, want: { kind: 'text', value: null }, at: this.loc(p.key) });
      return;
    }
    if (!isMap(v)) {
      this.error(v ?? p.key, 'scenario-shape', `${what} must be a mapping`, `write it as ${what}: { name: value, … }${'none' in shape && shape.none ? `, or ${what}: ${shape.none}` : ''}`);
      return;
    }
    for (const q of v.items as Pair<Node, Node>[]) {
      const name = String(isScalar(q.key) ? q.key.value : q.key);
      if ('fields' in shape) {
        const field = shape.fields[name];
        if (!field) {
          this.error(q.key, 'scenario-unknown-field', `unknown field '${name}' in ${what}`, didYouMean(name, Object.keys(shape.fields)) ?? `its fields: ${Object.keys(shape.fields).join(', ')}`);
          continue;
        }
        // grant.kind selects the grant; the selector was read already.
        if (what === 'grant' && name === 'kind') continue;
        this.expectation(field, [...path, name], q, out);
      } else {
        if (shape.names !== 'names' && !this.kind(q.key, shape.names === 'kinds_and_overdraft' ? ['overdraft'] : [])) continue;
        this.expectation(shape.each, [...path, name], q, out);
      }
    }
  }

  protected leaf(leaf: Leaf, none: NoneWord | undefined, v: Node | null, what: string): Expected | undefined {
    if (none && isScalar(v) && (v.value === none || v.value === null)) return { kind: leaf === 'time' ? 'time' : leaf === 'amount' ? 'amount' : 'text', value: null } as Expected;
    switch (leaf) {
      case 'amount': {
        const d = this.amount(v, what);
        return d === undefined ? undefined : { kind: 'amount', value: parseDecimalText(d)! };
      }
      case 'time': {
        const t = this.time(v, none);
        return t === undefined ? undefined : { kind: 'time', value: t };
      }
      case 'count':
        if (isScalar(v) && typeof v.value === 'number' && Number.isSafeInteger(v.value) && v.value >= 0) return { kind: 'count', value: v.value };
        this.error(v, 'scenario-bad-count', `${what} must be a whole number`, 'write it in digits, like 3');
        return undefined;
      case 'flag':
        if (isScalar(v) && typeof v.value === 'boolean') return { kind: 'flag', value: v.value };
        this.error(v, 'scenario-bad-flag', `${what} must be true or false`);
        return undefined;
      case 'text':
        if (isScalar(v) && v.value !== null && typeof v.value !== 'object') return { kind: 'text', value: String(v.value) };
        this.error(v, 'scenario-bad-text', `${what} must be a word or a sentence`);
        return undefined;
      case 'value': {
        if (!isScalar(v)) return { kind: 'value', value: v?.toJSON() };
        return { kind: 'value', value: plainNumber(this.f, v)?.toFixed() ?? v.value };
      }
    }
  }

  /** An amount as exact decimal text: a plain YAML number (`176.99`, `300_000`) or a quoted one. */
  amount(v: Node | null | undefined, what: string): string | undefined {
    const n = plainNumber(this.f, v);
    const text = n ? n.toFixed() : isScalar(v) && typeof v.value === 'string' ? v.value.trim() : undefined;
    if (text !== undefined && /^-?\d+(\.\d+)?$/.test(text)) return text;
    this.error(v, 'scenario-bad-amount', `${what} must be an amount, like 1000 or 0.0225`, isScalar(v) ? `got ${JSON.stringify(v.value)}; write digits only, without a unit` : undefined);
    return undefined;
  }

  time(v: Node | null | undefined, none?: NoneWord): number | undefined {
    const t = isScalar(v) ? parseTime(String(v.value)) : undefined;
    if (t === undefined) this.error(v, 'scenario-bad-time', `not a date and time: ${isScalar(v) ? JSON.stringify(v.value) : 'a mapping'}`, none ? `${TIME_HINT}, or ${none}` : TIME_HINT);
    return t;
  }

  protected duration(v: Node | null | undefined): number | undefined {
    const d = parseDuration(isScalar(v) ? String(v.value ?? '') : '');
    if (typeof d === 'number') return d;
    this.error(v, 'scenario-bad-duration', `bad duration: ${d.problem}`, d.unit ? didYouMean(d.unit, UNITS) ?? d.hint : d.hint);
    return undefined;
  }

  protected reward(v: Node | null | undefined): string | undefined {
    const name = isScalar(v) ? String(v.value ?? '') : '';
    const rewards = [...this.policy.rewards.keys()];
    if (rewards.includes(name)) return name;
    this.error(v, 'scenario-unknown-reward', rewards.length ? `pack '${this.pack.name}' has no reward '${name}'` : `pack '${this.pack.name}' has no rewards in ledger.yaml`,
      rewards.length ? didYouMean(name, rewards) ?? `its rewards: ${rewards.join(', ')}` : undefined);
    return undefined;
  }

  protected plan(v: Node | null | undefined): string | undefined {
    const name = isScalar(v) ? String(v.value ?? '') : '';
    const plans = this.policy.plans?.names ?? [];
    if (plans.includes(name)) return name;
    this.error(v, 'scenario-unknown-plan', plans.length ? `pack '${this.pack.name}' has no plan '${name}'` : `pack '${this.pack.name}' has no plans`,
      plans.length ? didYouMean(name, plans) ?? `its plans: ${plans.join(', ')}` : 'remove the plan');
    return undefined;
  }

  /** `amounts`: inputs the ledger reads as amounts, given as decimal text (`"0.5"`, never a float). */
  protected inputs(v: Node | null | undefined, known: readonly string[] | undefined, what: string, amounts: readonly string[] = []): Record<string, unknown> | undefined {
    if (v === null || v === undefined || (isScalar(v) && v.value === null)) return {};
    if (!isMap(v)) {
      this.error(v, 'scenario-shape', `${what} must be a mapping of inputs`, 'write it as { name: value, … }');
      return undefined;
    }
    const out: Record<string, unknown> = {};
    for (const p of v.items as Pair<Node, Node>[]) {
      const name = String(isScalar(p.key) ? p.key.value : p.key);
      if (known && !known.includes(name)) {
        this.error(p.key, 'scenario-unknown-input', `${what} has no input '${name}'`, didYouMean(name, known) ?? `its inputs: ${known.join(', ') || '(none)'}`);
        continue;
      }
      // Other numbers as a JSON request carries them: a number, where it is exactly one.
      const n = plainNumber(this.f, p.value)?.toFixed();
      out[name] = n === undefined ? p.value?.toJSON() : amounts.includes(name) || String(Number(n)) !== n ? n : Number(n);
    }
    return out;
  }

  protected operation(v: Node | null | undefined, chargeable: boolean): string | undefined {
    const name = isScalar(v) ? String(v.value ?? '') : '';
    const known = chargeable ? [...this.policy.charges.keys()] : [...this.pack.operations.keys()];
    if (known.includes(name)) return name;
    const exists = this.pack.operations.has(name);
    this.error(v, 'scenario-unknown-operation', exists ? `'${name}' is not charged by the ledger (ledger.yaml charges: ${known.join(', ')})` : `pack '${this.pack.name}' has no operation '${name}'`,
      exists ? 'quote it instead, or add it to charges: in ledger.yaml' : didYouMean(name, known) ?? `operations: ${known.join(', ')}`);
    return undefined;
  }
}
