import type { Logger } from 'pino';
import type { Engine } from '../engine/index.ts';
import type { ChargeHistory } from '../impact/ledger-history.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { Metrics } from './metrics.ts';
import type { Lifecycle } from './shutdown.ts';

export interface AppContext {
  ledger: Ledger;
  /** The packs the ledger prices with: one by name (unknown_pack with a hint if none), an operation's input JSON Schema for clients building forms. */
  engine: Pick<Engine, 'pack' | 'inputSchema'>;
  log: Logger;
  /** Largest accepted JSON body. */
  bodyLimit?: string;
  /** How long a verified API key is remembered (a revocation elsewhere takes this long to reach this server). */
  keyCacheSeconds?: number;
  /** This app's series; pass the one the ledger reports to (and whose timed store it uses) to have them all. Default: a new one. */
  metrics?: Metrics;
  /** Required as `Authorization: Bearer <token>` by /metrics when set. */
  metricsToken?: string;
  /** How long /readyz and the open-holds count wait for the store (default 2000 ms). */
  storeDeadlineMs?: number;
  /** While draining (shutting down), /readyz answers 503. */
  lifecycle?: Lifecycle;
  /** The built playground's folder (default dist/playground, from the working folder). */
  playgroundDir?: string;
  /** The ledger's recorded charges, read-only, for POST /v1/packs/{pack}/impact (src/impact/ledger-history.ts). */
  history?: ChargeHistory;
}
