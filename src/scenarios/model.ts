// A ledger scenario as read from rules/<pack>/tests/scenarios/*.yaml: a timeline of steps
// against one fresh ledger with a virtual clock, each step with what it must lead to.
import type { Decimal } from '../decimal.ts';
import type { Loc } from '../rules/yaml-source.ts';

export type Action =
  | { do: 'create_account'; id: string; plan?: string; billing?: 'prepaid' | 'postpaid'; overdraft_limit?: string; time_zone?: string }
  | { do: 'subscribe' | 'upgrade' | 'downgrade'; plan: string }
  | { do: 'cancel' | 'renew' | 'claim_daily' | 'settle' | 'close_period' | 'check' }
  | { do: 'change_billing'; billing: 'prepaid' | 'postpaid'; overdraft_limit?: string }
  | { do: 'top_up'; input: Record<string, unknown> }
  | { do: 'reward'; reward: string }
  | { do: 'grant'; kind: string; amount: string; expires_at?: number; expires_in?: number }
  | { do: 'charge'; operation: string; input: Record<string, unknown>; capture: boolean; name?: string }
  | { do: 'capture'; charge: string; amount?: string; usage?: Record<string, unknown> }
  | { do: 'release'; charge: string }
  | { do: 'refund'; charge: string; outcome?: string; amount?: string; usage?: Record<string, unknown> }
  | { do: 'quote'; operation: string; input: Record<string, unknown> }
  | { do: 'advance'; ms: number }
  | { do: 'to'; at: number };

/** An expected value; `null` stands for none (`never` for an expiry, `unlimited` for a cap). */
export type Expected =
  | { kind: 'amount'; value: Decimal | null }
  | { kind: 'time'; value: number | null }
  | { kind: 'text'; value: string | null }
  | { kind: 'count'; value: number }
  | { kind: 'flag'; value: boolean }
  /** A rule's output or an account input, compared as the regression cases compare outputs. */
  | { kind: 'value'; value: unknown };

/** One expected value at its place in the step's `expect`: `balances.subscription: 1000`. */
export interface Expectation {
  /** Keys from `expect` down, e.g. ['balances', 'subscription'], ['grant', 'remaining']. */
  path: string[];
  want: Expected;
  /** The key it is written at, where a mismatch is reported. */
  at: Loc;
}

export interface Step {
  /** 1-based, as a PM counts the steps of a scenario. */
  number: number;
  action: Action;
  /** Where the step's action is written (its key, or the scalar of `- cancel`). */
  at: Loc;
  /** The account the step acts on and its expectations read. */
  account?: string;
  /** The idempotency key: a step repeating another's key is a retry of it. */
  key: string;
  expect: Expectation[];
  /** The grant kind a `grant:` expectation looks at (the newest grant of that kind). */
  grantKind?: string;
  /** The ledger error code the step must fail with, and a part of its message. */
  error?: { code: string; message?: string; at: Loc };
}

export interface Scenario {
  name: string;
  file: string;
  /** Where `- name:` is: the scenario's own position. */
  at: Loc;
  /** The virtual clock's start, epoch ms. */
  start: number;
  steps: Step[];
}
