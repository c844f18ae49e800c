// The ledger's public face. Every mutation runs in one store transaction that first claims
// its idempotency key, then locks the account, brings it up to date (expired holds,
// renewals) and does its work; the result is stored with the key and replayed on retry.
import { randomBytes } from 'node:crypto';
import type { PackInfo, QuoteResult } from '../engine/index.ts';
import type { BillingMode, LedgerPolicy } from '../rules/ledger-policy.ts';
import { toJsonData } from '../value.ts';
import { accountInputs, withAccountInputs, zoneOf } from './account-inputs.ts';
import { isTimeZone, localDay, startOfDay, startOfMonth } from './calendar.ts';
import { capture, hold, price, refund, release, viewCharge, type DecidingRow, type OpenCharge } from './charges.ts';
import { LedgerError } from './errors.ts';
import { chargeEvents, recordEvents } from './events/record.ts';
import { Lists } from './lists.ts';
import { metadataJson } from './metadata.ts';
import { Webhooks } from './webhooks/service.ts';
import { grantEvent } from './grants.ts';
import { isReplay, replayOf, requestHash } from './idempotency.ts';
import { asDecimal, fromMinor, parseAmount, ruleAmount } from './money.ts';
import { addGrant, entry, grantKind, payOverdraft } from './postings.ts';
import type { PricingEngine } from './pricing.ts';
import { quotedChargeJson, QuoteSigner } from './quote-token.ts';
import type { AccountRecord } from './records.ts';
import type { Scope } from './scope.ts';
import { affinityOf, affinityOfRecord, newId } from './ids.ts';
import { inSpendOrder } from './spend-order.ts';
import type { LockedAccount, LockHint, ReadTx, Store, WriteTx } from './store/store.ts';
import { billedOverdraft, closePeriodNow, postpaidLimit, statementEnd } from './statements.ts';
import { cancel, changePlan, renew, settle, subscribe } from './subscriptions.ts';
import {
  accountView, entryView, grantView, isoTime, statementView, type AccountView, type ChargeView, type EntryView, type GrantView, type StatementView,
} from './views.ts';

export interface LedgerOptions {
  /** Epoch ms; tests move time by passing their own clock. */
  clock?: () => number;
  quoteTtlSeconds?: number;
  /** Told what quotes and committed charge mutations did (not idempotent replays), e.g. to count them. */
  observer?: LedgerObserver;
}

export type ChargeOutcome = 'held' | 'captured' | 'released' | 'refunded';

export interface LedgerObserver {
  quoted(pack: string, operation: string, accepted: boolean): void;
  /** A charge created without capture is `held`; one captured at once is `held` then `captured`. */
  charged(pack: string, outcome: ChargeOutcome): void;
}

export interface NewAccount {
  id?: string;
  pack: string;
  plan?: string;
  billing?: BillingMode;
  overdraft_limit?: string;
  time_zone?: string;
  metadata?: Record<string, unknown>;
}

export type ChargeRequest = (
  | { account: string; quote_id: string; capture: boolean }
  | { account: string; pack?: string; operation: string; input: Record<string, unknown>; capture: boolean }
) & { metadata?: Record<string, unknown> };

export interface CaptureRequest {
  /** The actual amount; or `usage`: inputs to re-price with (e.g. the seconds actually rendered). */
  amount?: string;
  usage?: Record<string, unknown>;
}

export type MembershipRequest = { action: 'subscribe' | 'upgrade' | 'downgrade'; plan: string } | { action: 'cancel' | 'renew' };

export interface BillingRequest {
  billing: BillingMode;
  /** A postpaid account's cap; default the plan's, as ledger.yaml says. */
  overdraft_limit?: string;
}

export interface RefundBody {
  outcome?: string;
  amount?: string;
  /** What was delivered, for the refund rule (ledger.yaml refund.usage_inputs). */
  usage?: Record<string, unknown>;
}

export interface RefundView {
  refunded: string;
  charge: ChargeView;
  /** With nothing refunded by the pack's rule: why, and the rule's rows that decided it. */
  reason?: string;
  decided_by?: { operation: string; rows: DecidingRow[] };
}

export interface AuditDrift {
  account: string;
  /** null: the overdraft. */
  grant: string | null;
  /** The sum of the log's balance changes. */
  log: string;
  /** The balance the store keeps. */
  stored: string;
}

export interface AuditReport {
  accounts_checked: number;
  /** Every account's balance equals the sum of its log when this is empty. */
  drift: AuditDrift[];
}

export interface QuoteView {
  quote_id: string | null;
  expires_at: string | null;
  pack: string;
  operation: string;
  version: string;
  account: string | null;
  input: Record<string, unknown>;
  account_inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
  /** The amount a charge of this quote takes, when the operation is chargeable. */
  amount: string | null;
  rejections: { code?: string; message: string }[];
  trace?: { name: string; formula?: string; value: unknown }[];
}

export interface UsageView {
  account: string;
  requests_today: number;
  requests_this_month: number;
  requests_total: number;
  spend_today: string;
  spend_this_month: string;
  spend_total: string;
}

const ACCOUNT_ID = /^[A-Za-z0-9_-]{1,64}$/;

export interface QuoteQuery {
  pack: string;
  operation: string;
  input: Record<string, unknown>;
  account?: string;
  explain?: boolean;
}

/** A quote as priced, before it is shown: as a QuoteView, or straight as the view's JSON text. */
interface PricedQuote {
  result: QuoteResult;
  account: string | null;
  input: Record<string, unknown>;
  /** The input's JSON, when the quote id needed it: the answer's text reuses it. */
  inputJson: string | undefined;
  fromAccount: Record<string, unknown>;
  amount: string | null;
  quoteId: string | null;
  expiresAt: number;
}

function quoteView(p: PricedQuote): QuoteView {
  const { result } = p;
  return {
    quote_id: p.quoteId, expires_at: p.quoteId ? isoTime(p.expiresAt) : null,
    pack: result.pack, operation: result.operation, version: result.version, account: p.account,
    input: p.input, account_inputs: p.fromAccount,
    outputs: Object.fromEntries(Object.entries(result.outputs).map(([k, v]) => [k, toJsonData(v)])),
    amount: p.amount, rejections: result.rejections,
    ...(result.trace ? { trace: result.trace.map((t) => ({ ...t, value: toJsonData(t.value) })) } : {}),
  };
}

/**
 * JSON.stringify(quoteView(p)), written without the view: no outputs object, and the input's
 * JSON taken from the quote id's payload rather than written a second time.
 */
function quoteJson(p: PricedQuote): string {
  const { result } = p;
  if (result.trace) return JSON.stringify(quoteView(p));
  let outputs = '';
  for (const k of Object.keys(result.outputs)) {
    const v = JSON.stringify(toJsonData(result.outputs[k]!));
    if (v !== undefined) outputs += `${outputs ? ',' : ''}${JSON.stringify(k)}:${v}`;
  }
  // A quote id is base64url and dots, an expiry ISO 8601: nothing in either to escape.
  const id = p.quoteId === null ? 'null' : `"${p.quoteId}"`;
  const expires = p.quoteId ? `"${isoTime(p.expiresAt)}"` : 'null';
  return `{"quote_id":${id},"expires_at":${expires},"pack":${JSON.stringify(result.pack)},"operation":${JSON.stringify(result.operation)},`
    + `"version":${JSON.stringify(result.version)},"account":${JSON.stringify(p.account)},"input":${p.inputJson ?? JSON.stringify(p.input)},`
    + `"account_inputs":${JSON.stringify(p.fromAccount)},"outputs":{${outputs}},"amount":${JSON.stringify(p.amount)},`
    + `"rejections":${result.rejections.length ? JSON.stringify(result.rejections) : '[]'}}`;
}

export class Ledger {
  private readonly packs: Map<string, PackInfo>;
  private readonly clock: () => number;
  private readonly quoteTtl: number;
  private readonly observer: LedgerObserver | undefined;
  /** Webhook endpoints, their deliveries and the delivery worker (deliverDue). */
  readonly webhooks: Webhooks;
  /** Paged lists of accounts, charges and grants. */
  readonly lists: Lists;

  private constructor(
    readonly store: Store,
    readonly engine: PricingEngine,
    private readonly quotes: QuoteSigner,
    options: LedgerOptions,
  ) {
    this.packs = new Map(engine.packs().map((p) => [p.name, p]));
    this.clock = options.clock ?? Date.now;
    this.quoteTtl = (options.quoteTtlSeconds ?? 300) * 1000;
    this.observer = options.observer;
    const decimals = (pack: string) => this.pack(pack).info.decimals;
    this.webhooks = new Webhooks(store, { clock: () => this.now(), decimals, idempotently: (k, r, w) => this.mutate(k, r, w) });
    this.lists = new Lists(store, { clock: () => this.now(), decimals, packExists: (p) => this.packs.has(p), account: (id) => this.account(id) });
  }

  /** The quote-signing secret is kept in the database, so every server over it agrees. */
  static async open(store: Store, engine: PricingEngine, options: LedgerOptions = {}): Promise<Ledger> {
    const secret = await store.setting('quote_secret', () => randomBytes(32).toString('base64url'));
    return new Ledger(store, engine, new QuoteSigner(secret), options);
  }

  now(): number {
    return this.clock();
  }

  pack(name: string): { info: PackInfo; policy: LedgerPolicy } {
    const info = this.packs.get(name);
    if (!info) throw new LedgerError('unknown_pack', `no pack '${name}'`, { packs: [...this.packs.keys()] });
    const policy = this.engine.ledgerPolicy(name);
    if (!policy) throw new LedgerError('not_supported', `pack '${name}' has no ledger.yaml, so it has no accounts or charges (it can still be quoted without an account)`);
    return { info, policy };
  }

  // ---- reads ----

  account(id: string): Promise<AccountView> {
    return this.readSettled(id, (tx, a) => this.viewIn(tx, a, this.now()));
  }

  grants(accountId: string): Promise<GrantView[]> {
    return this.readSettled(accountId, async (tx, a, d) => (await tx.grants(a.id)).map((g) => grantView(g, d)));
  }

  entries(accountId: string, after = 0, limit = 100): Promise<{ entries: EntryView[]; next_after: number | null }> {
    return this.readSettled(accountId, async (tx, a, d) => {
      const rows = await tx.entries(a.id, after, limit + 1);
      const page = rows.slice(0, limit);
      return { entries: page.map((e) => entryView(e, d)), next_after: rows.length > limit ? page[page.length - 1]!.seq : null };
    });
  }

  statements(accountId: string): Promise<StatementView[]> {
    return this.readSettled(accountId, async (tx, a, d) => (await tx.statements(a.id)).map((st) => statementView(st, d)));
  }

  statement(accountId: string, id: string): Promise<StatementView> {
    return this.readSettled(accountId, async (tx, a, d) => {
      const st = await tx.statement(id);
      if (!st || st.accountId !== a.id) throw new LedgerError('statement_not_found', `account '${a.id}' has no statement '${id}'`);
      return statementView(st, d);
    });
  }

  /**
   * Reads an account brought up to date first: expiries, renewals and closes due by now are
   * written, so what is read (the log above all) sums to the balance at this instant.
   */
  private async readSettled<T>(accountId: string, work: (tx: ReadTx, a: AccountRecord, decimals: number) => Promise<T>, now = this.now()): Promise<T> {
    // Usually nothing is due: one snapshot then both finds that out and reads.
    const read = (settled: boolean) => this.store.read(async (tx): Promise<{ value: T } | undefined> => {
      const state = await tx.accountState(accountId, now);
      if (!state) throw new LedgerError('account_not_found', `no account '${accountId}'`);
      if (!settled && isDue(state, now)) return undefined;
      return { value: await work(tx, state.account, this.pack(state.account.pack).info.decimals) };
    });
    const first = await read(false);
    if (first) return first.value;
    await this.bringUpToDate(accountId, now);
    return (await read(true))!.value;
  }

  /**
   * Recomputes every account's balances from its log — each grant's remaining, and the
   * overdraft — after bringing the account up to date, and reports where they differ.
   */
  async audit(): Promise<AuditReport> {
    const drift: AuditDrift[] = [];
    let checked = 0;
    let after = '';
    for (;;) {
      const ids = await this.store.read((tx) => tx.auditAccountIds(after, 500));
      if (!ids.length) break;
      for (const id of ids) {
        drift.push(...(await this.readSettled(id, async (tx, a, d) => {
          const sums = await tx.logSums(id);
          const found: AuditDrift[] = [];
          for (const g of await tx.grants(id)) {
            const log = sums.get(g.id) ?? 0n;
            if (log !== g.remaining) found.push({ account: id, grant: g.id, log: fromMinor(log, d), stored: fromMinor(g.remaining, d) });
          }
          const owed = -(sums.get(null) ?? 0n);
          if (owed !== a.overdraftUsed) found.push({ account: id, grant: null, log: fromMinor(owed, d), stored: fromMinor(a.overdraftUsed, d) });
          return found;
        })));
        checked++;
      }
      after = ids[ids.length - 1]!;
    }
    return { accounts_checked: checked, drift };
  }

  async usage(accountId: string): Promise<UsageView> {
    return this.store.read(async (tx) => {
      const a = await this.mustRead(tx, accountId);
      const { info, policy } = this.pack(a.pack);
      const zone = zoneOf(policy, a);
      const now = this.now();
      // One after another: a transaction is one connection, which runs one query at a time.
      const today = await tx.usage(a.id, startOfDay(now, zone));
      const month = await tx.usage(a.id, startOfMonth(now, zone));
      const total = await tx.usage(a.id, 0);
      const d = info.decimals;
      return {
        account: a.id, requests_today: today.requests, requests_this_month: month.requests, requests_total: total.requests,
        spend_today: fromMinor(today.spend, d), spend_this_month: fromMinor(month.spend, d), spend_total: fromMinor(total.spend, d),
      };
    });
  }

  async charge(id: string): Promise<ChargeView> {
    return this.store.read(async (tx) => {
      const found = await tx.chargeWithDraws(id);
      if (!found) throw new LedgerError('charge_not_found', `no charge '${id}'`);
      return viewCharge({ record: found.charge, draws: found.draws }, this.pack(found.charge.pack).info.decimals);
    });
  }

  /** Prices an operation; with an account, its plan and usage counters feed the rule. */
  async quote(q: QuoteQuery): Promise<QuoteView> {
    if (q.account === undefined) return this.quoteWithoutAccount(q);
    const now = this.now();
    return quoteView(this.priced(q, await this.accountInputsOf(q, q.account, now), now));
  }

  /** A quote that names no account needs no store: it is priced at once. */
  quoteWithoutAccount(q: QuoteQuery): QuoteView {
    if (q.account !== undefined) throw new LedgerError('invalid_request', 'this quote names an account; use quote()');
    return quoteView(this.priced(q, {}, this.now()));
  }

  /**
   * The quote as JSON text, the same as JSON.stringify of quote(q)'s view, for a server to send
   * as it is. Without an account there is no store to wait for, and the text comes at once.
   */
  quoteJson(q: QuoteQuery): string | Promise<string> {
    const now = this.now();
    if (q.account === undefined) return quoteJson(this.priced(q, {}, now));
    return this.accountInputsOf(q, q.account, now).then((fromAccount) => quoteJson(this.priced(q, fromAccount, now)));
  }

  /** The inputs the account gives the rule (its plan, usage counters), with the account brought up to date first. */
  private async accountInputsOf(q: QuoteQuery, account: string, now: number): Promise<Record<string, unknown>> {
    const { policy } = this.pack(q.pack);
    return this.readSettled(account, (tx, a) => {
      if (a.pack !== q.pack) throw new LedgerError('invalid_request', `account '${a.id}' belongs to pack '${a.pack}', not '${q.pack}'`);
      return accountInputs(tx, a, policy, zoneOf(policy, a), now, this.engine.inputNames(q.pack, q.operation));
    }, now);
  }

  private priced(q: QuoteQuery, fromAccount: Record<string, unknown>, now: number): PricedQuote {
    // Any loaded pack can be priced; only a pack with a ledger.yaml has an amount to charge.
    const info = this.packs.get(q.pack);
    if (!info) throw new LedgerError('unknown_pack', `no pack '${q.pack}'`, { packs: [...this.packs.keys()] });
    const policy = this.engine.ledgerPolicy(q.pack);
    const input = withAccountInputs(q.input, fromAccount);
    const result = this.engine.quote({ pack: q.pack, operation: q.operation, input, at: new Date(now), explain: q.explain });
    const accepted = result.rejections.length === 0;
    this.observer?.quoted(result.pack, result.operation, accepted);
    const output = policy?.charges.get(q.operation);
    const value = output !== undefined ? result.outputs[output] : undefined;
    const decimal = accepted ? asDecimal(value) : undefined;
    const amount = decimal ? fromMinor(ruleAmount(decimal, info.decimals, policy!.rounding, `${q.operation}.${output}`), info.decimals) : null;
    const expiresAt = now + this.quoteTtl;
    const account = q.account ?? null;
    // Only a quote that can be charged gets an id (a rejected one has no amount): nothing to charge, nothing to sign.
    const inputJson = amount === null ? undefined : JSON.stringify(input);
    const quoteId = inputJson === undefined
      ? null
      : this.quotes.signJson(quotedChargeJson({ pack: q.pack, operation: q.operation, at: now, expiresAt, account, amount }, inputJson));
    return { result, account, input, inputJson, fromAccount, amount, quoteId, expiresAt };
  }

  // ---- mutations ----

  createAccount(req: NewAccount, key: string): Promise<AccountView> {
    return this.mutate(key, { op: 'create_account', ...req }, async (tx, now) => {
      const { info, policy } = this.pack(req.pack);
      const id = req.id ?? newId('acct');
      if (!ACCOUNT_ID.test(id)) throw new LedgerError('invalid_request', 'an account id is 1–64 letters, digits, _ or -');
      const timeZone = req.time_zone ?? 'UTC';
      if (!isTimeZone(timeZone)) throw new LedgerError('invalid_request', `unknown time zone '${timeZone}'`);
      const billing = req.billing ?? policy.billing.default;
      if (billing === 'prepaid' && req.overdraft_limit !== undefined && req.overdraft_limit !== '0') {
        throw new LedgerError('invalid_request', 'a prepaid account has no overdraft');
      }
      const plans = policy.plans;
      const overdraftLimit = billing === 'postpaid' ? postpaidLimit(policy, req.plan ?? plans?.default ?? null, info.decimals, req.overdraft_limit) : 0n;
      const zone = policy.timeZone === 'account' ? timeZone : policy.timeZone;
      if (req.plan !== undefined && !plans?.names.includes(req.plan)) {
        throw new LedgerError('invalid_request', plans ? `unknown plan '${req.plan}'` : `pack '${req.pack}' has no plans`, { plans: plans?.names ?? [] });
      }
      const account: AccountRecord = {
        id, pack: req.pack, plan: plans?.default ?? null, billing, overdraftLimit, overdraftUsed: 0n, timeZone,
        periodIndex: 0, periodStart: null, periodEnd: null, periodAnchor: null, cancelAtPeriodEnd: false, subscriptionMonths: 0, createdAt: now,
        pendingPlan: null, statementStart: billing === 'postpaid' ? now : null, statementEnd: billing === 'postpaid' ? statementEnd(now, zone) : null,
      };
      const metadata = req.metadata === undefined ? undefined : metadataJson(req.metadata);
      if (!(await tx.insertAccount(account))) throw new LedgerError('account_exists', `account '${id}' already exists`);
      if (metadata !== undefined) await tx.integration.setAccountMetadata(id, (account.metadata = metadata));
      const s = this.scope(tx, now, account);
      if (policy.signup) await grantEvent(s, 'signup', policy.signup, {});
      if (req.plan !== undefined && req.plan !== plans!.default) await subscribe(s, req.plan);
      return this.viewIn(tx, s.account, now);
    });
  }

  grant(accountId: string, req: { kind: string; amount: string; expires_at?: string }, key: string): Promise<GrantView> {
    return this.mutate(key, { op: 'grant', account: accountId, ...req }, (tx, now) =>
      this.inAccount(tx, accountId, now, async (s) => {
        grantKind(s, req.kind);
        const amount = parseAmount(req.amount, s.pack.decimals);
        if (amount === 0n) throw new LedgerError('invalid_amount', 'a grant must be more than 0');
        const expiresAt = req.expires_at === undefined ? undefined : Date.parse(req.expires_at);
        if (expiresAt !== undefined && !(expiresAt > now)) throw new LedgerError('invalid_request', 'expires_at must be a future ISO 8601 time');
        const g = await payOverdraft(s, (await addGrant(s, req.kind, amount, 'admin', { expiresAt }))!);
        return grantView(g, s.pack.decimals);
      }));
  }

  topup(accountId: string, input: Record<string, unknown>, key: string): Promise<{ grants: GrantView[]; outputs: Record<string, unknown>; account: AccountView }> {
    return this.eventMutation('topup', accountId, input, key, (p) => p.topup);
  }

  dailyClaim(accountId: string, key: string): Promise<{ grants: GrantView[]; outputs: Record<string, unknown>; account: AccountView }> {
    return this.eventMutation('daily_claim', accountId, {}, key, (p) => p.dailyClaim);
  }

  private eventMutation(name: 'topup' | 'daily_claim', accountId: string, input: Record<string, unknown>, key: string, event: (p: LedgerPolicy) => LedgerPolicy['topup']) {
    return this.mutate(key, { op: name, account: accountId, input }, (tx, now) =>
      this.inAccount(tx, accountId, now, async (s) => {
        if (name === 'daily_claim') {
          const day = localDay(now, s.zone);
          if (!(await tx.claimDay(s.account.id, day))) throw new LedgerError('already_claimed', `the daily credits of ${day} were claimed already`);
        }
        const r = await grantEvent(s, name, event(s.policy), input);
        // A top-up pays down what a postpaid account owes first; free daily credits don't.
        const grants = [];
        for (const g of r.grants) grants.push(name === 'topup' ? await payOverdraft(s, g) : g);
        return { grants: grants.map((g) => grantView(g, s.pack.decimals)), outputs: r.outputs, account: await this.viewIn(tx, s.account, now) };
      }));
  }

  /** A named reward of the pack's ledger.yaml (e.g. an adopted suggestion), granted as its rules decide. */
  reward(accountId: string, req: { reward: string; input?: Record<string, unknown> }, key: string): Promise<{ grants: GrantView[]; outputs: Record<string, unknown>; account: AccountView }> {
    return this.mutate(key, { op: 'reward', account: accountId, ...req }, (tx, now) =>
      this.inAccount(tx, accountId, now, async (s) => {
        const event = s.policy.rewards.get(req.reward);
        if (!event) throw new LedgerError('not_supported', `pack '${s.pack.name}' has no reward '${req.reward}'`, { rewards: [...s.policy.rewards.keys()] });
        const r = await grantEvent(s, `reward ${req.reward}`, event, req.input ?? {});
        return { grants: r.grants.map((g) => grantView(g, s.pack.decimals)), outputs: r.outputs, account: await this.viewIn(tx, s.account, now) };
      }));
  }

  membership(accountId: string, req: MembershipRequest, key: string): Promise<{ account: AccountView; outputs: Record<string, unknown> }> {
    return this.mutate(key, { op: 'membership', account: accountId, ...req }, (tx, now) =>
      this.inAccount(tx, accountId, now, async (s) => {
        let outputs: Record<string, unknown> = {};
        const planBefore = s.account.plan;
        switch (req.action) {
          case 'subscribe': await subscribe(s, req.plan); break;
          case 'cancel': await cancel(s); break;
          case 'renew': await renew(s); break;
          case 'upgrade': case 'downgrade': outputs = await changePlan(s, req.action, req.plan); break;
        }
        await recordEvents(s, [{ type: 'plan.changed', data: { action: req.action, from: planBefore, to: s.account.plan, cancel_at_period_end: s.account.cancelAtPeriodEnd } }]);
        return { account: await this.viewIn(tx, s.account, now), outputs };
      }));
  }

  /** A hold of the priced amount, captured at once when `capture` is true. */
  createCharge(req: ChargeRequest, key: string): Promise<ChargeView> {
    return this.mutate(key, { op: 'charge', ...req }, (tx, now) =>
      this.inAccount(tx, req.account, now, async (s) => {
        let priced;
        if ('quote_id' in req) {
          const q = this.quotes.verify(req.quote_id, now);
          if (q.pack !== s.account.pack) throw new LedgerError('quote_invalid', `the quote is for pack '${q.pack}', account '${s.account.id}' is on '${s.account.pack}'`);
          if (q.account !== null && q.account !== s.account.id) throw new LedgerError('quote_invalid', 'the quote was made for another account');
          priced = price(s, q.operation, await this.ruleInput(s, q.operation, q.input), q.at);
          if (q.amount !== null && fromMinor(priced.amount, s.pack.decimals) !== q.amount) {
            throw new LedgerError('quote_changed', `the account's usage changed since the quote: it would now cost ${fromMinor(priced.amount, s.pack.decimals)}, not ${q.amount}; quote again`);
          }
        } else {
          if (req.pack !== undefined && req.pack !== s.account.pack) throw new LedgerError('invalid_request', `account '${s.account.id}' belongs to pack '${s.account.pack}', not '${req.pack}'`);
          priced = price(s, req.operation, await this.ruleInput(s, req.operation, req.input), now);
        }
        const metadata = req.metadata === undefined ? undefined : metadataJson(req.metadata);
        const c = await hold(s, priced);
        if (metadata !== undefined) await tx.integration.setChargeMetadata(c.record.id, (c.record.metadata = metadata));
        if (req.capture) await capture(s, c, c.record.held);
        await chargeEvents(s, c, req.capture ? ['charge.held', 'charge.captured'] : ['charge.held']);
        return viewCharge(c, s.pack.decimals);
      }), (v) => {
      this.observer?.charged(v.pack, 'held');
      if (v.status === 'captured') this.observer?.charged(v.pack, 'captured');
    });
  }

  captureCharge(id: string, req: CaptureRequest, key: string): Promise<ChargeView> {
    return this.mutate(key, { op: 'capture', charge: id, ...req }, (tx, now) =>
      this.inCharge(tx, id, now, async (s, c) => {
        if (req.amount !== undefined && req.usage !== undefined) throw new LedgerError('invalid_request', 'give the actual amount or the usage, not both');
        // Without usage the rule isn't evaluated again: the actual amount is given or held.
        let actual = c.record.held;
        if (req.amount !== undefined) actual = parseAmount(req.amount, s.pack.decimals);
        if (req.usage !== undefined) {
          const input = usageInput(s, c.record.operation, JSON.parse(c.record.input) as Record<string, unknown>, req.usage);
          // Priced at the time of the hold: the rule version the charge was quoted and held under.
          actual = price(s, c.record.operation, input, c.record.createdAt).amount;
        }
        await capture(s, c, actual);
        await chargeEvents(s, c, ['charge.captured']);
        return viewCharge(c, s.pack.decimals);
      }), (v) => this.observer?.charged(v.pack, 'captured'));
  }

  releaseCharge(id: string, key: string): Promise<ChargeView> {
    return this.mutate(key, { op: 'release', charge: id }, (tx, now) =>
      this.inCharge(tx, id, now, async (s, c) => {
        await release(s, c, 'released');
        await chargeEvents(s, c, ['charge.released']);
        return viewCharge(c, s.pack.decimals);
      }), (v) => this.observer?.charged(v.pack, 'released'));
  }

  refundCharge(id: string, req: RefundBody, key: string): Promise<RefundView> {
    return this.mutate(key, { op: 'refund', charge: id, ...req }, (tx, now) =>
      this.inCharge(tx, id, now, async (s, c) => {
        const r = await refund(s, c, { outcome: req.outcome, usage: req.usage, amount: req.amount === undefined ? undefined : parseAmount(req.amount, s.pack.decimals) });
        if (r.amount > 0n) await chargeEvents(s, c, ['charge.refunded'], { refunded: fromMinor(r.amount, s.pack.decimals) });
        const view: RefundView = { refunded: fromMinor(r.amount, s.pack.decimals), charge: viewCharge(c, s.pack.decimals) };
        if (r.decidedBy) {
          const rows = r.decidedBy.rows.map((x) => `${x.decision} row ${x.row}`);
          view.reason = `nothing refunded: the '${r.decidedBy.operation}' rule gave 0${rows.length ? ` (decided by ${rows.join(', ')})` : ''}`;
          view.decided_by = r.decidedBy;
        }
        return view;
      }), (v) => this.observer?.charged(v.charge.pack, 'refunded'));
  }

  /** Closes a postpaid account's statement period now: its statement, and what it owes settled. */
  closePeriod(accountId: string, key: string): Promise<{ statement: StatementView; account: AccountView }> {
    return this.mutate(key, { op: 'close_period', account: accountId }, (tx, now) =>
      this.inAccount(tx, accountId, now, async (s) => {
        const st = await closePeriodNow(s);
        return { statement: statementView(st, s.pack.decimals), account: await this.viewIn(tx, s.account, now) };
      }));
  }

  /**
   * Switches an account between prepaid and postpaid (or changes a postpaid account's cap).
   * Going prepaid closes the open statement period first, so nothing owed is left behind;
   * credits held on the overdraft must be captured or released before.
   */
  changeBilling(accountId: string, req: BillingRequest, key: string): Promise<{ account: AccountView; statement: StatementView | null }> {
    return this.mutate(key, { op: 'billing', account: accountId, ...req }, (tx, now) =>
      this.inAccount(tx, accountId, now, async (s) => {
        const a = s.account;
        const d = s.pack.decimals;
        let closed: StatementView | null = null;
        if (req.billing === 'prepaid') {
          if (req.overdraft_limit !== undefined && req.overdraft_limit !== '0') throw new LedgerError('invalid_request', 'a prepaid account has no overdraft');
          if (a.billing === 'prepaid') throw new LedgerError('invalid_request', `account '${a.id}' is prepaid already`);
          const held = await tx.heldOverdraft(a.id);
          if (held > 0n) throw new LedgerError('invalid_request', `account '${a.id}' has ${fromMinor(held, d)} held on its overdraft: capture or release those charges first`, { held: fromMinor(held, d) });
          closed = statementView(await closePeriodNow(s), d);
          if (!(await tx.updateBilling(a.id, { billing: 'prepaid', overdraftLimit: 0n, statementStart: null, statementEnd: null }))) throw new Error(`account ${a.id} still owes after its close`);
          s.account = { ...s.account, billing: 'prepaid', overdraftLimit: 0n, statementStart: null, statementEnd: null };
        } else {
          const limit = postpaidLimit(s.policy, a.plan, d, req.overdraft_limit);
          const period = a.billing === 'postpaid' ? { statementStart: a.statementStart, statementEnd: a.statementEnd } : { statementStart: now, statementEnd: statementEnd(now, s.zone) };
          if (!(await tx.updateBilling(a.id, { billing: 'postpaid', overdraftLimit: limit, ...period }))) {
            throw new LedgerError('invalid_amount', `account '${a.id}' owes ${fromMinor(a.overdraftUsed, d)}, more than the new limit of ${fromMinor(limit, d)}`);
          }
          s.account = { ...s.account, billing: 'postpaid', overdraftLimit: limit, ...period };
        }
        return { account: await this.viewIn(tx, s.account, now), statement: closed };
      }));
  }

  /**
   * Records a postpaid account's billed usage as paid: what its overdraft owes for captured
   * usage (the month's usage beyond its credits) is settled and that room is free again. Admin; idempotent
   * by its key like every mutation, and settling nothing owed is a settlement of 0.
   */
  settle(accountId: string, key: string): Promise<{ settled: string; account: AccountView }> {
    return this.mutate(key, { op: 'settle', account: accountId }, (tx, now) =>
      this.inAccount(tx, accountId, now, async (s) => {
        if (s.account.billing !== 'postpaid') throw new LedgerError('not_supported', `account '${s.account.id}' is prepaid: it has no billed usage to settle`);
        // As at a statement's close: only what captured usage took from the overdraft.
        const owed = await billedOverdraft(s);
        if (owed > 0n) {
          if (!(await tx.adjustOverdraft(s.account.id, -owed))) throw new Error(`overdraft of ${s.account.id} changed while settling`);
          s.account = { ...s.account, overdraftUsed: s.account.overdraftUsed - owed };
          await entry(s, 'settlement', owed, owed, null, null, 'billed usage paid');
        }
        return { settled: fromMinor(owed, s.pack.decimals), account: await this.viewIn(tx, s.account, now) };
      }));
  }

  /** Releases holds that timed out; a server calls this now and then. Returns accounts settled. */
  async releaseExpiredHolds(limit = 100): Promise<number> {
    const ids = await this.store.transaction((tx) => tx.accountsWithExpiredHolds(this.now(), limit));
    for (const id of ids) await this.bringUpToDate(id, this.now());
    return ids.length;
  }

  /** Runs a mutation outside the ledger proper (e.g. creating an API key) under an idempotency key. */
  idempotently<T>(key: string, request: object, work: (tx: WriteTx, now: number) => Promise<T>): Promise<T> {
    return this.mutate(key, request, work);
  }

  // ---- plumbing ----

  /** `committed` sees the result once it is committed, and never for a replay. */
  private async mutate<T>(key: string, request: object, work: (tx: WriteTx, now: number) => Promise<T>, committed?: (result: T) => void): Promise<T> {
    if (!key) throw new LedgerError('invalid_request', 'an idempotency key is required');
    const hash = requestHash(request);
    const result = await this.store.transaction(async (tx) => {
      const now = this.now();
      const seen = await tx.claimKey(key, hash, now);
      if (seen) {
        if (seen.requestHash !== hash) throw new LedgerError('idempotency_conflict', 'this idempotency key was used with different parameters');
        return replayOf<T>(seen.response);
      }
      const result = await work(tx, now);
      await tx.saveResponse(key, hash, now, JSON.stringify(result));
      return result;
    }, lockHint(key, request));
    // Whatever run of `work` the store kept (it may retry one), a replay is marked by replayOf.
    if (committed && !isReplay(result)) committed(result);
    return result;
  }

  private scope(tx: WriteTx, now: number, account: AccountRecord): Scope {
    const { info, policy } = this.pack(account.pack);
    return { tx, now, account, pack: info, policy, engine: this.engine, zone: zoneOf(policy, account), newId };
  }

  /** Brings the account up to date at `now`: expiries, timed-out holds, renewals and closes. */
  private bringUpToDate(id: string, now: number): Promise<void> {
    return this.store.transaction((tx) => this.inAccount(tx, id, now, async () => undefined), accountLock(id));
  }

  private async inAccount<T>(tx: WriteTx, id: string, now: number, work: (s: Scope) => Promise<T>): Promise<T> {
    const locked = await tx.lockAccount(id, now);
    if (!locked) throw new LedgerError('account_not_found', `no account '${id}'`);
    const s = this.scope(tx, now, locked.account);
    await settle(s, locked);
    return work(s);
  }

  private async inCharge<T>(tx: WriteTx, id: string, now: number, work: (s: Scope, c: OpenCharge) => Promise<T>): Promise<T> {
    // Locked through its account, then read under the lock (settling may have expired it).
    const locked = await tx.lockAccountOfCharge(id, now);
    if (!locked) throw new LedgerError('charge_not_found', `no charge '${id}'`);
    const s = this.scope(tx, now, locked.account);
    await settle(s, locked);
    const found = (await tx.chargeWithDraws(id))!;
    return work(s, { record: found.charge, draws: found.draws });
  }

  private async ruleInput(s: Scope, operation: string, input: Record<string, unknown>): Promise<Record<string, unknown>> {
    const declared = s.engine.inputNames(s.pack.name, operation);
    return withAccountInputs(input, await accountInputs(s.tx, s.account, s.policy, s.zone, s.now, declared));
  }

  private async viewIn(tx: ReadTx, a: AccountRecord, now: number): Promise<AccountView> {
    const { info, policy } = this.pack(a.pack);
    return accountView(a, info.unit, info.decimals, inSpendOrder(await tx.spendableGrants(a.id, now), policy.spendOrder));
  }

  private async mustRead(tx: ReadTx, id: string): Promise<AccountRecord> {
    const a = await tx.account(id);
    if (!a) throw new LedgerError('account_not_found', `no account '${id}'`);
    return a;
  }
}

/** Whether bringing the account up to date at `now` would write something: a period or
 *  statement to close, holds timed out or grants lapsed. */
function isDue({ account: a, holdsExpired, grantsLapsed }: LockedAccount, now: number): boolean {
  return (a.periodEnd !== null && a.periodEnd <= now) || (a.statementEnd !== null && a.statementEnd <= now) || holdsExpired || grantsLapsed;
}

const accountLock = (account: string): LockHint => ({ account, affinity: affinityOf(account) });

/** The account a mutation's request names, directly or by a charge (none for a new account). */
function lockHint(key: string, named: object): LockHint | undefined {
  const request = named as { op?: unknown; account?: unknown; charge?: unknown };
  if (request.op === 'create_account') return undefined;
  if (typeof request.account === 'string') return { ...accountLock(request.account), key };
  if (typeof request.charge === 'string') return { charge: request.charge, key, affinity: affinityOfRecord(request.charge) };
  return undefined;
}

/**
 * The held charge's input with a capture's usage laid over it. Usage may set only the inputs
 * the pack declares as usage for the operation (e.g. the seconds actually rendered); anything
 * else, the account's own inputs above all, is refused, and the account's inputs as held are
 * laid over last regardless.
 */
function usageInput(s: Scope, operation: string, held: Record<string, unknown>, usage: Record<string, unknown>): Record<string, unknown> {
  const allowed = s.policy.usageInputs.get(operation) ?? [];
  for (const name of Object.keys(usage)) {
    if (!allowed.includes(name)) {
      throw new LedgerError('invalid_usage', allowed.length
        ? `a capture's usage may set only ${allowed.map((a) => `'${a}'`).join(', ')} of '${operation}', not '${name}'`
        : `'${operation}' takes no usage at capture, so '${name}' cannot be set: capture an amount instead`,
      { input: name, usage_inputs: [...allowed] });
    }
  }
  const fromAccount = Object.fromEntries(Object.entries(held).filter(([k]) => s.policy.accountInputs.has(k)));
  return withAccountInputs({ ...held, ...usage }, fromAccount);
}
