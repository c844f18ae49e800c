// Clients that charge, hold, capture, release, refund and top up through the cluster from a
// seeded random mix, and keep the record an auditor checks the store against: what was
// acknowledged, what was refused, and which requests were given up with their outcome unknown.
import { seededRandom } from '../../src/seeded-random.ts';
import type { Cluster, ServerProcess } from './server-process.ts';

export const ACCOUNTS = ['crash-a', 'crash-b', 'crash-c'];

export interface ChargeState {
  id: string;
  account: string;
  status: 'held' | 'captured' | 'released' | 'expired';
  held: string;
  captured: string | null;
  refunded: string;
  input: Record<string, unknown>;
}

export interface ChargeBody {
  account: string;
  operation: string;
  input: Record<string, unknown>;
  capture: boolean;
}

export interface Sent {
  method: 'POST';
  path: string;
  body: unknown;
  key: string;
}

export interface RunRecord {
  /** The account's balance as created (the pack's signup credits). */
  opening: Map<string, string>;
  /** Every acknowledged request (2xx), with the body it was answered. */
  acked: { sent: Sent; response: unknown }[];
  /** Charges as their last acknowledged response left them. */
  charges: Map<string, ChargeState>;
  /** Credits of acknowledged top-ups, per account. */
  toppedUp: Map<string, bigint>;
  /** Charge requests given up after a connection broke: each ran at most once, or not at all. */
  abandoned: ChargeBody[];
  /** Second captures or releases of resolved holds, with new keys: each must be refused. */
  secondResolutions: { charge: string; status: number; code?: string }[];
  /** Answers nobody expected (a 4xx or 5xx to a valid request). */
  unexpected: string[];
  retries: number;
  /** Retries answered as replays: the first attempt had committed before its server died. */
  replayedRetries: number;
}

export function newRecord(): RunRecord {
  return {
    opening: new Map(), acked: [], charges: new Map(), toppedUp: new Map(), abandoned: [],
    secondResolutions: [], unexpected: [], retries: 0, replayedRetries: 0,
  };
}

export const ADMIN_KEY = 'crk_crash_test_admin_key_0001';

interface Answer {
  status: number;
  body: Record<string, unknown>;
  replayed: boolean;
}

async function post(server: ServerProcess, s: Sent, cluster: Cluster): Promise<Answer> {
  const pending = fetch(`${server.url}${s.path}`, {
    method: 'POST', body: JSON.stringify(s.body),
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json', 'idempotency-key': s.key },
  });
  cluster.dispatched();
  const res = await pending;
  const body = (await res.json()) as Record<string, unknown>;
  cluster.answered(server);
  return { status: res.status, body, replayed: res.headers.get('idempotent-replayed') === 'true' };
}

/**
 * Sends until the request has an answer. A broken connection (the server was killed) leaves
 * the outcome unknown: the request is sent again with the same key, to whichever server is
 * up — unless `giveUp` says to abandon it, then undefined. A 5xx is an answer (the server
 * says nothing was stored) and no kill makes one, so it is returned to be reported, never
 * retried: a request failing every time must fail the test, not spin it.
 */
export async function send(cluster: Cluster, preferred: number, s: Sent, record: RunRecord, giveUp: () => boolean = () => false): Promise<Answer | undefined> {
  for (let attempt = 0; ; attempt++) {
    if (attempt > 0) record.retries++;
    const server = await cluster.pick(preferred);
    try {
      const a = await post(server, s, cluster);
      if (attempt > 0 && a.replayed) record.replayedRetries++;
      return a;
    } catch {
      if (giveUp()) return undefined;
    }
  }
}

const VIDEO_TOOLS = ['image_to_video', 'avatar_video'];
const IMAGE_TOOLS = ['text_to_image', 'face_swap'];

/** One client: `ops` operations on the shared accounts, its own holds and captures. */
export async function runClient(cluster: Cluster, record: RunRecord, client: number, ops: number, seed: number): Promise<void> {
  const rand = seededRandom(seed * 1000 + client);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const held: ChargeState[] = [];
  const captured: ChargeState[] = [];
  const resolved: ChargeState[] = [];
  let n = 0;
  const key = () => `crash-${seed}-${client}-${++n}`;

  const expectOk = (a: Answer | undefined, s: Sent): Record<string, unknown> | undefined => {
    if (a === undefined) return undefined;
    if (a.status >= 200 && a.status < 300) {
      record.acked.push({ sent: s, response: a.body });
      return a.body;
    }
    record.unexpected.push(`${s.path} ${JSON.stringify(s.body)} → ${a.status} ${JSON.stringify(a.body)}`);
    return undefined;
  };
  const remember = (c: Record<string, unknown>): ChargeState => {
    const state = { id: c.id, account: c.account, status: c.status, held: c.held, captured: c.captured, refunded: c.refunded, input: c.input } as ChargeState;
    record.charges.set(state.id, state);
    return state;
  };

  for (let i = 0; i < ops; i++) {
    const r = rand();
    const account = pick(ACCOUNTS);
    if (r < 0.55) {
      // A new charge: captured at once, or a hold to capture or release later.
      const capture = rand() < 0.5;
      const video = rand() < 0.6;
      const input = video ? { tool: pick(VIDEO_TOOLS), seconds: 1 + Math.floor(rand() * 6) } : { tool: pick(IMAGE_TOOLS) };
      const charge: ChargeBody = { account, operation: 'generate', input, capture };
      const s: Sent = { method: 'POST', path: '/v1/charges', body: charge, key: key() };
      const abandon = rand() < 0.4;
      const a = await send(cluster, client, s, record, () => abandon);
      if (a === undefined) {
        record.abandoned.push(charge);
        continue;
      }
      const body = expectOk(a, s);
      if (!body) continue;
      const c = remember(body);
      (c.status === 'held' ? held : captured).push(c);
    } else if (r < 0.72 && held.length) {
      const c = held.splice(Math.floor(rand() * held.length), 1)[0]!;
      const seconds = c.input.seconds as number | undefined;
      const release = rand() < 0.35;
      const s: Sent = release
        ? { method: 'POST', path: `/v1/charges/${c.id}/release`, body: {}, key: key() }
        : { method: 'POST', path: `/v1/charges/${c.id}/capture`, body: seconds === undefined ? {} : { usage: { seconds: Math.max(1, seconds - 1 + Math.floor(rand() * 3)) } }, key: key() };
      const body = expectOk(await send(cluster, client, s, record), s);
      if (!body) continue;
      const after = remember(body);
      resolved.push(after);
      if (after.status === 'captured') captured.push(after);
    } else if (r < 0.82 && captured.length) {
      const c = captured.splice(Math.floor(rand() * captured.length), 1)[0]!;
      const s: Sent = { method: 'POST', path: `/v1/charges/${c.id}/refund`, body: { outcome: 'failed' }, key: key() };
      const body = expectOk(await send(cluster, client, s, record), s);
      if (body) remember(body.charge as Record<string, unknown>);
    } else if (r < 0.9 && resolved.length) {
      // A second resolution of a resolved hold, under a new key: it must be refused.
      const c = pick(resolved);
      const s: Sent = rand() < 0.5
        ? { method: 'POST', path: `/v1/charges/${c.id}/release`, body: {}, key: key() }
        : { method: 'POST', path: `/v1/charges/${c.id}/capture`, body: {}, key: key() };
      const a = (await send(cluster, client, s, record))!;
      record.secondResolutions.push({ charge: c.id, status: a.status, code: a.body.code as string | undefined });
    } else {
      const credits = 20 + Math.floor(rand() * 200);
      const s: Sent = { method: 'POST', path: `/v1/accounts/${account}/topups`, body: { input: { credits: String(credits) } }, key: key() };
      if (expectOk(await send(cluster, client, s, record), s)) record.toppedUp.set(account, (record.toppedUp.get(account) ?? 0n) + BigInt(credits));
    }
  }
}

/** The accounts, each with enough purchased credits that no charge of the run is refused. */
export async function openAccounts(cluster: Cluster, record: RunRecord, seed: number): Promise<void> {
  for (const id of ACCOUNTS) {
    const created: Sent = { method: 'POST', path: '/v1/accounts', body: { id, pack: 'modelpix' }, key: `crash-${seed}-open-${id}` };
    const a = (await send(cluster, 0, created, record))!;
    if (a.status !== 201) throw new Error(`creating ${id}: ${a.status} ${JSON.stringify(a.body)}`);
    record.opening.set(id, a.body.balance as string);
    const funded: Sent = { method: 'POST', path: `/v1/accounts/${id}/topups`, body: { input: { credits: '100000' } }, key: `crash-${seed}-fund-${id}` };
    const f = (await send(cluster, 0, funded, record))!;
    if (f.status !== 201) throw new Error(`funding ${id}: ${f.status} ${JSON.stringify(f.body)}`);
    record.acked.push({ sent: funded, response: f.body });
    record.toppedUp.set(id, 100000n);
  }
}
