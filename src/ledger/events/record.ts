// Writes events into the outbox (the events table) inside the ledger transaction that makes the
// change, so an event exists exactly when its change was committed, and a replayed request
// (idempotency) writes none.
import { randomBytes } from 'node:crypto';
import type { OpenCharge } from '../charges.ts';
import { viewCharge } from '../charges.ts';
import type { Scope } from '../scope.ts';
import type { EventType } from './types.ts';

export const newEventId = () => `evt_${randomBytes(12).toString('hex')}`;

/**
 * Records events about the scope's account. Each carries the account's balance after the
 * change (the dispatcher adds it to the event's data), from which balance.below_threshold
 * alerts are derived.
 */
export function recordEvents(s: Scope, events: { type: EventType; data: Record<string, unknown> }[]): Promise<void> {
  return s.tx.integration.appendEvents(
    events.map((e) => ({ id: newEventId(), type: e.type, accountId: s.account.id, at: s.now, data: JSON.stringify({ account: s.account.id, ...e.data }) })),
    { accountId: s.account.id, at: s.now, overdraftUsed: s.account.overdraftUsed },
  );
}

/** charge.held, charge.captured, …: the charge as GET /v1/charges/{id} shows it. */
export function chargeEvents(s: Scope, c: OpenCharge, types: EventType[], extra: Record<string, unknown> = {}): Promise<void> {
  const charge = viewCharge(c, s.pack.decimals);
  return recordEvents(s, types.map((type) => ({ type, data: { charge, ...extra } })));
}
