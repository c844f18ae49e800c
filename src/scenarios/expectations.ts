// A step's expectations compared with what the ledger says after it: each mismatch names
// the expected value and the actual one, at the key it is written at.
import { Decimal, parseDecimalText } from '../decimal.ts';
import type { Ledger, QuoteView, UsageView } from '../ledger/ledger.ts';
import { isoTime, type AccountView, type ChargeView, type GrantView, type StatementView } from '../ledger/views.ts';
import type { Loc } from '../rules/yaml-source.ts';
import type { Expected, Step } from './model.ts';

/** What a step's own call returned, for the expectations about it. */
export interface Outcome {
  charge?: ChargeView;
  refunded?: string;
  granted?: GrantView[];
  outputs?: Record<string, unknown>;
  quote?: QuoteView;
}

export interface Mismatch {
  text: string;
  at: Loc;
}

/** The account's state, read once per step and only the parts its expectations name. */
class AccountState {
  private view?: Promise<AccountView>;
  private grantList?: Promise<GrantView[]>;
  private counters?: Promise<UsageView>;
  private statementList?: Promise<StatementView[]>;
  constructor(private readonly ledger: Ledger, private readonly id: string) {}
  account = () => (this.view ??= this.ledger.account(this.id));
  grants = () => (this.grantList ??= this.ledger.grants(this.id));
  usage = () => (this.counters ??= this.ledger.usage(this.id));
  statements = () => (this.statementList ??= this.ledger.statements(this.id));
}

/** The value looked at, or why there is none (no subscription, no such output, …). */
type Actual = { value: unknown } | { missing: string };

const sumOf = (amounts: string[]) => amounts.reduce((s, a) => s.plus(parseDecimalText(a)!), new Decimal(0)).toFixed();

async function actual(path: string[], step: Step, out: Outcome, state: AccountState): Promise<Actual> {
  const [head, field] = path as [string, string | undefined];
  const none = (what: string): Actual => ({ missing: what });
  switch (head) {
    case 'balances': {
      const b = (await state.account()).balances.find((x) => x.kind === field);
      return { value: b?.remaining ?? '0' };
    }
    case 'subscription': {
      const sub = (await state.account()).subscription;
      if (field === undefined) return { value: sub === null ? null : 'a subscription' };
      return sub ? { value: sub[field as keyof typeof sub] } : none('no subscription');
    }
    case 'grant': {
      const ofKind = (await state.grants()).filter((g) => g.kind === step.grantKind);
      // The newest: the last made among those that took effect last.
      const newest = ofKind.reduce<GrantView | undefined>((n, g) => (!n || g.effective_at >= n.effective_at ? g : n), undefined);
      return newest ? { value: newest[field as keyof GrantView] } : none(`no ${step.grantKind} grant`);
    }
    case 'statement': {
      const newest = (await state.statements()).reduce<StatementView | undefined>((n, st) => (!n || st.period_end >= n.period_end ? st : n), undefined);
      if (!newest) return none('no statement');
      if (field === 'lines' || field === 'charges') {
        const line = newest.lines.find((l) => l.operation === path[2]);
        return { value: field === 'lines' ? line?.amount ?? '0' : line?.charges ?? 0 };
      }
      return { value: newest[field as keyof StatementView] };
    }
    case 'counters':
      return { value: (await state.usage())[field as keyof UsageView] };
    case 'charge': {
      const c = out.charge;
      if (!c) return none('no charge');
      if (field === 'draws' || field === 'refunded_to') {
        const kind = path[2];
        const draws = c.draws.filter((d) => (d.kind ?? 'overdraft') === kind);
        return { value: sumOf(draws.map((d) => (field === 'draws' ? d.amount : d.refunded))) };
      }
      return { value: c[field as keyof ChargeView] };
    }
    case 'refunded':
      return out.refunded === undefined ? none('no refund') : { value: out.refunded };
    case 'granted':
      return { value: sumOf((out.granted ?? []).filter((g) => g.kind === field).map((g) => g.amount)) };
    case 'outputs':
    case 'account_inputs': {
      const values = head === 'outputs' ? out.outputs ?? out.quote?.outputs : out.quote?.account_inputs;
      if (!values || !(field! in values)) return none(`no ${head === 'outputs' ? 'output' : 'account input'} '${field}' (${head}: ${Object.keys(values ?? {}).join(', ') || 'none'})`);
      return { value: values[field!] };
    }
    case 'amount':
      return { value: out.quote?.amount ?? null };
    case 'rejected':
      return { value: out.quote?.rejections.map((r) => r.message) ?? [] };
    default:
      return { value: (await state.account())[head as keyof AccountView] };
  }
}

function matches(want: Expected, got: unknown, path: string[]): boolean {
  if (path[0] === 'rejected') return (got as string[]).some((m) => m.includes(String(want.value)));
  if (want.value === null) return got === null || got === undefined;
  if (got === null || got === undefined) return false;
  switch (want.kind) {
    case 'amount': {
      const d = parseDecimalText(String(got));
      return d !== undefined && d.eq(want.value);
    }
    case 'time':
      return Date.parse(String(got)) === want.value;
    case 'text':
      return String(got) === want.value;
    case 'count':
    case 'flag':
      return got === want.value;
    case 'value':
      return sameValue(want.value, got);
  }
}

/** A rule's value as YAML writes it and as the ledger returns it (numbers as decimal text). */
function sameValue(want: unknown, got: unknown): boolean {
  const a = typeof want === 'number' || typeof want === 'string' ? parseDecimalText(String(want)) : undefined;
  const b = typeof got === 'number' || typeof got === 'string' ? parseDecimalText(String(got)) : undefined;
  if (a && b) return a.eq(b);
  if (Array.isArray(want) && Array.isArray(got)) return want.length === got.length && want.every((w, i) => sameValue(w, got[i]));
  if (want && got && typeof want === 'object' && typeof got === 'object') {
    const keys = Object.keys(want);
    return keys.length === Object.keys(got).length && keys.every((k) => k in got && sameValue((want as Record<string, unknown>)[k], (got as Record<string, unknown>)[k]));
  }
  return want === got;
}

/** How a value that isn't there is said where it is expected. */
function noneWord(path: string[]): string {
  const last = path.at(-1);
  return last === 'expires_at' ? 'never' : last === 'overdraft_limit' || last === 'available' ? 'unlimited' : 'none';
}

function showWant(want: Expected, path: string[]): string {
  if (want.value === null) return noneWord(path);
  if (want.kind === 'amount') return want.value.toFixed();
  if (want.kind === 'time') return isoTime(want.value);
  if (path[0] === 'rejected') return `a rejection containing "${String(want.value)}"`;
  return typeof want.value === 'string' ? want.value : JSON.stringify(want.value);
}

function showGot(got: unknown, path: string[]): string {
  if (got === null || got === undefined) return noneWord(path);
  if (path[0] === 'rejected') return (got as string[]).length ? (got as string[]).map((m) => `"${m}"`).join(', ') : 'no rejection';
  return typeof got === 'string' ? got : JSON.stringify(got);
}

/** The step's expectations that don't hold, in the order they are written. */
export async function mismatches(ledger: Ledger, step: Step, out: Outcome): Promise<Mismatch[]> {
  const state = new AccountState(ledger, step.account ?? '');
  const found: Mismatch[] = [];
  for (const e of step.expect) {
    const a = await actual(e.path, step, out, state);
    const what = e.path.join('.');
    if ('missing' in a) found.push({ text: `${what}: expected ${showWant(e.want, e.path)}, but there is ${a.missing}`, at: e.at });
    else if (!matches(e.want, a.value, e.path)) found.push({ text: `${what}: expected ${showWant(e.want, e.path)}, got ${showGot(a.value, e.path)}`, at: e.at });
  }
  return found;
}
