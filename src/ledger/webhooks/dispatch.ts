// Fans the outbox out into deliveries, in one transaction: each new event goes to every live
// endpoint subscribed to its type (and account), and two kinds of alert are derived here:
// - balance.below_threshold: an event's balance below an endpoint's `balance_below`, once
//   per fall (edge-triggered: the account must come back to the threshold before another);
// - credits.expiring: a grant with credits left expiring within the endpoint's
//   `expiring_within_days`, once per grant.
// Endpoints see the events dispatched after they were created.
import { randomBytes } from 'node:crypto';
import { parseDecimalText } from '../../decimal.ts';
import { fromMinor } from '../money.ts';
import type { DeliveryRecord, EventRecord, IntegrationWrites, WebhookEndpointRecord } from '../store/integration.ts';
import { isoTime } from '../views.ts';
import { newEventId } from '../events/record.ts';
import type { EventEnvelope, EventType } from '../events/types.ts';

const DAY_MS = 86_400_000;
const BATCH = 200;

export const newDeliveryId = () => `whd_${randomBytes(12).toString('hex')}`;

function pending(endpoint: WebhookEndpointRecord, envelope: EventEnvelope, now: number): DeliveryRecord {
  return {
    id: newDeliveryId(), endpointId: endpoint.id, eventId: envelope.id, eventType: envelope.type, payload: JSON.stringify(envelope),
    status: 'pending', attempts: 0, nextAttemptAt: now, lastResponseStatus: null, lastError: null, createdAt: now, deliveredAt: null,
  };
}

const covers = (e: WebhookEndpointRecord, account: string | null) => e.accounts.length === 0 || (account !== null && e.accounts.includes(account));
const wants = (e: WebhookEndpointRecord, type: EventType) => e.events.includes(type);

/** Dispatches what is due at `now`; returns the deliveries made. */
export async function dispatch(tx: IntegrationWrites, now: number, decimals: (pack: string) => number): Promise<number> {
  // A pack no longer loaded must not stop the outbox: its events go out without a balance.
  const decimalsOf = (pack: string): number | undefined => {
    try {
      return decimals(pack);
    } catch {
      return undefined;
    }
  };
  await tx.lockDispatch();
  const endpoints = await tx.endpoints();
  let made = 0;
  const deliver = async (endpoint: WebhookEndpointRecord, envelope: EventEnvelope) => {
    if (await tx.insertDelivery(pending(endpoint, envelope, now))) made++;
  };

  const events = await tx.undispatchedEvents(BATCH);
  for (const ev of events) {
    const data = JSON.parse(ev.data) as Record<string, unknown>;
    const d = ev.pack === null ? undefined : decimalsOf(ev.pack);
    if (ev.balance !== null && d !== undefined) data.balance = fromMinor(ev.balance, d);
    for (const endpoint of endpoints) {
      if (!covers(endpoint, ev.accountId)) continue;
      if (wants(endpoint, ev.type as EventType)) await deliver(endpoint, envelopeOf(ev, data));
      if (wants(endpoint, 'balance.below_threshold') && endpoint.balanceBelow !== null && typeof data.balance === 'string' && ev.accountId !== null) {
        await balanceAlert(tx, endpoint, ev, data.balance, deliver);
      }
    }
  }
  await tx.markDispatched(events.map((e) => e.seq));

  for (const endpoint of endpoints) {
    if (!wants(endpoint, 'credits.expiring') || endpoint.expiringWithinDays === null) continue;
    for (const { grant, pack } of await tx.expiringGrants(endpoint.id, now, now + endpoint.expiringWithinDays * DAY_MS, endpoint.accounts, BATCH)) {
      const d = decimalsOf(pack);
      if (d === undefined || !(await tx.claimAlert(endpoint.id, `grant:${grant.id}`))) continue;
      await deliver(endpoint, {
        id: newEventId(), type: 'credits.expiring', created_at: isoTime(now), account: grant.accountId,
        data: {
          account: grant.accountId, grant: grant.id, kind: grant.kind, remaining: fromMinor(grant.remaining, d),
          expires_at: isoTime(grant.expiresAt!), within_days: endpoint.expiringWithinDays,
        },
      });
    }
  }
  return made;
}

function envelopeOf(ev: EventRecord, data: Record<string, unknown>): EventEnvelope {
  return { id: ev.id, type: ev.type as EventType, created_at: isoTime(ev.at), account: ev.accountId, data };
}

async function balanceAlert(
  tx: IntegrationWrites, endpoint: WebhookEndpointRecord, ev: EventRecord, balanceText: string,
  deliver: (e: WebhookEndpointRecord, envelope: EventEnvelope) => Promise<void>,
): Promise<void> {
  const balance = parseDecimalText(balanceText);
  const threshold = parseDecimalText(endpoint.balanceBelow!);
  if (!balance || !threshold) return;
  const subject = `balance:${ev.accountId}`;
  if (!balance.lt(threshold)) {
    await tx.clearAlert(endpoint.id, subject);
    return;
  }
  if (!(await tx.claimAlert(endpoint.id, subject))) return;
  // Its own id per endpoint: endpoints with other thresholds get other alerts.
  await deliver(endpoint, {
    id: newEventId(), type: 'balance.below_threshold', created_at: isoTime(ev.at), account: ev.accountId,
    data: { account: ev.accountId, balance: balanceText, threshold: endpoint.balanceBelow, cause: { event: ev.id, type: ev.type } },
  });
}
