// The events a webhook endpoint can subscribe to. The first four and plan.changed are written by
// the ledger in the transaction of the change; statement.closed by the period close; the two
// alerts are derived by the webhook dispatcher (see webhooks/dispatch.ts).
export const EVENT_TYPES = [
  'charge.held', 'charge.captured', 'charge.released', 'charge.refunded',
  'plan.changed', 'statement.closed',
  'balance.below_threshold', 'credits.expiring',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** What an endpoint receives: the body of every delivery. */
export interface EventEnvelope {
  /** Unique per event and endpoint; the same on every retry: de-duplicate on it. */
  id: string;
  type: EventType;
  created_at: string;
  account: string | null;
  data: Record<string, unknown>;
}
