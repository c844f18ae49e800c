// The words of a scenario file: the steps a timeline can take, the fields each takes, and
// what a step's `expect` may name — one table each, read by the loader and by the docs.
import type { Action } from './model.ts';

export type Leaf = 'amount' | 'time' | 'text' | 'count' | 'flag' | 'value';

/** The word a value that isn't there is written as: an expiry `never`, an overdraft cap `unlimited`. */
export type NoneWord = 'none' | 'never' | 'unlimited';

/** What an expectation key holds: a value, a mapping of known fields, or a mapping by name. */
export type Shape =
  | { leaf: Leaf; none?: NoneWord }
  | { fields: Record<string, Shape>; none?: 'none' }
  /** Names are the pack's grant kinds (`kinds`, `overdraft` too for draws) or free (`names`). */
  | { each: Shape; names: 'kinds' | 'kinds_and_overdraft' | 'names' };

const amount: Shape = { leaf: 'amount' };
const text: Shape = { leaf: 'text' };
const count: Shape = { leaf: 'count' };
const time: Shape = { leaf: 'time' };
const byKind: Shape = { each: amount, names: 'kinds' };
const values: Shape = { each: { leaf: 'value' }, names: 'names' };

/** What any step may expect of its account, read after the step. */
export const ACCOUNT_EXPECT: Record<string, Shape> = {
  balance: amount,
  available: { leaf: 'amount', none: 'unlimited' },
  overdraft_used: amount,
  overdraft_limit: { leaf: 'amount', none: 'unlimited' },
  plan: text,
  billing: text,
  balances: byKind,
  subscription: {
    none: 'none',
    fields: { plan: text, period: count, period_start: time, period_end: time, cancel_at_period_end: { leaf: 'flag' } },
  },
  // `kind` picks the grant (the newest of that kind); the other fields are compared.
  grant: { fields: { kind: text, remaining: amount, amount, expires_at: { leaf: 'time', none: 'never' }, effective_at: time, source: text } },
  // The newest statement of a postpaid account (closed by close_period, or at the month's end).
  statement: {
    fields: {
      period_start: time, period_end: time, total: amount, credits_applied: amount, amount_due: amount,
      lines: { each: amount, names: 'names' }, charges: { each: count, names: 'names' },
    },
  },
  counters: {
    fields: {
      requests_today: count, requests_this_month: count, requests_total: count,
      spend_today: amount, spend_this_month: amount, spend_total: amount,
    },
  },
};

const CHARGE: Shape = {
  fields: {
    status: text, version: text, held: amount, captured: { leaf: 'amount', none: 'none' }, refunded: amount, refund_status: text,
    draws: { each: amount, names: 'kinds_and_overdraft' },
    refunded_to: { each: amount, names: 'kinds_and_overdraft' },
  },
};

export type StepName = Exclude<Action['do'], 'charge'> | 'charge' | 'hold';

/** What a step may expect of its own result, besides its account (and `error`). */
export const STEP_EXPECT: Partial<Record<StepName, Record<string, Shape>>> = {
  charge: { charge: CHARGE },
  hold: { charge: CHARGE },
  capture: { charge: CHARGE },
  release: { charge: CHARGE },
  refund: { charge: CHARGE, refunded: amount },
  top_up: { granted: byKind, outputs: values },
  claim_daily: { granted: byKind, outputs: values },
  grant: { granted: byKind },
  reward: { granted: byKind, outputs: values },
  upgrade: { outputs: values },
  downgrade: { outputs: values },
  quote: { amount: { leaf: 'amount', none: 'none' }, rejected: text, outputs: values, account_inputs: values },
};

/** Steps that move only the clock or only look: they can't fail, so they expect no error. */
export const NO_ERROR: ReadonlySet<StepName> = new Set(['advance', 'to', 'check']);

/** How a step's value is written after its name. */
export type Args =
  | { takes: 'nothing' }
  | { takes: 'plan' | 'duration' | 'time' | 'reward' }
  | { takes: 'fields'; fields: Record<string, 'name' | 'plan' | 'billing' | 'amount' | 'text' | 'time' | 'duration' | 'inputs' | 'operation' | 'kind' | 'flag'>; required?: string[] }
  | { takes: 'inputs' };

export const STEPS: Record<StepName, { args: Args; about: string }> = {
  create_account: {
    about: 'create an account (the steps after it act on it)',
    args: { takes: 'fields', fields: { id: 'name', plan: 'plan', billing: 'billing', overdraft_limit: 'amount', time_zone: 'text' } },
  },
  subscribe: { about: 'subscribe to a plan', args: { takes: 'plan' } },
  upgrade: { about: 'move to another plan within the period', args: { takes: 'plan' } },
  downgrade: { about: 'move to a smaller plan (now or at the renewal, as the pack says)', args: { takes: 'plan' } },
  cancel: { about: 'cancel the subscription (at the end of its period or at once, as the pack says)', args: { takes: 'nothing' } },
  renew: { about: 'undo a cancellation, or renew a fixed-term plan for one more period', args: { takes: 'nothing' } },
  claim_daily: { about: "claim the day's free credits", args: { takes: 'nothing' } },
  settle: { about: "record a postpaid account's billed usage as paid", args: { takes: 'nothing' } },
  close_period: { about: "close a postpaid account's statement period now", args: { takes: 'nothing' } },
  change_billing: {
    about: 'switch between prepaid and postpaid',
    args: { takes: 'fields', fields: { billing: 'billing', overdraft_limit: 'amount' }, required: ['billing'] },
  },
  top_up: { about: 'buy credits (the inputs of the pack\'s topup)', args: { takes: 'inputs' } },
  reward: { about: 'grant one of the rewards of ledger.yaml', args: { takes: 'reward' } },
  grant: {
    about: 'give credits of a grant kind (as an admin)',
    args: { takes: 'fields', fields: { kind: 'kind', amount: 'amount', expires_at: 'time', expires_in: 'duration' }, required: ['kind', 'amount'] },
  },
  charge: {
    about: 'charge an operation (hold and capture at once)',
    args: { takes: 'fields', fields: { operation: 'operation', input: 'inputs', as: 'name' }, required: ['operation'] },
  },
  hold: {
    about: 'hold the price of an operation, to capture or release later',
    args: { takes: 'fields', fields: { operation: 'operation', input: 'inputs', as: 'name' }, required: ['operation'] },
  },
  capture: { about: 'capture a hold', args: { takes: 'fields', fields: { charge: 'name', amount: 'amount', usage: 'inputs' } } },
  release: { about: 'release a hold', args: { takes: 'fields', fields: { charge: 'name' } } },
  refund: { about: 'refund a captured charge', args: { takes: 'fields', fields: { charge: 'name', outcome: 'text', amount: 'amount', usage: 'inputs' } } },
  quote: { about: 'price an operation for the account', args: { takes: 'fields', fields: { operation: 'operation', input: 'inputs' }, required: ['operation'] } },
  advance: { about: 'move the clock forward', args: { takes: 'duration' } },
  to: { about: 'move the clock to a time', args: { takes: 'time' } },
  check: { about: 'only check expectations', args: { takes: 'nothing' } },
};

/** Keys a step may have besides its action. */
export const STEP_KEYS = ['expect', 'account', 'key'] as const;
