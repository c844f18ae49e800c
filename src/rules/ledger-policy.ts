// A pack's ledger policy (rules/<pack>/ledger.yaml): grant kinds and their expiry, spend
// order, and which operation/output the ledger evaluates for each event. Read with positions,
// validated against schema/ledger.schema.json, then cross-checked against the pack.
import { isMap, isScalar, type Node } from 'yaml';
import { RuleError } from '../../grammar/diagnostic.ts';
import { didYouMean } from '../suggest.ts';
import schema from './schema/ledger.schema.json' with { type: 'json' };
import { errorAt, locOf, parseYaml, readYamlFile, validateYaml, yamlErrors, type YamlFile } from './yaml-source.ts';

export type Expiry =
  | { kind: 'never' }
  | { kind: 'end_of_day' }
  | { kind: 'end_of_period' }
  | { kind: 'days'; days: number };

export interface GrantKind {
  name: string;
  expires: Expiry;
  priority: number;
  rollover: 'none' | 'all';
}

export type AmountSource = { from: 'output'; name: string } | { from: 'input'; name: string };

export interface GrantEvent {
  operation?: string;
  plans?: string[];
  grants: { kind: string; amount: AmountSource }[];
}

export type AccountInput =
  | { from: 'plan' }
  | { from: 'billing' }
  | { from: 'subscription_period' }
  | { from: 'count'; operation: string; per: 'day' | 'month' | 'all' };

export type SpendKey = 'soonest_expiry' | 'priority' | 'oldest';
export type Rounding = 'up' | 'down' | 'half_up';
export type BillingMode = 'prepaid' | 'postpaid';

export interface LedgerPolicy {
  file: string;
  /** `account`, or an IANA zone every account of the pack shares. */
  timeZone: string;
  grantKinds: ReadonlyMap<string, GrantKind>;
  spendOrder: SpendKey[];
  rounding: Rounding;
  /** Whether ledger.yaml says how amounts are rounded; `rounding` is the default (up) when it doesn't. */
  roundingDeclared: boolean;
  expiredGrantCredit: { action: 'forfeit' } | { action: 'reissue'; kind: string };
  billing: { default: BillingMode; postpaidOverdraftLimit: string };
  holdTimeoutSeconds: number;
  /** Chargeable operation → the output that is its amount. */
  charges: ReadonlyMap<string, string>;
  /** Chargeable operation → the inputs a capture's usage may set (none when absent). */
  usageInputs: ReadonlyMap<string, readonly string[]>;
  accountInputs: ReadonlyMap<string, AccountInput>;
  plans?: {
    names: string[];
    default: string;
    allowance?: GrantEvent;
    upgrade?: { operation: string; fromInput: string; toInput: string };
  };
  topup?: GrantEvent;
  dailyClaim?: GrantEvent;
  signup?: GrantEvent;
  refund?: { operation: string; output: string; outcomeInput: string; chargedInput: string };
}

/** What the pack declares, for cross-checks; omit to check the file on its own. */
export interface PackOperations {
  [operation: string]: { inputs: string[]; outputs: string[] };
}

export type LedgerPolicyResult = { policy: LedgerPolicy; errors: RuleError[] } | { policy?: undefined; errors: RuleError[] };

export function loadLedgerPolicy(path: string, operations?: PackOperations, label = path): LedgerPolicyResult {
  return checkLedgerPolicy(readYamlFile(path, label), operations);
}

export function parseLedgerPolicy(text: string, file: string, operations?: PackOperations): LedgerPolicyResult {
  return checkLedgerPolicy(parseYaml(text, file), operations);
}

interface GrantEventYaml { operation?: string; plans?: string[]; grants: { kind: string; output?: string; input?: string }[] }
interface LedgerYaml {
  time_zone?: string;
  grant_kinds: Record<string, { expires: string | { days: number }; priority: number; rollover?: 'none' | 'all' }>;
  spend_order: SpendKey[];
  rounding?: Rounding;
  expired_grant_credit?: 'forfeit' | { reissue_as: string };
  billing?: { default?: BillingMode; postpaid_overdraft_limit?: string };
  holds?: { timeout_seconds?: number };
  charges: Record<string, string>;
  usage_inputs?: Record<string, string[]>;
  account_inputs?: Record<string, string | { count: string; per: 'day' | 'month' | 'all' }>;
  plans?: { names: string[]; default: string; allowance?: GrantEventYaml; upgrade?: { operation: string; from_input: string; to_input: string } };
  topup?: GrantEventYaml;
  daily_claim?: GrantEventYaml;
  signup?: GrantEventYaml;
  refund?: { operation: string; output: string; outcome_input: string; charged_input: string };
}

function checkLedgerPolicy(f: YamlFile, operations?: PackOperations): LedgerPolicyResult {
  const syntax = yamlErrors(f);
  if (syntax.length) return { errors: syntax };
  const schemaErrors = validateYaml(f, schema);
  if (schemaErrors.length) return { errors: schemaErrors };
  const y = f.doc.toJS() as LedgerYaml;
  const errors: RuleError[] = [];
  const at = (path: (string | number)[], code: string, message: string, hint?: string, onKey = false) =>
    errors.push(errorAt(locOf(f, nodeAt(f, path, onKey)), code, message, hint));

  const kinds = new Map<string, GrantKind>();
  for (const [name, k] of Object.entries(y.grant_kinds)) {
    const expires: Expiry = typeof k.expires === 'object' ? { kind: 'days', days: k.expires.days } : { kind: k.expires as 'never' | 'end_of_day' | 'end_of_period' };
    kinds.set(name, { name, expires, priority: k.priority, rollover: k.rollover ?? 'none' });
  }
  const timeZone = y.time_zone ?? 'account';
  if (timeZone !== 'account' && !validZone(timeZone)) at(['time_zone'], 'unknown-time-zone', `unknown time zone '${timeZone}'`, "use `account` or an IANA name such as 'UTC' or 'Europe/Paris'");

  const opOf = (path: (string | number)[], name: string | undefined, onKey = false) => {
    if (!operations || name === undefined || operations[name]) return;
    at(path, 'unknown-operation', `unknown operation '${name}'`, didYouMean(name, Object.keys(operations)), onKey);
  };
  const outputOf = (path: (string | number)[], op: string | undefined, output: string) => {
    const decl = op !== undefined ? operations?.[op] : undefined;
    if (decl && !decl.outputs.includes(output)) at(path, 'unknown-output', `operation '${op}' has no output '${output}'`, didYouMean(output, decl.outputs));
  };
  const inputOf = (path: (string | number)[], op: string, input: string) => {
    const decl = operations?.[op];
    if (decl && !decl.inputs.includes(input)) at(path, 'unknown-input', `operation '${op}' has no input '${input}'`, didYouMean(input, decl.inputs));
  };
  const kindOf = (path: (string | number)[], kind: string) => {
    if (!kinds.has(kind)) at(path, 'unknown-grant-kind', `unknown grant kind '${kind}'`, didYouMean(kind, kinds.keys()));
  };
  const plans = y.plans;
  const planOf = (path: (string | number)[], plan: string) => {
    if (plans && !plans.names.includes(plan)) at(path, 'unknown-plan', `unknown plan '${plan}'`, didYouMean(plan, plans.names));
  };
  const event = (key: string, path: (string | number)[], e: GrantEventYaml | undefined): GrantEvent | undefined => {
    if (!e) return undefined;
    opOf([...path, 'operation'], e.operation);
    e.plans?.forEach((p, i) => planOf([...path, 'plans', i], p));
    const grants = e.grants.map((g, i) => {
      kindOf([...path, 'grants', i, 'kind'], g.kind);
      if (g.output !== undefined) {
        if (e.operation === undefined) at([...path, 'grants', i, 'output'], 'missing-operation', `'${key}' takes an output but names no operation`);
        outputOf([...path, 'grants', i, 'output'], e.operation, g.output);
      }
      const amount: AmountSource = g.output !== undefined ? { from: 'output', name: g.output } : { from: 'input', name: g.input! };
      return { kind: g.kind, amount };
    });
    return { operation: e.operation, plans: e.plans, grants };
  };

  for (const [op, output] of Object.entries(y.charges)) {
    opOf(['charges', op], op, true);
    outputOf(['charges', op], op, output);
  }
  const accountInputs = new Map<string, AccountInput>();
  for (const [input, source] of Object.entries(y.account_inputs ?? {})) {
    if (typeof source === 'string') accountInputs.set(input, { from: source as 'plan' | 'billing' | 'subscription_period' });
    else {
      opOf(['account_inputs', input, 'count'], source.count);
      accountInputs.set(input, { from: 'count', operation: source.count, per: source.per });
    }
  }
  const usageInputs = new Map<string, readonly string[]>();
  for (const [op, inputs] of Object.entries(y.usage_inputs ?? {})) {
    if (!(op in y.charges)) {
      at(['usage_inputs', op], 'not-chargeable', `'${op}' is not in charges, so it has no captures to take usage`, didYouMean(op, Object.keys(y.charges)), true);
      continue;
    }
    inputs.forEach((input, i) => {
      inputOf(['usage_inputs', op, i], op, input);
      if (accountInputs.has(input)) at(['usage_inputs', op, i], 'account-input-as-usage', `'${input}' comes from the account, so a capture's usage cannot set it`);
    });
    usageInputs.set(op, inputs);
  }
  if (plans) planOf(['plans', 'default'], plans.default);
  if (plans?.upgrade) {
    opOf(['plans', 'upgrade', 'operation'], plans.upgrade.operation);
    inputOf(['plans', 'upgrade', 'from_input'], plans.upgrade.operation, plans.upgrade.from_input);
    inputOf(['plans', 'upgrade', 'to_input'], plans.upgrade.operation, plans.upgrade.to_input);
  }
  if (y.refund) {
    opOf(['refund', 'operation'], y.refund.operation);
    outputOf(['refund', 'output'], y.refund.operation, y.refund.output);
    inputOf(['refund', 'outcome_input'], y.refund.operation, y.refund.outcome_input);
    inputOf(['refund', 'charged_input'], y.refund.operation, y.refund.charged_input);
  }
  const egc = y.expired_grant_credit ?? 'forfeit';
  if (typeof egc === 'object') kindOf(['expired_grant_credit', 'reissue_as'], egc.reissue_as);
  const usesPeriods = [...kinds.values()].some((k) => k.expires.kind === 'end_of_period');
  if (usesPeriods && !plans?.allowance) at(['grant_kinds'], 'no-period', 'a grant kind expires at the end of the period, but no plans.allowance starts periods');

  const policy: LedgerPolicy = {
    file: f.path,
    timeZone,
    grantKinds: kinds,
    spendOrder: y.spend_order,
    rounding: y.rounding ?? 'up',
    roundingDeclared: y.rounding !== undefined,
    expiredGrantCredit: typeof egc === 'object' ? { action: 'reissue', kind: egc.reissue_as } : { action: 'forfeit' },
    billing: { default: y.billing?.default ?? 'prepaid', postpaidOverdraftLimit: y.billing?.postpaid_overdraft_limit ?? '0' },
    holdTimeoutSeconds: y.holds?.timeout_seconds ?? 900,
    charges: new Map(Object.entries(y.charges)),
    usageInputs,
    accountInputs,
    plans: plans && {
      names: plans.names,
      default: plans.default,
      allowance: event('plans.allowance', ['plans', 'allowance'], plans.allowance),
      upgrade: plans.upgrade && { operation: plans.upgrade.operation, fromInput: plans.upgrade.from_input, toInput: plans.upgrade.to_input },
    },
    topup: event('topup', ['topup'], y.topup),
    dailyClaim: event('daily_claim', ['daily_claim'], y.daily_claim),
    signup: event('signup', ['signup'], y.signup),
    refund: y.refund && { operation: y.refund.operation, output: y.refund.output, outcomeInput: y.refund.outcome_input, chargedInput: y.refund.charged_input },
  };
  return errors.length ? { errors } : { policy, errors };
}

function validZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The node at a path (or, with onKey, the key naming its last step). */
function nodeAt(f: YamlFile, path: (string | number)[], onKey = false): Node | null {
  let node: unknown = f.doc.contents;
  let last: Node | null = null;
  for (const [i, seg] of path.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      last = onKey && i === path.length - 1 ? (pair.key as Node) : ((pair.value as Node) ?? (pair.key as Node));
      node = pair.value;
    } else if (node && typeof node === 'object' && 'items' in node && typeof seg === 'number') {
      node = (node as { items: unknown[] }).items[seg];
      last = (node as Node) ?? last;
    } else break;
  }
  return last;
}
