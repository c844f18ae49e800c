// The one store interface: SQLite and PostgreSQL implement it over the same SQL.
// Every invariant that matters for money is also enforced by the database (CHECK
// constraints, triggers, conditional updates); the methods that may be refused by such a
// condition return false instead of throwing, so the ledger can name the error.
import type {
  AccountRecord, ApiKeyRecord, ChargeRecord, ChargeStatus, DrawRecord, EntryRecord, GrantRecord, StatementLine, StatementRecord,
} from '../records.ts';
import type { IntegrationReads, IntegrationWrites } from './integration.ts';

export type SubscriptionState = Pick<AccountRecord, 'plan' | 'periodIndex' | 'periodStart' | 'periodEnd' | 'periodAnchor' | 'cancelAtPeriodEnd' | 'subscriptionMonths' | 'pendingPlan'>;

export type BillingState = Pick<AccountRecord, 'billing' | 'overdraftLimit' | 'statementStart' | 'statementEnd'>;

export interface StoredResponse {
  requestHash: string;
  response: string;
}

/** A locked account, and whether it has holds that timed out by then (to release first). */
export interface LockedAccount {
  account: AccountRecord;
  holdsExpired: boolean;
  /** Whether it has grants expired at `at` with credits left, whose expiry the log doesn't have yet. */
  grantsLapsed: boolean;
}

/** A charge with its draws in the order they were made. */
export interface ChargeWithDraws {
  charge: ChargeRecord;
  draws: DrawRecord[];
}

export interface UsageCounts {
  requests: number;
  spend: bigint;
}

/** A running usage total that differs from the charges it counts (Store audit). */
export interface UsageDrift {
  span: 'all' | 'bucket';
  start: number;
  operation: string;
  stored: UsageCounts;
  log: UsageCounts;
}

export interface ReadTx {
  /** The outbox, webhooks, lists and metadata (integration.ts). */
  readonly integration: IntegrationReads;
  account(id: string): Promise<AccountRecord | undefined>;
  /** The account, and whether holds timed out or grants lapsed by `at` (lockAccount's answer, without the lock). */
  accountState(id: string, at: number): Promise<LockedAccount | undefined>;
  grants(accountId: string): Promise<GrantRecord[]>;
  grant(id: string): Promise<GrantRecord | undefined>;
  /** Grants of the account that can be spent at `at`, with something left, in no particular order. */
  spendableGrants(accountId: string, at: number): Promise<GrantRecord[]>;
  charge(id: string): Promise<ChargeRecord | undefined>;
  chargeWithDraws(id: string): Promise<ChargeWithDraws | undefined>;
  draws(chargeId: string): Promise<DrawRecord[]>;
  entries(accountId: string, afterSeq: number, limit: number): Promise<EntryRecord[]>;
  /** Charges (held or captured) of an operation, or of any when null, created at or after `since`:
   *  from the running totals when `since` is 0 or a bucket start (a local day, or a subscription
   *  period's start), so the cost doesn't grow with history. */
  countCharges(accountId: string, operation: string | null, since: number): Promise<number>;
  /** The same over a rolling window: an index range count, so it grows with the window only. */
  countRecentCharges(accountId: string, operation: string, since: number): Promise<number>;
  /** Held and captured charges created at or after `since`, and their spend (as countCharges). */
  usage(accountId: string, since: number): Promise<UsageCounts>;
  /** Running usage totals that differ from a count of the charges (empty when all agree). */
  usageDrift(accountId: string): Promise<UsageDrift[]>;
  expiredHolds(accountId: string, at: number): Promise<ChargeRecord[]>;
  /** Grants expired by `at` with credits left: their expiry is not in the log yet. Oldest expiry first. */
  lapsedGrants(accountId: string, at: number): Promise<GrantRecord[]>;
  /** Per operation, charges captured in [from, to): how many, and captured less refunded. */
  capturedUsage(accountId: string, from: number, to: number): Promise<StatementLine[]>;
  /** What charges captured in [from, to) took from grants, net of refunds. */
  creditsApplied(accountId: string, from: number, to: number): Promise<bigint>;
  /** What open holds take from the overdraft. */
  heldOverdraft(accountId: string): Promise<bigint>;
  statements(accountId: string): Promise<StatementRecord[]>;
  statement(id: string): Promise<StatementRecord | undefined>;
  /** Per grant (null: the overdraft), the sum of the log's balance changes. */
  logSums(accountId: string): Promise<Map<string | null, bigint>>;
  /** Account ids after `afterId` in id order, for an audit walking them all. */
  auditAccountIds(afterId: string, limit: number): Promise<string[]>;
}

export interface WriteTx extends ReadTx {
  readonly integration: IntegrationWrites;
  /** Claims an idempotency key for this transaction; the stored response when it is taken. */
  claimKey(key: string, requestHash: string, at: number): Promise<StoredResponse | undefined>;
  /** Stores the response of the transaction that claimed the key (with the same hash and time). */
  saveResponse(key: string, requestHash: string, at: number, response: string): Promise<void>;

  insertAccount(a: AccountRecord): Promise<boolean>;
  /** Reads the account and locks it until the transaction ends; says whether it has holds expired at `at`. */
  lockAccount(id: string, at: number): Promise<LockedAccount | undefined>;
  /** The same, for the account a charge belongs to. */
  lockAccountOfCharge(chargeId: string, at: number): Promise<LockedAccount | undefined>;
  updateSubscription(id: string, s: SubscriptionState): Promise<void>;
  /** Sets billing, overdraft limit and statement period; false when the overdraft owed exceeds the new limit. */
  updateBilling(id: string, b: BillingState): Promise<boolean>;
  setStatementPeriod(id: string, start: number | null, end: number | null): Promise<void>;
  insertStatement(st: StatementRecord): Promise<void>;
  /** Ends a grant at `at` (its expiry moved to `at` if later), leaving it at zero; false unless it has `expected` left. */
  endGrant(grantId: string, expected: bigint, at: number): Promise<boolean>;
  /** Moves overdraft_used by delta, unless that leaves [0, limit]. */
  adjustOverdraft(accountId: string, delta: bigint): Promise<boolean>;

  insertGrant(g: GrantRecord): Promise<void>;
  /** Takes credits from a grant spendable at `at`, unless it has fewer left. */
  takeFromGrant(grantId: string, amount: bigint, at: number): Promise<boolean>;
  /** takeFromGrant, then insertDraw for it: the draw's id, or undefined (nothing written) when the grant can't give it. */
  drawFromGrant(chargeId: string, grantId: string, amount: bigint, at: number): Promise<number | undefined>;
  /** Puts credits back into a grant, unless that exceeds its amount. */
  returnToGrant(grantId: string, amount: bigint): Promise<boolean>;
  /** Moves a period grant's leftover out (rollover), leaving it at zero, and records the grant it went into. */
  emptyGrant(grantId: string, expected: bigint, into: string): Promise<boolean>;
  /** Raises a grant's amount and remaining alike (credits carried into it after its creation). */
  growGrant(grantId: string, amount: bigint): Promise<boolean>;

  /** Inserts a charge; `usageBucket` is the start of the usage bucket it counts in (usage-bucket.ts). */
  insertCharge(c: ChargeRecord, usageBucket: number): Promise<void>;
  /** Resolves a hold (held → captured | released | expired) with the amount captured; the
   *  held amount stays what was reserved. False when already resolved. */
  resolveCharge(id: string, status: Exclude<ChargeStatus, 'held'>, captured: bigint | null, at: number): Promise<boolean>;
  /** Adds to the refunded total, unless it would exceed the captured amount. */
  addRefund(id: string, amount: bigint): Promise<boolean>;
  accountsWithExpiredHolds(at: number, limit: number): Promise<string[]>;

  /** Records a draw; returns its id. */
  insertDraw(chargeId: string, grantId: string | null, amount: bigint): Promise<number>;
  /** Lowers a draw (credits returned before capture), unless below what was refunded. */
  shrinkDraw(id: number, amount: bigint): Promise<boolean>;
  /** Raises a draw's refunded part, unless above its amount. */
  refundDraw(id: number, amount: bigint): Promise<boolean>;

  appendEntry(e: Omit<EntryRecord, 'seq'>): Promise<void>;
  /** Records the account-local day's claim; false when that day was claimed already. */
  claimDay(accountId: string, day: string): Promise<boolean>;

  insertApiKey(k: ApiKeyRecord): Promise<void>;
  revokeApiKey(id: string, at: number): Promise<ApiKeyRecord | undefined>;
}

export interface KeyStore {
  apiKeyByHash(secretHash: string): Promise<ApiKeyRecord | undefined>;
  apiKeys(): Promise<ApiKeyRecord[]>;
  /** A value shared by every server on this database (e.g. the quote signing secret), set once. */
  setting(name: string, initial: () => string): Promise<string>;
}

/** The account a transaction is about, named directly or through one of its charges: a
 *  store may then commit it together with others (PostgreSQL locks the batch's accounts first). */
export interface LockHint {
  account?: string;
  charge?: string;
  /** The idempotency key it claims, which the store may look up ahead with the batch's. */
  key?: string;
  /** 0–255, the same for every change of one account (ids.ts): such changes may share a batch. */
  affinity?: number;
}

export interface Store extends KeyStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Runs `work` in one transaction; concurrent callers are serialized per account or batched. */
  transaction<T>(work: (tx: WriteTx) => Promise<T>, lock?: LockHint): Promise<T>;
  read<T>(work: (tx: ReadTx) => Promise<T>): Promise<T>;
  /** Resolves once the database answers a query through the usual connection (readiness). */
  ping(): Promise<void>;
  /** Holds neither resolved nor timed out at `at`: one count over the partial index of held charges. */
  openHolds(at: number): Promise<number>;
  close(): Promise<void>;
}
