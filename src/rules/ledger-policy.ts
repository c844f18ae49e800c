// A pack's ledger policy (rules/<pack>/ledger.yaml): grant kinds and their expiry, spend
// order, and which operation/output the ledger evaluates for each event. Read with positions,
// validated against schema/ledger.schema.json, then cross-checked against the pack.
import { isMap, isScalar, type Node } from 'yaml';
import { children, type Expr } from '../../grammar/ast.ts';
import { inlineSource, RuleError } from '../../grammar/diagnostic.ts';
import { parseFormula } from '../../grammar/parse.ts';
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
  /** `{ max }`: a formula over ROLLOVER_NAMES giving the most carried into the next period. */
  rollover: 'none' | 'all' | { max: string };
}

/** The names a rollover cap's formula may use. */
export const ROLLOVER_NAMES = ['allowance', 'leftover', 'plan'] as const;

export interface PlanChange {
  operation: string;
  fromInput: string;
  toInput: string;
  grants: { kind: string; output: string }[];
  takeBack: { kind: string; output: string }[];
  effective: 'now' | 'period_end';
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
  | { from: 'period_days' }
  | { from: 'period_days_left' }
  | { from: 'count'; operation: string; per: 'day' | 'month' | 'period' | 'all' }
  | { from: 'count'; operation: string; withinMs: number };

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
  /** Overdraft caps as decimal text or `unlimited`: the pack's, or per plan (plans not named: 0). */
  billing: { default: BillingMode; postpaidOverdraftLimit: string; postpaidLimitByPlan?: ReadonlyMap<string, string>; creditKind?: string };
  /** Credits a hold took from a grant that expired before the hold was resolved. */
  heldCredits: { capture: 'allow' | 'refuse'; release: { action: 'forfeit' } | { action: 'reissue'; kind: string } };
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
    fixedTerm: string[];
    upgrade?: PlanChange;
    downgrade?: PlanChange;
    cancel: 'now' | 'period_end';
  };
  topup?: GrantEvent;
  dailyClaim?: GrantEvent;
  signup?: GrantEvent;
  /** Named rewards an admin grants, each decided by the rules. */
  rewards: ReadonlyMap<string, GrantEvent>;
  refund?: {
    operation: string; output: string; outcomeInput: string; chargedInput: string;
    /** charge input → refund input; usage name → refund input. */
    chargeInputs: ReadonlyMap<string, string>;
    usageInputs: ReadonlyMap<string, string>;
  };
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
interface PlanChangeYaml {
  operation: string; from_input: string; to_input: string;
  grants?: { kind: string; output: string }[]; take_back?: { kind: string; output: string }[]; effective?: 'now' | 'period_end';
}
type Window = { minutes?: number; hours?: number; days?: number };
interface LedgerYaml {
  time_zone?: string;
  grant_kinds: Record<string, { expires: string | { days: number }; priority: number; rollover?: 'none' | 'all' | { max: string | number } }>;
  spend_order: SpendKey[];
  rounding?: Rounding;
  expired_grant_credit?: 'forfeit' | { reissue_as: string };
  billing?: { default?: BillingMode; postpaid_overdraft_limit?: string | Record<string, string>; credit_kind?: string };
  held_credits?: { capture_after_expiry?: 'allow' | 'refuse'; release_after_expiry?: 'forfeit' | { reissue_as: string } };
  holds?: { timeout_seconds?: number };
  charges: Record<string, string>;
  usage_inputs?: Record<string, string[]>;
  account_inputs?: Record<string, string | { count: string; per?: 'day' | 'month' | 'period' | 'all'; within?: Window }>;
  plans?: {
    names: string[]; default: string; allowance?: GrantEventYaml; fixed_term?: string[];
    upgrade?: PlanChangeYaml; downgrade?: PlanChangeYaml; cancel?: { effective?: 'now' | 'period_end' };
  };
  topup?: GrantEventYaml;
  daily_claim?: GrantEventYaml;
  signup?: GrantEventYaml;
  rewards?: Record<string, GrantEventYaml>;
  refund?: {
    operation: string; output: string; outcome_input: string; charged_input: string;
    charge_inputs?: Record<string, string>; usage_inputs?: Record<string, string>;
  };
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
    const rollover = typeof k.rollover === 'object' ? { max: String(k.rollover.max) } : k.rollover ?? 'none';
    if (typeof rollover === 'object') checkRolloverFormula(rollover.max, (code, message, hint) => at(['grant_kinds', name, 'rollover', 'max'], code, message, hint));
    kinds.set(name, { name, expires, priority: k.priority, rollover });
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
    if (typeof source === 'string') accountInputs.set(input, { from: source as 'plan' | 'billing' | 'subscription_period' | 'period_days' | 'period_days_left' });
    else {
      opOf(['account_inputs', input, 'count'], source.count);
      if (source.within) {
        const w = source.within;
        const withinMs = ((w.days ?? 0) * 1440 + (w.hours ?? 0) * 60 + (w.minutes ?? 0)) * 60_000;
        accountInputs.set(input, { from: 'count', operation: source.count, withinMs });
      } else accountInputs.set(input, { from: 'count', operation: source.count, per: source.per! });
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
  const change = (key: 'upgrade' | 'downgrade'): PlanChange | undefined => {
    const c = plans?.[key];
    if (!c) return undefined;
    const path = ['plans', key];
    opOf([...path, 'operation'], c.operation);
    inputOf([...path, 'from_input'], c.operation, c.from_input);
    inputOf([...path, 'to_input'], c.operation, c.to_input);
    for (const list of ['grants', 'take_back'] as const) {
      c[list]?.forEach((g, i) => {
        kindOf([...path, list, i, 'kind'], g.kind);
        outputOf([...path, list, i, 'output'], c.operation, g.output);
      });
    }
    if (c.effective === 'period_end' && (c.grants?.length || c.take_back?.length)) {
      at([...path, 'effective'], 'period-end-change-moves-credits', `a ${key} effective at the period's end grants and takes back nothing`,
        "the new period's allowance is what it gives: remove grants and take_back, or make it effective now");
    }
    return { operation: c.operation, fromInput: c.from_input, toInput: c.to_input, grants: c.grants ?? [], takeBack: c.take_back ?? [], effective: c.effective ?? 'now' };
  };
  plans?.fixed_term?.forEach((p, i) => planOf(['plans', 'fixed_term', i], p));
  const limit = y.billing?.postpaid_overdraft_limit;
  if (typeof limit === 'object' && plans) {
    for (const p of Object.keys(limit)) {
      if (!plans.names.includes(p)) at(['billing', 'postpaid_overdraft_limit', p], 'unknown-plan', `unknown plan '${p}'`, didYouMean(p, plans.names), true);
    }
  }
  if (typeof limit === 'object' && !plans) at(['billing', 'postpaid_overdraft_limit'], 'unknown-plan', 'overdraft limits per plan, but the pack has no plans');
  if (y.billing?.credit_kind !== undefined) kindOf(['billing', 'credit_kind'], y.billing.credit_kind);
  const held = y.held_credits?.release_after_expiry;
  if (typeof held === 'object') kindOf(['held_credits', 'release_after_expiry', 'reissue_as'], held.reissue_as);
  if (y.refund) {
    opOf(['refund', 'operation'], y.refund.operation);
    outputOf(['refund', 'output'], y.refund.operation, y.refund.output);
    inputOf(['refund', 'outcome_input'], y.refund.operation, y.refund.outcome_input);
    inputOf(['refund', 'charged_input'], y.refund.operation, y.refund.charged_input);
    for (const list of ['charge_inputs', 'usage_inputs'] as const) {
      for (const [from, to] of Object.entries(y.refund[list] ?? {})) inputOf(['refund', list, from], y.refund.operation, to);
    }
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
    billing: {
      default: y.billing?.default ?? 'prepaid',
      postpaidOverdraftLimit: typeof limit === 'string' ? limit : '0',
      ...(typeof limit === 'object' ? { postpaidLimitByPlan: new Map(Object.entries(limit)) } : {}),
      ...(y.billing?.credit_kind !== undefined ? { creditKind: y.billing.credit_kind } : {}),
    },
    heldCredits: {
      capture: y.held_credits?.capture_after_expiry ?? 'allow',
      release: typeof held === 'object' ? { action: 'reissue', kind: held.reissue_as } : { action: 'forfeit' },
    },
    holdTimeoutSeconds: y.holds?.timeout_seconds ?? 900,
    charges: new Map(Object.entries(y.charges)),
    usageInputs,
    accountInputs,
    plans: plans && {
      names: plans.names,
      default: plans.default,
      allowance: event('plans.allowance', ['plans', 'allowance'], plans.allowance),
      fixedTerm: plans.fixed_term ?? [],
      upgrade: change('upgrade'),
      downgrade: change('downgrade'),
      cancel: plans.cancel?.effective ?? 'period_end',
    },
    topup: event('topup', ['topup'], y.topup),
    dailyClaim: event('daily_claim', ['daily_claim'], y.daily_claim),
    signup: event('signup', ['signup'], y.signup),
    rewards: new Map(Object.entries(y.rewards ?? {}).map(([name, e]) => [name, event(`rewards.${name}`, ['rewards', name], e)!])),
    refund: y.refund && {
      operation: y.refund.operation, output: y.refund.output, outcomeInput: y.refund.outcome_input, chargedInput: y.refund.charged_input,
      chargeInputs: new Map(Object.entries(y.refund.charge_inputs ?? {})), usageInputs: new Map(Object.entries(y.refund.usage_inputs ?? {})),
    },
  };
  return errors.length ? { errors } : { policy, errors };
}

/** A rollover cap parses and names only what the ledger binds (ROLLOVER_NAMES). */
function checkRolloverFormula(text: string, report: (code: string, message: string, hint?: string) => void): void {
  let expr: Expr;
  try {
    expr = parseFormula(text, inlineSource(text, 'rollover.max'));
  } catch (e) {
    if (e instanceof RuleError) return report('bad-formula', `rollover.max: ${e.message}`);
    throw e;
  }
  const walk = (e: Expr): void => {
    if (e.kind === 'name' && !(ROLLOVER_NAMES as readonly string[]).includes(e.name)) {
      report('unknown-name', `unknown name '${e.name}' in rollover.max`, didYouMean(e.name, ROLLOVER_NAMES) ?? `it may use ${ROLLOVER_NAMES.join(', ')}`);
    }
    if (e.kind === 'lambda') return;
    children(e).forEach(walk);
  };
  walk(expr);
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
