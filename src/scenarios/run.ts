// Runs each pack's ledger scenarios (tests/scenarios/*.yaml): every scenario gets a fresh
// ledger over a scratch SQLite database and its own virtual clock, and its steps run in order
// until one doesn't do what it expects.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { positionOf, RuleError } from '../../grammar/diagnostic.ts';
import type { Engine } from '../engine/engine.ts';
import { LedgerError } from '../ledger/errors.ts';
import { Ledger } from '../ledger/ledger.ts';
import { withLedgerPolicies } from '../ledger/pack-policies.ts';
import type { PricingEngine } from '../ledger/pricing.ts';
import { SqliteStore } from '../ledger/store/sqlite-store.ts';
import { isoTime } from '../ledger/views.ts';
import type { Loc } from '../rules/yaml-source.ts';
import { mismatches, type Outcome } from './expectations.ts';
import { scenarioPackOf } from './check.ts';
import { loadScenarioFile, scenarioFiles } from './load.ts';
import type { Scenario, Step } from './model.ts';
import { VirtualClock } from './time.ts';

export interface ScenarioResult {
  file: string;
  line: number;
  col: number;
  name: string;
  pack: string;
  /** The step that failed, as `step 3: advance`. */
  step?: string;
  passed: boolean;
  /** What went wrong: expected and actual, one line each. */
  failure?: string;
}

export interface ScenarioRun {
  results: ScenarioResult[];
  /** Problems with the scenario files themselves. */
  diagnostics: RuleError[];
}

export async function runScenarios(engine: Engine): Promise<ScenarioRun> {
  const results: ScenarioResult[] = [];
  const diagnostics: RuleError[] = [];
  let pricing: PricingEngine | undefined;
  for (const info of engine.packs()) {
    const files = scenarioFiles(info.dir);
    if (!files.length) continue;
    const pack = scenarioPackOf(engine.checkedPack(info.name));
    for (const path of files) {
      const loaded = loadScenarioFile(path, pack);
      diagnostics.push(...loaded.problems);
      pricing ??= withLedgerPolicies(engine);
      for (const s of loaded.scenarios) results.push(await runScenario(pricing, info.name, s));
    }
  }
  return { results, diagnostics };
}

/**
 * A scenario's database lives only while it runs, in memory-backed /dev/shm where it can. The
 * SQLite store reads through a second connection, which a `:memory:` database can't share.
 */
function scratchDir(): string {
  if (existsSync('/dev/shm')) {
    try {
      return mkdtempSync(join('/dev/shm', 'credits-scenario-'));
    } catch {
      // not writable here: the temporary folder will do
    }
  }
  return mkdtempSync(join(tmpdir(), 'credits-scenario-'));
}

async function runScenario(pricing: PricingEngine, pack: string, s: Scenario): Promise<ScenarioResult> {
  const dir = scratchDir();
  const store = new SqliteStore({ path: join(dir, 'ledger.db'), synchronous: 'OFF' });
  const clock = new VirtualClock(s.start);
  const base = { file: s.file, ...place(s.at), name: s.name, pack };
  try {
    const ledger = await Ledger.open(store, pricing, { clock: clock.now });
    const charges = new Map<string, string>();
    for (const step of s.steps) {
      const failure = await runStep(ledger, pack, step, clock, charges);
      if (failure) return { ...base, ...place(failure.at), step: `step ${step.number}: ${stepWord(step)}`, passed: false, failure: failure.text };
    }
    return { ...base, passed: true };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function place(loc: Loc): { line: number; col: number } {
  const { line, col } = positionOf(loc.source, loc.span.start);
  return { line, col };
}

function stepWord(step: Step): string {
  const a = step.action;
  return a.do === 'charge' ? (a.capture ? 'charge' : 'hold') : a.do === 'check' ? 'expect' : a.do;
}

/** Runs one step and checks it; what failed, at the key to look at, or nothing. */
async function runStep(ledger: Ledger, pack: string, step: Step, clock: VirtualClock, charges: Map<string, string>): Promise<{ text: string; at: Loc } | undefined> {
  let out: Outcome = {};
  let thrown: LedgerError | RuleError | undefined;
  try {
    out = await act(ledger, pack, step, clock, charges);
  } catch (e) {
    if (!(e instanceof LedgerError) && !(e instanceof RuleError)) throw e;
    thrown = e;
  }
  const expected = step.error;
  if (thrown && !expected) return { text: `the step failed: ${thrown.code}: ${thrown.message}`, at: step.at };
  if (expected && !thrown) return { text: `error: expected ${expected.code}, but the step succeeded`, at: expected.at };
  if (expected && thrown) {
    if (thrown.code !== expected.code) return { text: `error: expected ${expected.code}, got ${thrown.code}: ${thrown.message}`, at: expected.at };
    if (expected.message !== undefined && !thrown.message.includes(expected.message)) {
      return { text: `message: expected one containing "${expected.message}", got "${thrown.message}"`, at: expected.at };
    }
  }
  let wrong;
  try {
    wrong = await mismatches(ledger, step, out);
  } catch (e) {
    // The account the expectations read may not exist (its creation was expected to fail).
    if (!(e instanceof LedgerError) && !(e instanceof RuleError)) throw e;
    return { text: `the expectations could not be read: ${e.code}: ${e.message}`, at: step.expect[0]!.at };
  }
  return wrong.length ? { text: wrong.map((m) => m.text).join('\n'), at: wrong[0]!.at } : undefined;
}

async function act(ledger: Ledger, pack: string, step: Step, clock: VirtualClock, charges: Map<string, string>): Promise<Outcome> {
  const a = step.action;
  const account = step.account!;
  const key = step.key;
  const chargeId = (name: string) => {
    const id = charges.get(name);
    if (id === undefined) throw new LedgerError('charge_not_found', `'${name}' was never charged: its step failed`);
    return id;
  };
  switch (a.do) {
    case 'create_account':
      await ledger.createAccount({ id: a.id, pack, plan: a.plan, billing: a.billing, overdraft_limit: a.overdraft_limit, time_zone: a.time_zone }, key);
      return {};
    case 'subscribe':
    case 'upgrade':
    case 'downgrade':
      return { outputs: (await ledger.membership(account, { action: a.do, plan: a.plan }, key)).outputs };
    case 'cancel':
    case 'renew':
      await ledger.membership(account, { action: a.do }, key);
      return {};
    case 'close_period':
      await ledger.closePeriod(account, key);
      return {};
    case 'change_billing':
      await ledger.changeBilling(account, { billing: a.billing, overdraft_limit: a.overdraft_limit }, key);
      return {};
    case 'claim_daily': {
      const r = await ledger.dailyClaim(account, key);
      return { granted: r.grants, outputs: r.outputs };
    }
    case 'top_up': {
      const r = await ledger.topup(account, a.input, key);
      return { granted: r.grants, outputs: r.outputs };
    }
    case 'reward': {
      const r = await ledger.reward(account, { reward: a.reward }, key);
      return { granted: r.grants, outputs: r.outputs };
    }
    case 'settle':
      await ledger.settle(account, key);
      return {};
    case 'grant': {
      const expires = a.expires_at ?? (a.expires_in !== undefined ? clock.ms + a.expires_in : undefined);
      const g = await ledger.grant(account, { kind: a.kind, amount: a.amount, expires_at: expires === undefined ? undefined : isoTime(expires) }, key);
      return { granted: [g] };
    }
    case 'charge': {
      const c = await ledger.createCharge({ account, operation: a.operation, input: a.input, capture: a.capture }, key);
      if (a.name) charges.set(a.name, c.id);
      return { charge: c };
    }
    case 'capture':
      return { charge: await ledger.captureCharge(chargeId(a.charge), { amount: a.amount, usage: a.usage }, key) };
    case 'release':
      return { charge: await ledger.releaseCharge(chargeId(a.charge), key) };
    case 'refund': {
      const r = await ledger.refundCharge(chargeId(a.charge), { outcome: a.outcome, amount: a.amount, usage: a.usage }, key);
      return { charge: r.charge, refunded: r.refunded };
    }
    case 'quote':
      return { quote: await ledger.quote({ pack, operation: a.operation, input: a.input, account }) };
    case 'advance':
      clock.ms += a.ms;
      return {};
    case 'to':
      clock.ms = a.at;
      return {};
    case 'check':
      return {};
  }
}
