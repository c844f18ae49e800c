// What the integration surface keeps in the store: the event outbox, webhook endpoints and
// their deliveries, metadata, and the paged lists of accounts, charges and grants.
import type { ChargeStatus, GrantRecord } from '../records.ts';
import type { ChargeWithDraws } from './store.ts';

/** An event as the ledger wrote it, in the transaction of the change it reports. */
export interface EventRecord {
  seq: number;
  id: string;
  type: string;
  accountId: string | null;
  at: number;
  /** JSON. */
  data: string;
  /** The account's balance after the change, in minor units (spendable credits minus what the overdraft owes). */
  balance: bigint | null;
  /** The account's pack (read with the event). */
  pack: string | null;
}

/** Whose balance an event records, and what the overdraft owes at that moment. */
export interface BalanceAt {
  accountId: string;
  at: number;
  overdraftUsed: bigint;
}

export interface WebhookEndpointRecord {
  id: string;
  url: string;
  /** Signs every delivery (HMAC-SHA256), so it is kept as it is; shown once, at creation. */
  secret: string;
  events: string[];
  /** Accounts whose events it receives; empty: all. */
  accounts: string[];
  /** balance.below_threshold: the balance (decimal text, in each account's unit) to fall below. */
  balanceBelow: string | null;
  /** credits.expiring: how many days ahead. */
  expiringWithinDays: number | null;
  description: string | null;
  createdAt: number;
  deletedAt: number | null;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface DeliveryRecord {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  /** The exact body sent, JSON: every attempt sends the same bytes. */
  payload: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: number | null;
  lastResponseStatus: number | null;
  lastError: string | null;
  createdAt: number;
  deliveredAt: number | null;
}

export interface AttemptRecord {
  deliveryId: string;
  attempt: number;
  at: number;
  responseStatus: number | null;
  error: string | null;
}

/** A position in a list ordered by time then id. */
export interface Position {
  at: number;
  id: string;
}

export interface ChargeFilter {
  /** Only these accounts (undefined: all). */
  accounts?: string[];
  status?: ChargeStatus;
  /** created_at >= from */
  from?: number;
  /** created_at < to */
  to?: number;
}

/** A grant about to expire, with what an announcement of it needs. */
export interface ExpiringGrant {
  grant: GrantRecord;
  pack: string;
}

export interface IntegrationReads {
  /** Account ids after `afterId` in id order, of a pack and among `ids` when given. */
  accountIds(filter: { pack?: string; ids?: string[] }, afterId: string | null, limit: number): Promise<string[]>;
  /** Charges newest first, strictly before `before`. */
  charges(filter: ChargeFilter, before: Position | null, limit: number): Promise<ChargeWithDraws[]>;
  /** All the account's grants, spent and expired ones too, oldest first, after `after`. */
  grants(accountId: string, after: Position | null, limit: number): Promise<GrantRecord[]>;
  endpoints(): Promise<WebhookEndpointRecord[]>;
  endpoint(id: string): Promise<WebhookEndpointRecord | undefined>;
  /** An endpoint's deliveries newest first, strictly before `before`, each with its attempts. */
  deliveries(endpointId: string, before: Position | null, limit: number): Promise<{ delivery: DeliveryRecord; attempts: AttemptRecord[] }[]>;
}

export interface IntegrationWrites extends IntegrationReads {
  /** Appends events in one statement, each with the account's balance at `balance.at` computed by the database. */
  appendEvents(events: Omit<EventRecord, 'seq' | 'balance' | 'pack'>[], balance: BalanceAt): Promise<void>;
  setChargeMetadata(chargeId: string, metadata: string): Promise<void>;
  setAccountMetadata(accountId: string, metadata: string): Promise<void>;

  insertEndpoint(e: WebhookEndpointRecord): Promise<void>;
  /** False when there is no such endpoint, or it was deleted already. */
  deleteEndpoint(id: string, at: number): Promise<boolean>;

  /** Makes concurrent dispatchers (servers over one PostgreSQL database) take turns. */
  lockDispatch(): Promise<void>;
  undispatchedEvents(limit: number): Promise<EventRecord[]>;
  markDispatched(seqs: number[]): Promise<void>;
  /** False when the endpoint has a delivery of this event already. */
  insertDelivery(d: DeliveryRecord): Promise<boolean>;
  /** Records a notice given (true) or finds it given already (false). */
  claimAlert(endpointId: string, subject: string): Promise<boolean>;
  clearAlert(endpointId: string, subject: string): Promise<void>;
  /** Grants with credits left expiring in (from, to], of these accounts (empty: all), that the
   *  endpoint has not been told of yet (claimAlert `grant:<id>`): a batch is never filled by
   *  grants announced already. */
  expiringGrants(endpointId: string, from: number, to: number, accounts: string[], limit: number): Promise<ExpiringGrant[]>;

  /** Pending deliveries due at `at` whose endpoint is live, soonest first. */
  dueDeliveries(at: number, limit: number): Promise<{ delivery: DeliveryRecord; endpoint: WebhookEndpointRecord }[]>;
  /** Moves a due delivery's next attempt to `until` so no other worker takes it meanwhile; false when another did. */
  leaseDelivery(id: string, expected: number, until: number): Promise<boolean>;
  recordAttempt(a: AttemptRecord, outcome: { status: DeliveryStatus; nextAttemptAt: number | null }): Promise<void>;
}
