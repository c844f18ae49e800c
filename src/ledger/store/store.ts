// The one store interface: SQLite and PostgreSQL implement it over the same SQL.
// Every invariant that matters for money is also enforced by the database (CHECK
// constraints, triggers, conditional updates); the methods that may be refused by such a
// condition return false instead of throwing, so the ledger can name the error.
import type {
  AccountRecord, ApiKeyRecord, ChargeRecord, ChargeStatus, DrawRecord, EntryRecord, GrantRecord,
} from '../records.ts';

export type SubscriptionState = Pick<AccountRecord, 'plan' | 'periodIndex' | 'periodStart' | 'periodEnd' | 'periodAnchor' | 'cancelAtPeriodEnd' | 'subscriptionMonths'>;

export interface StoredResponse {
  requestHash: string;
  response: string;
}

/** A locked account, and whether it has holds that timed out by then (to release first). */
export interface LockedAccount {
  account: AccountRecord;
  holdsExpired: boolean;
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

export interface ReadTx {
  account(id: string): Promise<AccountRecord | undefined>;
  grants(accountId: string): Promise<GrantRecord[]>;
  grant(id: string): Promise<GrantRecord | undefined>;
  /** Grants of the account that can be spent at `at`, with something left, in no particular order. */
  spendableGrants(accountId: string, at: number): Promise<GrantRecord[]>;
  charge(id: string): Promise<ChargeRecord | undefined>;
  chargeWithDraws(id: string): Promise<ChargeWithDraws | undefined>;
  draws(chargeId: string): Promise<DrawRecord[]>;
  entries(accountId: string, afterSeq: number, limit: number): Promise<EntryRecord[]>;
  /** Charges (held or captured) of an operation, or of any when null, created at or after `since`. */
  countCharges(accountId: string, operation: string | null, since: number): Promise<number>;
  usage(accountId: string, since: number): Promise<UsageCounts>;
  expiredHolds(accountId: string, at: number): Promise<ChargeRecord[]>;
}

export interface WriteTx extends ReadTx {
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
  /** Moves overdraft_used by delta, unless that leaves [0, limit]. */
  adjustOverdraft(accountId: string, delta: bigint): Promise<boolean>;

  insertGrant(g: GrantRecord): Promise<void>;
  /** Takes credits from a grant spendable at `at`, unless it has fewer left. */
  takeFromGrant(grantId: string, amount: bigint, at: number): Promise<boolean>;
  /** Puts credits back into a grant, unless that exceeds its amount. */
  returnToGrant(grantId: string, amount: bigint): Promise<boolean>;
  /** Moves a period grant's leftover out (rollover), leaving it at zero, and records the grant it went into. */
  emptyGrant(grantId: string, expected: bigint, into: string): Promise<boolean>;
  /** Raises a grant's amount and remaining alike (credits carried into it after its creation). */
  growGrant(grantId: string, amount: bigint): Promise<boolean>;

  insertCharge(c: ChargeRecord): Promise<void>;
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

export interface Store extends KeyStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Runs `work` in one transaction; concurrent callers are serialized per account or batched. */
  transaction<T>(work: (tx: WriteTx) => Promise<T>): Promise<T>;
  read<T>(work: (tx: ReadTx) => Promise<T>): Promise<T>;
  /** Resolves once the database answers a query through the usual connection (readiness). */
  ping(): Promise<void>;
  /** Holds neither resolved nor timed out at `at`: one count over the partial index of held charges. */
  openHolds(at: number): Promise<number>;
  close(): Promise<void>;
}
