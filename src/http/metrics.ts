// Prometheus series of one app, in a registry of its own: several apps in one process (the
// tests) must not collide in prom-client's global registry.
import type { Request } from 'express';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ChargeOutcome, LedgerObserver } from '../ledger/ledger.ts';
import type { Store } from '../ledger/store/store.ts';
import { RequestSeries } from './request-series.ts';
import { TimedStore, type StoreWork } from './timed-store.ts';

const SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The label of requests no route matched (404s, and requests refused before routing): raw paths would be unbounded. */
const UNMATCHED = 'unmatched';

export class Metrics implements LedgerObserver {
  readonly registry = new Registry();
  private readonly requests = new RequestSeries(this.registry, SECONDS);
  /** pack → operation → [accepted, rejected]: counted here, on the quoting path, and handed over at scrape time. */
  private readonly quoteCounts = new Map<string, Map<string, [number, number]>>();
  private readonly charges = new Counter({
    name: 'credits_charges_total', help: 'Committed charge steps by pack and outcome (held, captured, released, refunded); replays are not counted',
    labelNames: ['pack', 'outcome'], registers: [this.registry],
  });
  private readonly storeLatency = new Histogram({
    name: 'credits_store_duration_seconds', help: 'Store transactions and reads as the ledger waits for them (queueing included), by store kind',
    labelNames: ['store', 'op'], buckets: SECONDS, registers: [this.registry],
  });
  private countOpenHolds: (() => Promise<number>) | undefined;
  private log: Logger | undefined;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    const metrics = this;
    new Counter({
      name: 'credits_quotes_total', help: 'Quotes priced, by pack, operation and outcome (accepted, rejected by a constraint)',
      labelNames: ['pack', 'operation', 'outcome'], registers: [this.registry],
      collect() {
        this.reset();
        for (const [pack, byOperation] of metrics.quoteCounts) {
          for (const [operation, [accepted, rejected]] of byOperation) {
            if (accepted) this.inc({ pack, operation, outcome: 'accepted' }, accepted);
            if (rejected) this.inc({ pack, operation, outcome: 'rejected' }, rejected);
          }
        }
      },
    });
    new Gauge({
      name: 'credits_holds_open', help: 'Holds neither resolved nor timed out, counted in the store at each scrape',
      registers: [this.registry],
      async collect() {
        if (!metrics.countOpenHolds) return;
        try {
          this.set(await metrics.countOpenHolds());
        } catch (err) {
          metrics.log?.warn({ err }, 'counting open holds for /metrics failed');
          this.set(NaN);
        }
      },
    });
  }

  /** Counted from the store at each scrape, so the figure is right after a restart and across servers. */
  countHoldsWith(count: () => Promise<number>, log: Logger): void {
    this.countOpenHolds = count;
    this.log = log;
  }

  observeRequest(req: Request, status: number, seconds: number): void {
    this.requests.observe(req.method, req.route ? req.baseUrl + req.route.path : UNMATCHED, status, seconds);
  }

  quoted(pack: string, operation: string, accepted: boolean): void {
    let byOperation = this.quoteCounts.get(pack);
    if (!byOperation) this.quoteCounts.set(pack, (byOperation = new Map()));
    let counts = byOperation.get(operation);
    if (!counts) byOperation.set(operation, (counts = [0, 0]));
    counts[accepted ? 0 : 1]++;
  }

  charged(pack: string, outcome: ChargeOutcome): void {
    this.charges.inc({ pack, outcome });
  }

  /** The store, with its transactions and reads timed. */
  timed(store: Store): Store {
    return new TimedStore(store, (op: StoreWork, seconds: number) => this.storeLatency.observe({ store: store.kind, op }, seconds));
  }
}
